"""A clinic's outcomes over a period: the figures, their charts and their CSV.

Runners started in the period (assessments of the clinic created between the first and the
last day, in the site's time zone) and what became of them, from the copies each assessment
keeps of its check-ins (latest_pain, check_ins_total, check_in_weeks...; kept by
programs.models.record_check_in): the check-ins themselves are never read. Three queries
whatever the clinic's size: one aggregate, one distribution of (pain at the start, pain at the
latest check-in) pairs (at most 11 x 11 rows), and the middle one or two review times.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django import forms
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.lookups import GreaterThan
from django.utils import timezone

from assessments import scoring
from assessments.models import Assessment
from programs import builder
from review.presenters import BADGES

DEFAULT_DAYS = 90
LONGEST_DAYS = 366 * 3
RETENTION_WEEKS = 4
SEEN_QUICKLY = timedelta(days=1)
SEEN_SOON = timedelta(days=2)
NEEDS_REVIEW = (scoring.Tier.EMERGENCY, scoring.Tier.URGENT)


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To (included)", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data, today: date):
        self.today = today
        defaults = {"start": today - timedelta(days=DEFAULT_DAYS - 1), "end": today}
        # The last 90 days unless the clinician asked for another period.
        bound = {name: data.get(name) or str(value) for name, value in defaults.items()}
        super().__init__(bound)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            if start > end:
                raise forms.ValidationError("The first day must be on or before the last day.")
            if start > self.today:
                raise forms.ValidationError("The period must start today or earlier: no runner has started yet.")
            if (end - start).days >= LONGEST_DAYS:
                raise forms.ValidationError(f"Choose a period of at most {LONGEST_DAYS} days.")
        return cleaned


def midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


@dataclass
class Outcomes:
    start: date
    end: date
    today: date
    started: int = 0
    triage: list = field(default_factory=list)  # (tier value, label, count)
    with_check_in: int = 0  # runners with a pain at the start and a check-in
    median_change: float | None = None  # latest minus start, in points (negative: better)
    better: int = 0
    same: int = 0
    worse: int = 0
    check_ins: int = 0
    done_all: int = 0
    done_some: int = 0
    retention: list = field(default_factory=list)  # (week, runners whose week has ended, with a check-in in it)
    needing_review: int = 0
    reviewed_in_a_day: int = 0
    reviewed_in_two_days: int = 0
    not_reviewed: int = 0
    median_review: timedelta | None = None

    @property
    def done_none(self) -> int:
        return self.check_ins - self.done_all - self.done_some

    @property
    def reviewed(self) -> int:
        return self.needing_review - self.not_reviewed


def share(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "none"


def median_of_counts(counts: dict[int, int]) -> float | None:
    """The median of values given as {value: how many}."""
    total = sum(counts.values())
    if not total:
        return None
    wanted = {(total - 1) // 2, total // 2}
    found, seen = [], 0
    for value in sorted(counts):
        for position in wanted:
            if seen <= position < seen + counts[value]:
                found.append(value)
        seen += counts[value]
    return sum(found) / len(found)


def outcomes(clinic_id: int, start: date, end: date, today: date) -> Outcomes:
    """The clinic's outcomes for runners started from `start` to `end` (both included)."""
    started = Assessment.objects.filter(
        clinic_id=clinic_id, created__gte=midnight(start), created__lt=midnight(end + timedelta(days=1))
    ).order_by()
    result = Outcomes(start=start, end=end, today=today)
    waited = ExpressionWrapper(F("reviewed_at") - F("created"), output_field=DurationField())
    figures = {
        "started": Count("created"),
        "check_ins": Sum("check_ins_total", default=0),
        "done_all": Sum("check_ins_done_all", default=0),
        "done_some": Sum("check_ins_done_some", default=0),
        "needing_review": Count("created", filter=Q(tier__in=NEEDS_REVIEW)),
        "not_reviewed": Count("created", filter=Q(tier__in=NEEDS_REVIEW, reviewed_at__isnull=True)),
        "in_a_day": Count("created", filter=Q(tier__in=NEEDS_REVIEW, reviewed_at__lte=F("created") + SEEN_QUICKLY)),
        "in_two_days": Count("created", filter=Q(tier__in=NEEDS_REVIEW, reviewed_at__lte=F("created") + SEEN_SOON)),
    }
    for tier in scoring.Tier:
        figures[f"tier_{tier.value}"] = Count("created", filter=Q(tier=tier.value))
    for week in range(1, RETENTION_WEEKS + 1):
        # Runners whose week `week` is over by today: started at least 7 x week days ago.
        ended = Q(created__lt=midnight(today - timedelta(days=7 * week - 1)))
        figures[f"ended_{week}"] = Count("created", filter=ended)
        kept = GreaterThan(F("check_in_weeks").bitand(1 << (week - 1)), 0)
        figures[f"kept_{week}"] = Count("created", filter=ended & Q(kept))
    row = started.aggregate(**figures)

    result.started = row["started"]
    # In the queue's words (its badges), short enough for the chart's labels.
    result.triage = [(t.value, BADGES[t][2], row[f"tier_{t.value}"]) for t in scoring.Tier]
    result.check_ins, result.done_all, result.done_some = row["check_ins"], row["done_all"], row["done_some"]
    result.retention = [(w, row[f"ended_{w}"], row[f"kept_{w}"]) for w in range(1, RETENTION_WEEKS + 1)]
    result.needing_review, result.not_reviewed = row["needing_review"], row["not_reviewed"]
    result.reviewed_in_a_day, result.reviewed_in_two_days = row["in_a_day"], row["in_two_days"]

    pairs = (
        started.filter(pain_now__isnull=False, latest_pain__isnull=False)
        .values_list("pain_now", "latest_pain")
        .annotate(n=Count("created"))
    )
    changes: dict[int, int] = {}
    for first, latest, n in pairs:
        changes[latest - first] = changes.get(latest - first, 0) + n
        result.with_check_in += n
        change = builder.pain_change(first, latest)
        if change == builder.BETTER:
            result.better += n
        elif change == builder.WORSE:
            result.worse += n
        else:
            result.same += n
    result.median_change = median_of_counts(changes)

    reviewed = result.reviewed
    if reviewed:
        middle = list(
            started.filter(tier__in=NEEDS_REVIEW, reviewed_at__isnull=False)
            .annotate(waited=waited)
            .order_by("waited")
            .values_list("waited", flat=True)[(reviewed - 1) // 2 : reviewed // 2 + 1]
        )
        result.median_review = sum(middle, timedelta()) / len(middle)
    return result


def duration_words(value: timedelta | None) -> str:
    if value is None:
        return "none reviewed"
    hours = value.total_seconds() / 3600
    if hours < 48:
        return f"{hours:.1f} hours"
    return f"{hours / 24:.1f} days"


def points(value: float | None) -> str:
    """A median change in words: "down 1 point", "up 0.5 points", "no change"."""
    if value is None:
        return "no check-ins"
    if value == 0:
        return "no change"
    number = f"{abs(value):.1f}".removesuffix(".0")
    return f"{'down' if value < 0 else 'up'} {number} point{'' if number == '1' else 's'}"


# --- charts ---------------------------------------------------------------------------------

WIDTH, BAR_HEIGHT, GAP, LABEL_WIDTH, TOP = 320, 18, 8, 118, 4


def bar_chart(key: str, title: str, summary: str, bars: list[tuple[str, int, int]], whole_word: str) -> dict:
    """A horizontal bar chart: each bar (label, count, whole) is drawn as count / whole, with its
    share and count written after it; the same numbers go in the table beside it."""
    room = WIDTH - LABEL_WIDTH - 70
    drawn = []
    for n, (label, count, whole) in enumerate(bars):
        y = TOP + n * (BAR_HEIGHT + GAP)
        length = round(room * count / whole, 1) if whole else 0
        drawn.append(
            {
                "label": label,
                "count": count,
                "whole": whole,
                "share": share(count, whole),
                "y": y,
                "text_y": y + BAR_HEIGHT / 2,
                "length": length,
                "value_x": LABEL_WIDTH + length + 4,
            }
        )
    return {
        "id": f"chart-{key}",
        "title": title,
        "summary": summary,
        "whole_word": whole_word,
        "bars": drawn,
        "width": WIDTH,
        "height": TOP * 2 + len(bars) * (BAR_HEIGHT + GAP),
        "bar_x": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 6,
        "bar_height": BAR_HEIGHT,
    }


def charts(o: Outcomes) -> list[dict]:
    started = o.started
    top = max(o.triage, key=lambda t: t[2]) if started else None
    pain_summary = (
        f"{o.with_check_in} of {started} runners checked in with a pain score. Median change from the start to "
        f"the latest check-in: {points(o.median_change)}. {share(o.better, o.with_check_in)} improved "
        f"meaningfully (2 points or 30% down)."
        if o.with_check_in
        else "No runner of the period has checked in with a pain score yet."
    )
    return [
        bar_chart(
            "triage",
            "Triage mix",
            f"{started} runners started. Most often: {top[1]} ({share(top[2], started)})."
            if top
            else "No runner started in this period.",
            [(label, count, started) for _, label, count in o.triage],
            "runners started",
        ),
        bar_chart(
            "pain",
            "Pain from the start to the latest check-in",
            pain_summary,
            [
                ("Meaningfully better", o.better, o.with_check_in),
                ("About the same", o.same, o.with_check_in),
                ("Worse", o.worse, o.with_check_in),
            ],
            "runners with a check-in",
        ),
        bar_chart(
            "adherence",
            "Plan adherence: routine done at check-ins",
            f"At {o.check_ins} check-ins the routine was done in full {share(o.done_all, o.check_ins)} of the "
            f"time and in part {share(o.done_some, o.check_ins)}."
            if o.check_ins
            else "No check-ins yet.",
            [
                ("In full", o.done_all, o.check_ins),
                ("In part", o.done_some, o.check_ins),
                ("Not done", o.done_none, o.check_ins),
            ],
            "check-ins",
        ),
        bar_chart(
            "retention",
            "Check-ins by week of the plan",
            "Of the runners whose week is over: "
            + "; ".join(f"week {w}, {share(kept, ended)} ({kept} of {ended})" for w, ended, kept in o.retention)
            + ".",
            [(f"Week {w}", kept, ended) for w, ended, kept in o.retention],
            "runners whose week is over",
        ),
        bar_chart(
            "review",
            "Urgent and emergency results: time to a clinician's review",
            f"{o.needing_review} urgent or emergency results. Median time to review: "
            f"{duration_words(o.median_review)}. Not yet reviewed: {o.not_reviewed}."
            if o.needing_review
            else "No urgent or emergency result in this period.",
            [
                ("Within a day", o.reviewed_in_a_day, o.needing_review),
                ("Within 2 days", o.reviewed_in_two_days, o.needing_review),
                ("Not yet reviewed", o.not_reviewed, o.needing_review),
            ],
            "urgent or emergency results",
        ),
    ]


def csv_text(clinic_name: str, o: Outcomes) -> str:
    """The figures as CSV: one row per number, with its chart and what it counts."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["clinic", "from", "to", "figure", "measure", "count", "out of", "share"])
    head = [clinic_name, o.start.isoformat(), o.end.isoformat()]
    writer.writerow([*head, "Runners started", "runners", o.started, "", ""])
    for chart in charts(o):
        for bar in chart["bars"]:
            writer.writerow([*head, chart["title"], bar["label"], bar["count"], bar["whole"], bar["share"]])
    median = "" if o.median_change is None else o.median_change
    writer.writerow([*head, "Pain from the start to the latest check-in", "median change (points)", median, "", ""])
    hours = "" if o.median_review is None else round(o.median_review.total_seconds() / 3600, 1)
    writer.writerow([*head, "Urgent and emergency results", "median hours to review", hours, "", ""])
    return out.getvalue()
