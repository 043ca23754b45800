"""Turn a Program into what the programme pages show (no logic in templates)."""

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from assessments.presenters import present_answers
from assessments.scoring import EMERGENCY, ROUTINE, URGENT, maternity_first
from programs import builder
from programs.models import CAUTION_CHOICES, CheckIn, Exercise, PlanAdjustment

EMERGENCY_RESULT = "emergency_result"
MATERNITY_RESULT = "maternity_result"
STATUS_BANNERS = {
    MATERNITY_RESULT: {
        "css": "danger",
        "icon": "emergency",
        "heading": "Call your maternity unit or midwife now",
        "lead": (
            "Your answers include a sign in your pregnancy that needs checking straight away, so there is no "
            "exercise plan. Please do not run or exercise until you have been checked."
        ),
    },
    EMERGENCY_RESULT: {
        "css": "danger",
        "icon": "emergency",
        "heading": "Seek emergency care now",
        "lead": (
            "Your answers include a warning sign that needs a doctor straight away, so there is no exercise "
            "plan. Please do not run or exercise until a doctor has seen you."
        ),
    },
    builder.STOPPED: {
        "css": "danger",
        "icon": "emergency",
        "heading": "Stop the exercises and get medical help now",
        "lead": (
            "Your answers include a warning sign that needs a doctor straight away. We have stopped your "
            "exercise plan: please do not run or exercise until a doctor has seen you."
        ),
    },
    (builder.GENTLE, URGENT): {
        "css": "warning",
        "icon": "warning",
        "heading": "See a doctor within a day or two: gentle movement only",
        "lead": (
            "Some of your answers need a doctor's check soon. Until then your plan keeps to gentle movement "
            "and easy walking; hold off on running and harder exercises."
        ),
    },
    (builder.GENTLE, ROUTINE): {
        "css": "warning",
        "icon": "warning",
        "heading": "Book an appointment with a professional: gentle movement until then",
        "lead": (
            "A physiotherapist or doctor should look at your back. Until the appointment your plan keeps to "
            "gentle movement and easy walking."
        ),
    },
}
KIND_WORDS = dict(Exercise.Kind.choices)
DAY_WORDS = {
    builder.TRAINING: "Routine",
    builder.EASY: "Easy day",
    builder.REST: "Rest day",
    builder.GENTLE_DAY: "Gentle movement",
    builder.STOPPED_DAY: "Stopped",
    builder.PAUSED_DAY: "Paused",
}
# The same in a word, for the print's narrow day columns.
DAY_SHORT_WORDS = {
    builder.TRAINING: "Routine",
    builder.EASY: "Easy",
    builder.REST: "Rest",
    builder.GENTLE_DAY: "Gentle",
    builder.STOPPED_DAY: "Stop",
    builder.PAUSED_DAY: "Paused",
}
REGION_WORDS = dict(Exercise.Region.choices)
EQUIPMENT_WORDS = dict(Exercise.Equipment.choices)
DONE_WORDS = dict(CheckIn.Done.choices)
CAUTION_TEXT = dict(CAUTION_CHOICES)
# Our own line drawings, one per library exercise (static/img/exercises/<slug>.svg); an
# exercise a clinician added has none until someone draws it.
ILLUSTRATION_DIR = Path(settings.BASE_DIR) / "static" / "img" / "exercises"
ILLUSTRATIONS = frozenset(path.stem for path in ILLUSTRATION_DIR.glob("*.svg"))


def present_entry(entry: builder.Entry, cards: dict, ticked: frozenset[str] = frozenset()) -> dict:
    """An exercise of a day: what to do today, at a glance; its how-to card, where the page has one."""
    card = cards.get(entry.slug)
    dosage = entry.dosage
    sides = 2 if dosage.per_side else 1
    return {
        "slug": entry.slug,
        "name": entry.name,
        "kind": KIND_WORDS.get(entry.kind, entry.kind),
        "dosage": entry.dosage_text,
        "minutes": dosage.minutes,
        "why": entry.why,
        "harder": entry.variant == "harder",
        "card": card,
        "cue": card["cues"][0] if card and card["cues"] else "",
        "illustration": card["illustration"] if card else "",
        "ticked": entry.slug in ticked,
        # The hold timer: each hold (sets x sides) for its seconds, with the rest between them.
        "timer": {"hold": dosage.hold_seconds, "rest": dosage.rest_seconds, "rounds": dosage.sets * sides}
        if dosage.hold_seconds
        else None,
    }


def present_day(day: builder.Day, today, cards: dict, ticked: frozenset[str] = frozenset()) -> dict:
    """A day of the plan; each entry carries its exercise's how-to card where `cards` has it."""
    warm_up = [present_entry(e, cards, ticked) for e in day.warm_up]
    exercises = [present_entry(e, cards, ticked) for e in day.exercises]
    return {
        "number": day.number,
        "date": day.date,
        "label": f"Day {day.number}, {day.date:%a} {day.date.day} {day.date:%b}",
        "week": day.week,
        "kind": day.kind,
        "kind_words": DAY_WORDS[day.kind],
        "kind_short": DAY_SHORT_WORDS[day.kind],
        "exercises_heading": "Easy options for today"
        if day.kind in (builder.REST, builder.EASY)
        else "Today's exercises",
        "title": day.title,
        "warm_up": warm_up,
        "exercises": exercises,
        "entries": warm_up + exercises,
        "minutes": day.minutes,
        "reasons": day.reasons,
        "suggestions": day.suggestions,
        "adapted": day.adapted,
        "is_today": day.date == today,
        "anchor": f"day-{day.number}",
        "ticked": sum(e["ticked"] for e in warm_up + exercises),
    }


def present_exercise(spec: builder.ExerciseSpec, variants: dict[str, builder.ExerciseSpec]) -> dict:
    """An exercise's how-to card; `variants` holds only the exercises this runner may be pointed to."""
    dosage = builder.dosage_at(spec, 0)
    return {
        "slug": spec.slug,
        "name": spec.name,
        "kind": KIND_WORDS.get(spec.kind, spec.kind),
        "region": REGION_WORDS.get(spec.region, spec.region),
        "steps": spec.steps,
        "cues": spec.cues,
        "mistakes": spec.mistakes,
        "dosage": dosage.text,
        "minutes": dosage.minutes,
        "equipment": ", ".join(EQUIPMENT_WORDS.get(e, e) for e in spec.equipment if e != "none") or "None",
        "cautions": [f"{CAUTION_TEXT.get(code, code)}." for code in spec.cautions],
        "illustration": f"img/exercises/{spec.slug}.svg" if spec.slug in ILLUSTRATIONS else "",
        "easier": variants[spec.easier].name if spec.easier in variants else None,
        "harder": variants[spec.harder].name if spec.harder in variants else None,
    }


# --- Progress chart: inline SVG drawn on the server, with a text summary -----------------------

CHART_WIDTH, CHART_HEIGHT = 320, 170
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 34, 312, 12, 120
DONE_ROW_Y = 140  # the row of "routine done" marks under the pain line
DATE_ROW_Y = 162


# The chart's numbers go into SVG attributes as text, written once here (a template would
# localise each number again, and that was most of the time a page took to draw its chart).
def svg_number(value: float) -> str:
    return f"{value:g}"


def short_date(day) -> str:
    """30 Nov: the chart's dates, written once here."""
    return f"{day.day} {day:%b}"


@dataclass
class ChartPoint:
    x: str
    y: str
    label: str


@dataclass
class DoneMark:
    x: str
    done: str  # all / some / none
    label: str


# The chart speaks to the runner on their plan, and about the runner in the clinician's review.
CHART_WORDS = {
    "runner": {
        "whose": "Your",
        "who": "you",
        "title": "Chart of your pain (0 to 10) over time and the days you did your routine, summarised below",
        "table": "Your check-ins as a table",
    },
    "clinician": {
        "whose": "The runner's",
        "who": "they",
        "title": "Chart of the runner's pain (0 to 10) over time and the days they did their routine, summarised below",
        "table": "The check-ins as a table",
    },
}


def pain_chart(start, start_pain: int | None, check_ins: list[CheckIn], plan_days: int, reader: str = "runner") -> dict:
    """The pain line (start, then each check-in) and the days done, scaled to the SVG's box.

    The pain at the start is unknown (None) when an emergency sign ended the questionnaire.
    """
    words = CHART_WORDS[reader]
    last = max([plan_days - 1] + [(c.day - start).days for c in check_ins])
    span = max(last, 1)

    def x(day_index: int) -> str:
        return svg_number(round(PLOT_LEFT + (PLOT_RIGHT - PLOT_LEFT) * day_index / span, 1))

    def y(pain: int) -> str:
        return svg_number(round(PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * pain / 10, 1))

    points = []
    if start_pain is not None:
        points.append(
            ChartPoint(x(0), y(start_pain), f"Start, {builder.day_month(start)}: pain {start_pain} out of 10")
        )
    points += [
        ChartPoint(x((c.day - start).days), y(c.pain_now), f"{builder.day_month(c.day)}: pain {c.pain_now} out of 10")
        for c in check_ins
    ]
    marks = [
        DoneMark(
            x((c.day - start).days), c.routine_done, f"{builder.day_month(c.day)}: {DONE_WORDS[c.routine_done].lower()}"
        )
        for c in check_ins
    ]
    done_all = sum(c.routine_done == builder.DONE_ALL for c in check_ins)
    done_some = sum(c.routine_done == builder.DONE_SOME for c in check_ins)
    if start_pain is None:
        summary = f"{words['whose']} pain was not asked: the questionnaire ended at an emergency warning sign."
    elif check_ins:
        latest = check_ins[-1]
        change = latest.pain_now - start_pain
        trend = (
            f"{-change} point{'s' if -change != 1 else ''} lower"
            if change < 0
            else f"{change} point{'s' if change != 1 else ''} higher"
            if change > 0
            else "the same"
        )
        summary = (
            f"{words['whose']} pain was {start_pain} out of 10 at the start and {latest.pain_now} out of 10 at the "
            f"latest check-in on {builder.day_month(latest.day)} ({trend}). Over {len(check_ins)} check-in"
            f"{'s' if len(check_ins) != 1 else ''} {words['who']} did the whole routine on {done_all} day"
            f"{'s' if done_all != 1 else ''} and part of it on {done_some}."
        )
    elif reader == "runner":
        summary = (
            f"Your pain was {start_pain} out of 10 at the start. Check in each day to see your pain and the days "
            "you did your routine here."
        )
    else:
        summary = f"The runner's pain was {start_pain} out of 10 at the start. There is no check-in yet."
    return {
        "width": str(CHART_WIDTH),
        "height": str(CHART_HEIGHT),
        "points": points,
        "polyline": " ".join(f"{p.x},{p.y}" for p in points),
        "marks": marks,
        "gridlines": [{"y": y(v), "label": str(v)} for v in (0, 5, 10)],
        "axis_left": str(PLOT_LEFT),
        "axis_right": str(PLOT_RIGHT),
        "grid_label_x": str(PLOT_LEFT - 6),
        "done_label_x": str(PLOT_LEFT - 8),
        "done_row_y": str(DONE_ROW_Y),
        "date_row_y": str(DATE_ROW_Y),
        "first_date": short_date(start),
        "last_date": short_date(start + timedelta(days=last)),
        "summary": summary,
        "title": words["title"],
        "table_summary": words["table"],
        "rows": [
            {
                "date": short_date(c.day),
                "pain": f"{c.pain_now}/10",
                "done": DONE_WORDS[c.routine_done],
                "run": c.get_run_display(),
            }
            for c in check_ins
        ],
    }


def present_status(assessment, program: builder.Program) -> dict:
    """Whether there is a plan at all, and the banner that comes before anything else when there is not
    a full one (emergency, stopped, gentle only)."""
    stopped = program.status == builder.STOPPED
    emergency = assessment.triage == EMERGENCY
    maternity = emergency and maternity_first([r.answers for r in assessment.scoring_result.triage_reasons])
    if maternity:
        banner = STATUS_BANNERS[MATERNITY_RESULT]
    elif emergency:
        banner = STATUS_BANNERS[EMERGENCY_RESULT]
    elif stopped:
        banner = STATUS_BANNERS[builder.STOPPED]
    elif program.status == builder.GENTLE:
        banner = STATUS_BANNERS[(builder.GENTLE, program.tier)]
    else:
        banner = None
    return {
        "status": program.status,
        "is_emergency_result": emergency,
        "maternity": maternity,
        "stopped": stopped,
        "banner": banner,
        "when_to_act": program.when_to_act,
        "reasons": program.reasons,
        "finished": program.finished,
        "plan_weeks": builder.PROGRAM_WEEKS,
        "plan_days": builder.PROGRAM_WEEKS * builder.DAYS_PER_WEEK,
        "start": program.start,
        "end": program.days[-1].date if program.days else None,
    }


def how_to_cards(program: builder.Program, library: list[builder.ExerciseSpec]) -> dict[str, dict]:
    """The how-to card of every exercise the plan uses, by slug (none once the plan is stopped)."""
    if program.status == builder.STOPPED:
        return {}
    # "Too hard? Try ..." and "later, the harder version" name only exercises this runner's flags
    # allow, and only gentle ones while the plan is limited to gentle movement.
    variants = {
        e.slug: e for e in library if builder.allowed(e, program.flags) and (e.gentle or program.status == builder.FULL)
    }
    return {e.slug: present_exercise(e, variants) for e in program.exercises}


def week_strip(program: builder.Program, check_ins: list[CheckIn]) -> list[dict]:
    """This week at a glance: each day's kind, and for the days gone by whether the runner checked in."""
    today = program.as_of
    week = next((w for w in program.weeks if any(d.date == today for d in w.days)), None)
    if week is None or program.status == builder.STOPPED:
        return []
    by_day = {c.day: c for c in check_ins}
    cells = []
    for day in week.days:
        check_in = by_day.get(day.date)
        said = [f"{day.date:%A} {builder.day_month(day.date)}{' (today)' if day.date == today else ''}: "]
        said.append(DAY_WORDS[day.kind].lower() + (f", about {day.minutes} minutes" if day.minutes else ""))
        if check_in:
            said.append(f"; checked in, routine done: {DONE_WORDS[check_in.routine_done].lower()}")
        cells.append(
            {
                "kind": day.kind,
                "name": f"{day.date:%a}",
                "number": str(day.date.day),
                "said": "".join(said),
                "is_today": day.date == today,
                "is_past": day.date < today,
                "done": check_in.routine_done if check_in else None,
                "anchor": f"day-{day.number}",
            }
        )
    return cells


def present_today_page(
    assessment,
    program: builder.Program,
    check_ins: list[CheckIn],
    library: list[builder.ExerciseSpec],
    ticked: frozenset[str] = frozenset(),
) -> dict:
    """The daily page, in the order it shows it: the banner, today, this week, progress; the rest folded."""
    status = present_status(assessment, program)
    cards = how_to_cards(program, library)
    today = program.today if program.today and not status["stopped"] else None
    day = present_day(today, program.as_of, cards, ticked) if today else None
    week = week_strip(program, check_ins)
    if day and status["banner"]:
        # A gentle plan's reasons are the banner's: said once, there.
        day["reasons"] = [r for r in day["reasons"] if r not in program.reasons]
    return {
        **status,
        "tailoring": present_tailoring(program, library),
        "today": day,
        "today_check_in": next((c for c in check_ins if c.day == program.as_of), None),
        "week": week,
        "week_legend": [{"kind": k, "words": DAY_WORDS[k]} for k in dict.fromkeys(c["kind"] for c in week)],
        "week_number": today.week if today and not program.finished else None,
        # Earlier changes, newest first: today's own are what today's status and the banner say.
        "notices": sorted((n for n in program.notices if n.day != program.as_of), key=lambda n: n.day, reverse=True),
        "advice": program.advice,
        "chart": pain_chart(
            program.start, assessment.pain_now, check_ins, len(program.days) or builder.PROGRAM_WEEKS * 7
        ),
    }


def tick_grid(days: list[builder.Day]) -> list[dict]:
    """A week on paper: one row per exercise, one column per day, a box where the day holds it."""
    rows: dict[str, dict] = {}
    for column, day in enumerate(days):
        for entry in day.warm_up + day.exercises:
            row = rows.setdefault(
                entry.slug,
                {"slug": entry.slug, "name": entry.name, "dosage": entry.dosage_text, "days": [False] * len(days)},
            )
            row["days"][column] = True
    return list(rows.values())


def present_plan(assessment, program: builder.Program, library: list[builder.ExerciseSpec]) -> dict:
    """The whole plan (its page and its print): the weeks, then how to do each exercise once."""
    status = present_status(assessment, program)
    cards = how_to_cards(program, library)
    today = program.as_of
    weeks = []
    if not status["stopped"]:
        for week in program.weeks:
            weeks.append(
                {
                    "number": week.number,
                    "note": week.note,
                    "days": [present_day(d, today, cards) for d in week.days],
                    "grid": tick_grid(week.days),
                    "first": week.days[0].date,
                    "last": week.days[-1].date,
                    "is_current": any(d.date == today for d in week.days),
                }
            )
    return {
        **status,
        "tailoring": present_tailoring(program, library),
        "weeks": weeks,
        "easy_days_per_week": builder.WEEK_PATTERN.count(builder.EASY),
        "uncovered": [f for f in program.focus if not f.covered],
        "exercises": list(cards.values()),
        "advice": program.advice,
    }


def my_data(assessment, check_ins: list[CheckIn], ticks: list, adjustments: list[PlanAdjustment]) -> dict:
    """Everything the site stores about a runner, for them to download (the private token is
    their own link: it is in the file so that they know which result it is)."""
    answers = assessment.answers
    return {
        "about": (
            "Everything Runner's back check stores about you: your answers, the result worked out from them, "
            "your check-ins, the exercises you ticked done and the changes your clinic made to your plan (the "
            "clinic's own notes and reasons are its record, not in this file). Delete it all from your result page."
        ),
        "downloaded": timezone.now().isoformat(timespec="seconds"),
        "private_link": assessment.get_absolute_url(),
        "answered": timezone.localtime(assessment.created).isoformat(timespec="seconds"),
        "questionnaire_version": assessment.questionnaire_version,
        "shared_with_clinic": assessment.clinic.name if assessment.clinic_id else None,
        "answers": answers,
        "answers_in_words": [
            {"section": s["title"], "answers": [{"question": r.question, "answer": r.answer} for r in s["rows"]]}
            for s in present_answers(answers, assessment.questionnaire_version)
        ],
        "result": assessment.result,
        "check_ins": [
            {
                "day": c.day.isoformat(),
                "pain": c.pain_now,
                "routine_done": c.routine_done,
                "run": c.run,
                "distance": float(c.distance) if c.distance is not None else None,
                "warning_signs": c.warning_signs,
                "note": c.note,
            }
            for c in check_ins
        ],
        "exercises_ticked_done": [{"day": t.day.isoformat(), "exercise": t.exercise} for t in ticks],
        "plan_changes_by_your_clinic": [
            {"day": a.day.isoformat(), "change": adjustment_words(a, reasons=False)} for a in adjustments
        ],
    }


def dosage_words(a: PlanAdjustment) -> str:
    """A dosage the clinic set, in the words the plan uses ("2 sets: 10 repetitions")."""
    return builder.Dosage(a.sets or 1, a.reps, a.hold_seconds, False, 0, a.minutes or 0).text


def adjustment_words(a: PlanAdjustment, reasons: bool = True) -> str:
    """One change to the plan in words (the log on the review and tailoring pages); without the
    clinician's reasons (`reasons=False`: the clinic's own record) for the runner's download."""
    name = f"“{a.exercise_name or a.exercise}”"
    action = builder.Adjust(a.action)
    if action == builder.Adjust.ADD:
        words = f"added {name}"
        if not reasons:
            return words
        if a.overrides:
            cautions = "; ".join(CAUTION_TEXT.get(code, code).lower() for code in a.overrides)
            words += f" despite its caution ({cautions}), because: {a.reason}"
        elif a.reason:
            words += f" ({a.reason})"
        return words
    if action == builder.Adjust.DOSAGE:
        if a.sets is None and a.minutes is None:
            return f"dosage of {name} back to the plan's own"
        return f"dosage of {name} set to {dosage_words(a)}, every week"
    if action == builder.Adjust.NOTE:
        return f"note to the runner: “{a.note}”" if a.note else "note to the runner removed"
    words = {
        builder.Adjust.LEAVE_OUT: f"left out {name}",
        builder.Adjust.PUT_BACK: f"put {name} back",
        builder.Adjust.PAUSE: "paused the plan",
        builder.Adjust.RESUME: "resumed the plan",
    }[action]
    return words + (f" ({a.reason})" if a.reason and reasons else "")


def present_tailoring(program: builder.Program, library: list[builder.ExerciseSpec]) -> dict | None:
    """What the runner sees of the clinic's adjustments: who, since when, the note, and what changed
    in their own words; None when the clinic changed nothing (or the plan is stopped)."""
    t = program.tailoring
    if not t.adjusted or program.status == builder.STOPPED:
        return None
    names = {e.slug: e.name for e in library}
    changes = []
    # A pause is said by each day of the plan ("Plan paused by ..."), not again here.
    to_come = [d for d in program.days if d.date >= program.as_of] + ([program.today] if program.today else [])
    on_days = {e.slug for d in to_come for e in d.warm_up + d.exercises}
    if added := [names[s] for s in t.added if s in names and s in on_days]:
        changes.append(f"Added: {', '.join(added)}.")
    if later := [names[s] for s in t.added if s in names and s not in on_days and not t.paused]:
        changes.append(f"Added for when your plan allows it again: {', '.join(later)}.")
    if left_out := sorted(names[s] for s in t.left_out if s in names):
        changes.append(f"Left out: {', '.join(left_out)}.")
    if dosed := [names[s] for s in t.dosages if s in names and s in on_days]:
        changes.append(f"Dosage set by your clinic, the same each week: {', '.join(dosed)}.")
    return {"by": t.by or "your clinic", "since": t.since, "note": t.note, "changes": changes, "paused": t.paused}
