"""The FHIR R4 export of assessments, so that a clinic can load results into its record system:
a Bundle holding the Questionnaire of every version, one QuestionnaireResponse per assessment
(the resources are assessments.fhir's) and, for each one with an exercise plan, a CarePlan
that says its state and the clinic's adjustments; streamed one entry at a time.
"""

import json
import uuid
from collections.abc import Iterator
from datetime import timedelta

from django.utils import timezone

from assessments import questionnaire as qn
from assessments.fhir import REFERENCE_PATH, questionnaire_resource, questionnaire_response
from assessments.models import Assessment
from assessments.scoring import EMERGENCY
from programs import builder
from programs.presenters import CAUTION_TEXT, dosage_words
from review.chunks import in_chunks

CHUNK = 500


def _entry(full_url_name: str, resource: dict) -> str:
    entry = {"fullUrl": full_url(full_url_name), "resource": resource}
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


BUNDLE_END = "]}"


def bundle_start(base_url: str) -> Iterator[str]:
    """The Bundle's opening and the questionnaire of every version (entries follow with a comma)."""
    timestamp = timezone.now().isoformat(timespec="seconds")
    yield f'{{"resourceType":"Bundle","type":"collection","timestamp":"{timestamp}","entry":['
    # Every version, so that each response's questionnaire is in the Bundle, whatever its age.
    for n, version in enumerate((qn.QUESTIONNAIRE_VERSION, *reversed(qn.archived_versions()))):
        questionnaire = questionnaire_resource(base_url, version)
        yield ("," if n else "") + _entry(f"{questionnaire['url']}|{questionnaire['version']}", questionnaire)


def full_url(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


PLAN_DAYS = builder.PROGRAM_WEEKS * builder.DAYS_PER_WEEK


def care_plan(assessment, base_url: str, response_url: str, today) -> dict | None:
    """The assessment's 4-week exercise plan as a CarePlan (none after an emergency result): its
    state today, and each adjustment of the clinic in force, as an activity in words. The plan's
    exercises follow from the answers (the response) and the app's library; the clinic's
    adjustments and its note are what no one could work out again."""
    if assessment.tier == EMERGENCY:
        return None
    adjustments = list(assessment.adjustments.all())  # prefetched
    clinic = assessment.clinic.name if assessment.clinic_id else "the clinic"
    t = builder.tailoring_on([a.as_spec() for a in adjustments], today, clinic)
    named = {a.exercise: a.exercise_name or a.exercise for a in adjustments if a.exercise}
    dosed = {a.exercise: a for a in adjustments if a.action == builder.Adjust.DOSAGE}  # the newest of each
    start = timezone.localdate(assessment.created)
    end = start + timedelta(days=PLAN_DAYS - 1)
    if assessment.plan_status == builder.STOPPED:
        status, doing = "revoked", "stopped"
    elif t.paused:
        status, doing = "on-hold", "on-hold"
    else:
        status, doing = ("completed", "completed") if today > end else ("active", "in-progress")
    activities = []
    for slug in sorted(t.left_out):  # a "do not" in force, as long as the plan is
        name = named[slug]
        activities.append(_activity(name, doing, f"Left out by {clinic}: {name}.", do_not_perform=True))
    for slug in t.added:
        a = next(a for a in reversed(adjustments) if a.exercise == slug and a.action == builder.Adjust.ADD)
        words = f"Added by {clinic}: {a.exercise_name}."
        if a.overrides:
            cautions = "; ".join(CAUTION_TEXT.get(code, code).lower() for code in a.overrides)
            words += f" Added despite its caution ({cautions}), because: {a.reason}"
        activities.append(_activity(a.exercise_name, doing, words))
    for slug in sorted(set(t.dosages) - t.left_out):
        a = dosed[slug]
        words = f"Dosage set by {clinic}, every week: {a.exercise_name}, {dosage_words(a)}."
        activities.append(_activity(a.exercise_name, doing, words))
    plan = {
        "resourceType": "CarePlan",
        "identifier": [{"system": base_url + REFERENCE_PATH, "value": assessment.reference}],
        "status": status,
        "intent": "plan",
        "title": f"{builder.PROGRAM_WEEKS}-week home exercise plan for low-back pain",
        "description": (
            f"Stretches and exercises chosen by Runner's back check from the runner's answers; "
            f"plan today: {Assessment.Plan(assessment.plan_status).label.lower()}"
            + (", paused by the clinic" if t.paused else "")
            + (
                f". Adjusted by {clinic}: {len(adjustments)} change{'s' * (len(adjustments) != 1)}."
                if adjustments
                else "."
            )
        ),
        "subject": {"display": f"The runner of assessment {assessment.reference}"},
        "period": {"start": start.isoformat(), "end": end.isoformat()},
        "created": timezone.localtime(assessment.created).isoformat(timespec="seconds"),
        "supportingInfo": [{"reference": response_url}],
    }
    if t.note:
        plan["note"] = [{"text": f"Note to the runner from {clinic}: {t.note}"}]
    if activities:
        plan["activity"] = activities
    return plan


def _activity(name: str, status: str, description: str, do_not_perform: bool = False) -> dict:
    detail = {"code": {"text": name}, "status": status, "description": description}
    if do_not_perform:
        detail["doNotPerform"] = True
    return {"detail": detail}


def bundle_entries(queryset, base_url: str) -> Iterator[str]:
    """The entries of each assessment of the queryset (its response, and its plan), one text per
    assessment, each entry after a comma, read in chunks."""
    # Only what the response and the plan need: the stored result is large and not exported.
    rows = (
        queryset.select_related(None)
        .select_related("clinic")
        .only("pk", "token", "created", "questionnaire_version", "answers", "tier", "plan_status", "clinic__name")
        .prefetch_related("adjustments")
    )
    today = timezone.localdate()
    for assessment in in_chunks(rows, CHUNK):
        # From the primary key, not the 8-character reference that two assessments could share:
        # fullUrls must be unique within a Bundle.
        name = f"{base_url}fhir/QuestionnaireResponse/{assessment.pk}"
        text = "," + _entry(name, questionnaire_response(assessment, base_url))
        if plan := care_plan(assessment, base_url, full_url(name), today):
            text += "," + _entry(f"{base_url}fhir/CarePlan/{assessment.pk}", plan)
        yield text


def bundle_chunks(queryset, base_url: str) -> Iterator[str]:
    """A FHIR collection Bundle of the questionnaire and the queryset's responses, as JSON text
    streamed one entry at a time, so that memory stays flat however many are exported."""
    yield from bundle_start(base_url)
    yield from bundle_entries(queryset, base_url)
    yield BUNDLE_END
