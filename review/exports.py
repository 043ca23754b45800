"""The CSV export of assessments: one row per assessment, streamed.

Rows are read from the database in chunks and written one at a time, so memory stays flat
however many assessments are exported. Column names are stable codes (question codes,
imbalance codes) so that a clinic's spreadsheet or script keeps working across versions.
"""

import csv
from collections.abc import Iterable, Iterator

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessments import questionnaire as qn
from assessments.answers import WARNING_SIGNS
from assessments.scoring import CATALOGUE
from programs.models import CheckIn, latest_check_in_day

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

HEADER = (
    ["reference", "created", "clinic", "nickname", "questionnaire_version", "triage", "tier"]
    + ["rest_day", "see_professional", "check_in_warning_sign_day", "pain_now", "top_imbalance"]
    + [f"answer_{code}" for code in KEY_ANSWERS]
    + ["warning_signs"]
    + [f"score_{imbalance.code}" for imbalance in CATALOGUE]
    + ["caution_flags", "triage_reasons", "check_ins", "latest_check_in", "latest_pain"]
    + ["reviewed", "reviewed_by", "reviewed_at", "follow_up", "clinician_notes"]
)


def safe_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        value = ";".join(str(v) for v in value)
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def row_of(assessment) -> list[str]:
    answers, result = assessment.answers, assessment.scoring_result
    scores = {imbalance.code: imbalance.score for imbalance in result.imbalances}
    created = timezone.localtime(assessment.created)
    reviewed_at = timezone.localtime(assessment.reviewed_at) if assessment.reviewed_at else None
    values = (
        [assessment.reference, created.isoformat(timespec="seconds"), assessment.clinic, assessment.nickname]
        + [assessment.questionnaire_version, assessment.triage, assessment.tier]
        + [assessment.rest_day, assessment.needs_professional, assessment.warning_sign_day]
        + [assessment.pain_now, assessment.top_imbalance]
        + [answers.get(code) for code in KEY_ANSWERS]
        + [[code for code, value in answers.items() if value is True and code in SIGN_CODES]]
        + [scores.get(imbalance.code, 0) for imbalance in CATALOGUE]
        + [[flag.code for flag in result.flags]]
        + [" | ".join(reason.text for reason in result.triage_reasons)]
        + [assessment.check_in_count, assessment.last_check_in_day, assessment.last_check_in_pain]
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


def csv_rows(queryset) -> Iterator[str]:
    """One line per assessment of the queryset, read from the database in chunks."""
    latest = CheckIn.objects.filter(assessment=OuterRef("pk")).order_by("-day")
    rows: Iterable = (
        queryset.select_related("clinic", "reviewed_by")
        .annotate(
            check_in_count=Coalesce(
                Subquery(
                    CheckIn.objects.filter(assessment=OuterRef("pk"))
                    .order_by()
                    .values("assessment")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            ),
            last_check_in_day=latest_check_in_day(),
            last_check_in_pain=Subquery(latest.values("pain_now")[:1]),
        )
        .iterator(chunk_size=CHUNK)
    )
    writer = csv.writer(_Echo())
    for assessment in rows:
        yield writer.writerow(row_of(assessment))


def csv_lines(queryset) -> Iterator[str]:
    """The CSV export of the queryset, line by line: the header, then one row per assessment."""
    yield csv_header()
    yield from csv_rows(queryset)
