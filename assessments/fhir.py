"""The FHIR R4 export of assessments, so that a clinic can load results into its record system.

Clinical record systems read FHIR, not our answer codes: the export is a Bundle holding the
Questionnaire (our questions in FHIR terms) and one QuestionnaireResponse per assessment.
It is pure presentation of stored data: nothing is scored, checked or changed here. An
assessment is identified by its reference only, never by the runner's private token.
"""

import json
import uuid
from collections.abc import Iterator

from django.utils import timezone

from assessments import questionnaire as qn
from assessments.answers import EXCUSED_BY_EMERGENCY, SKIPS

QUESTIONNAIRE_PATH = "fhir/Questionnaire/runner-back-check"
ANSWERS_PATH = "fhir/CodeSystem/runner-back-check-answers"
REFERENCE_PATH = "fhir/assessment-reference"
CHUNK = 500

ITEM_TYPES = {
    qn.BOOL: "boolean",
    qn.CHOICE: "choice",
    qn.MULTI: "choice",
    qn.INT: "integer",
    qn.NUMBER: "decimal",
    qn.TEXT: "string",
}

# FHIR's `required` means "in every completed response" (for a question: whenever its group is
# there). The skip rules leave whole sections or single questions out, and an emergency sign
# excuses the fall question, so those stay optional: a stored response never contradicts it.
MAY_BE_ABSENT = frozenset(skip.what for skip in SKIPS) | EXCUSED_BY_EMERGENCY


def canonical_url(base_url: str) -> str:
    return base_url + QUESTIONNAIRE_PATH


def answer_system(base_url: str, question: qn.Question) -> str:
    # One code system per question: the same code means different things in different
    # questions ("none" is "Never" for strength training, "Not at all" for worry).
    return f"{base_url}{ANSWERS_PATH}/{question.code}"


def _coding(base_url: str, question: qn.Question, code: str) -> dict:
    return {"system": answer_system(base_url, question), "code": code, "display": question.choice_label(code)}


def _question_item(base_url: str, question: qn.Question) -> dict:
    item = {
        "linkId": question.code,
        "text": question.label,
        "type": ITEM_TYPES[question.type],
        "required": question.required and question.code not in MAY_BE_ABSENT,
    }
    if question.type == qn.MULTI:
        item["repeats"] = True
    if question.choices:
        item["answerOption"] = [{"valueCoding": _coding(base_url, question, code)} for code, _ in question.choices]
    if question.max_length is not None:
        item["maxLength"] = question.max_length
    return item


def questionnaire_resource(base_url: str) -> dict:
    """The questionnaire of QUESTIONNAIRE_VERSION: one group per section, one item per question."""
    groups = []
    for section in qn.SECTIONS:
        items = [_question_item(base_url, question) for question in section.questions]
        required = section.code not in MAY_BE_ABSENT and any(item["required"] for item in items)
        groups.append(
            {"linkId": section.code, "text": section.title, "type": "group", "required": required, "item": items}
        )
    return {
        "resourceType": "Questionnaire",
        "url": canonical_url(base_url),
        "version": qn.QUESTIONNAIRE_VERSION,
        "name": "RunnerBackCheck",
        "title": "Back-pain check for runners",
        "status": "active",
        "item": groups,
    }


def _answers(base_url: str, question: qn.Question, value) -> list[dict]:
    """The FHIR answers for a stored value: none when blank or not what the question allows
    (answers stored under an older version of the questionnaire may not fit this one)."""
    if qn.is_blank(value):
        return []
    if question.type == qn.BOOL:
        return [{"valueBoolean": value}] if isinstance(value, bool) else []
    if question.type in (qn.CHOICE, qn.MULTI):
        codes = value if question.type == qn.MULTI and isinstance(value, list) else [value]
        known = question.choice_codes()
        return [{"valueCoding": _coding(base_url, question, c)} for c in codes if isinstance(c, str) and c in known]
    if isinstance(value, bool):  # a bool is an int to Python, never a number to us
        return []
    if question.type == qn.INT:
        return [{"valueInteger": value}] if isinstance(value, int) else []
    if question.type == qn.NUMBER:
        return [{"valueDecimal": value}] if isinstance(value, (int, float)) else []
    return [{"valueString": value.strip()}] if isinstance(value, str) and value.strip() else []


def questionnaire_response(assessment, base_url: str) -> dict:
    """One assessment's answers, grouped by section; questions left unanswered are left out."""
    groups = []
    for section in qn.SECTIONS:
        items = []
        for question in section.questions:
            if answers := _answers(base_url, question, assessment.answers.get(question.code)):
                items.append({"linkId": question.code, "text": question.label, "answer": answers})
        if items:  # a section with no answer is left out, like an unanswered question
            groups.append({"linkId": section.code, "text": section.title, "item": items})
    return {
        "resourceType": "QuestionnaireResponse",
        "identifier": {"system": base_url + REFERENCE_PATH, "value": assessment.reference},
        # Each response names the version it was answered with, even one older than the export's.
        "questionnaire": f"{canonical_url(base_url)}|{assessment.questionnaire_version}",
        "status": "completed",
        "authored": timezone.localtime(assessment.created).isoformat(timespec="seconds"),
        "item": groups,
    }


def _entry(full_url_name: str, resource: dict) -> str:
    entry = {"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, full_url_name)}", "resource": resource}
    return json.dumps(entry, ensure_ascii=False, separators=(",", ":"))


def bundle_chunks(queryset, base_url: str) -> Iterator[str]:
    """A FHIR collection Bundle of the questionnaire and the queryset's responses, as JSON text
    streamed one entry at a time, so that memory stays flat however many are exported."""
    questionnaire = questionnaire_resource(base_url)
    timestamp = timezone.now().isoformat(timespec="seconds")
    yield f'{{"resourceType":"Bundle","type":"collection","timestamp":"{timestamp}","entry":['
    yield _entry(f"{questionnaire['url']}|{questionnaire['version']}", questionnaire)
    # Only what the response needs: the stored result is large and not exported.
    rows = queryset.select_related(None).only("pk", "token", "created", "questionnaire_version", "answers")
    for assessment in rows.iterator(chunk_size=CHUNK):
        # From the primary key, not the 8-character reference that two assessments could share:
        # fullUrls must be unique within a Bundle.
        name = f"{base_url}fhir/QuestionnaireResponse/{assessment.pk}"
        yield "," + _entry(name, questionnaire_response(assessment, base_url))
    yield "]}"
