"""The CSV export of assessments: one row per assessment, streamed.

Rows are read from the database in chunks and written one at a time, so memory stays flat
however many assessments are exported. Headers and values are in words for the people who
open the file in a spreadsheet; the coded values a script filters on (triage, tier, top
imbalance, plan, warning signs, caution flags) have a code column beside their words, headed
"... code". Every answer's codes are in the FHIR export.
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessments import questionnaire as qn
from assessments.answers import WARNING_SIGNS, describe
from assessments.models import Assessment
from assessments.scoring import CATALOGUE, CAUTION_WORDS
from programs import builder
from programs.models import CheckIn, PlanAdjustment
from review.chunks import in_chunks

# The answers a clinician most often needs beside the scores (the rest are in the FHIR export).
# Columns stay when a newer questionnaire stops asking a question (runs_per_week, pain_worst_week:
# version 2026.11.1), empty for later rows.
KEY_ANSWERS = (
    "age_band",
    "runs_per_week",
    "weekly_distance",
    "distance_unit",
    "distance_change",
    "sitting_hours",
    "driving_hours",
    "pain_areas",
    "pain_worst_week",
    "pain_duration",
    "trend",
    "home_care_weeks",
    "reason",
    "pregnancy",
)
# The warning signs of every version (a column keeps its codes when the questionnaire changes).
SIGN_CODES = frozenset(WARNING_SIGNS) | {
    q.code
    for version in qn.archived_versions()
    for section in qn.definition(version).sections
    if section.code == "warning"
    for q in section.questions
    if q.type == qn.BOOL and q.code != "no_warning_signs"
}
CHUNK = 500
# A cell starting with one of these is a formula to a spreadsheet: a runner's nickname or a note
# must never run as one (CSV injection), so such cells get a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# The newest wording of each key answer's question (a question an older version asked included).
KEY_QUESTIONS = {
    code: next(
        questions[code]
        for questions in [qn.QUESTIONS, *(qn.definition(v).questions for v in reversed(qn.archived_versions()))]
        if code in questions
    )
    for code in KEY_ANSWERS
}
SIGN_LABELS = {code: qn.label_of(code) for code in SIGN_CODES}
IMBALANCE_LABELS = {imbalance.code: imbalance.label for imbalance in CATALOGUE}
TRIAGE_WORDS = dict(Assessment.Triage.choices)
TIER_WORDS = dict(Assessment.Tier.choices)
PLAN_WORDS = dict(Assessment.Plan.choices)
CHANGE_WORDS = {builder.BETTER: "Better", builder.SAME: "Not a meaningful change", builder.WORSE: "Worse"}

HEADER = (
    ["Reference", "Answered at", "Clinic", "Nickname", "Questionnaire version"]
    + ["Triage", "Triage code", "Tier", "Tier code", "Rest day at the start", "See a professional"]
    + ["Warning sign at a check-in (day)", "Pain at the start", "Top imbalance", "Top imbalance code"]
    + [f"Answer: {KEY_QUESTIONS[code].label}" for code in KEY_ANSWERS]
    + ["Warning signs", "Warning sign codes"]
    + [f"Score: {imbalance.label}" for imbalance in CATALOGUE]
    + ["Caution flags", "Caution flag codes", "Triage reasons"]
    + ["Check-ins", "Latest check-in", "Pain at the latest check-in", "Pain change", "Plan now", "Plan now code"]
    + ["Plan paused by the clinic", "Changes to the plan by the clinic"]
    + ["Reviewed", "Reviewed by", "Reviewed at", "Follow-up", "Clinician notes"]
)


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def answer_words(answers: dict, code: str) -> str | None:
    if code not in answers:
        return None  # not asked in this runner's version, or skipped after an earlier answer
    if code == "weekly_distance":
        return f"{answers[code]:g} {'miles' if answers.get('distance_unit') == 'mi' else 'km'}"
    return describe(code, answers[code], KEY_QUESTIONS)


def row_of(assessment) -> list[str]:
    answers, result = assessment.answers, assessment.scoring_result
    scores = {imbalance.code: imbalance.score for imbalance in result.imbalances}
    created = timezone.localtime(assessment.created)
    reviewed_at = timezone.localtime(assessment.reviewed_at) if assessment.reviewed_at else None
    signs = [code for code, value in answers.items() if value is True and code in SIGN_CODES]
    flags = [flag.code for flag in result.flags]
    start, latest = assessment.pain_now, assessment.latest_pain
    change = builder.pain_change(start, latest) if start is not None and latest is not None else None
    values = (
        [assessment.reference, created.isoformat(timespec="seconds"), assessment.clinic, assessment.nickname]
        + [assessment.questionnaire_version]
        + [TRIAGE_WORDS[assessment.triage], assessment.triage, TIER_WORDS[assessment.tier], assessment.tier]
        + [assessment.rest_day, assessment.needs_professional, assessment.warning_sign_day, start]
        + [IMBALANCE_LABELS.get(assessment.top_imbalance, ""), assessment.top_imbalance]
        + [answer_words(answers, code) for code in KEY_ANSWERS]
        + [[SIGN_LABELS[code] for code in signs], signs]
        + [scores.get(imbalance.code, 0) for imbalance in CATALOGUE]
        + [[CAUTION_WORDS.get(code, code) for code in flags], flags]
        + [" | ".join(reason.text for reason in result.triage_reasons)]
        + [assessment.check_in_count, assessment.latest_check_in, latest, CHANGE_WORDS.get(change)]
        + [PLAN_WORDS[assessment.plan_status], assessment.plan_status]
        + [assessment.plan_paused, assessment.adjustment_count]
        + [assessment.reviewed, assessment.reviewed_by, reviewed_at and reviewed_at.isoformat(timespec="seconds")]
        + [assessment.get_follow_up_display() if assessment.follow_up else "", assessment.clinician_notes]
    )
    return [safe_cell(value) for value in values]


class _Echo:
    """csv.writer writes into this and gets the line back, so nothing accumulates."""

    def write(self, value):
        return value


def csv_header() -> str:
    """The header line (with a byte-order mark for spreadsheets)."""
    return "\ufeff" + csv.writer(_Echo()).writerow(HEADER)


def count_of(model):
    """How many rows of `model` each assessment has, as an annotation (a subquery, no join)."""
    rows = model.objects.filter(assessment=OuterRef("pk")).order_by().values("assessment")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")), 0)


def csv_rows(queryset) -> Iterator[str]:
    """One line per assessment of the queryset, read from the database in chunks."""
    rows: Iterable = queryset.select_related("clinic", "reviewed_by").annotate(
        check_in_count=count_of(CheckIn), adjustment_count=count_of(PlanAdjustment)
    )
    writer = csv.writer(_Echo())
    for assessment in in_chunks(rows, CHUNK):
        yield writer.writerow(row_of(assessment))


def csv_lines(queryset) -> Iterator[str]:
    """The CSV export of the queryset, line by line: the header, then one row per assessment."""
    yield csv_header()
    yield from csv_rows(queryset)
