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
from assessments.answers import MAY_BE_ABSENT
from review.chunks import in_chunks

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
# there). The skip rules leave whole sections or single questions out, so those stay optional:
# a stored response never contradicts it. Earlier versions keep their own list (versions/*.json).


def _definition(version: str) -> qn.Definition:
    """The questionnaire of `version` (the current one for a version this code does not know)."""
    definition = qn.definition(version)
    if definition is None or definition.version == qn.QUESTIONNAIRE_VERSION:
        return qn.Definition(qn.QUESTIONNAIRE_VERSION, qn.SECTIONS, MAY_BE_ABSENT)
    return definition


def canonical_url(base_url: str) -> str:
    return base_url + QUESTIONNAIRE_PATH


def answer_system(base_url: str, question: qn.Question) -> str:
    # One code system per question: the same code means different things in different
    # questions ("none" is "Never" for strength training, "Not at all" for worry).
    return f"{base_url}{ANSWERS_PATH}/{question.code}"


def _coding(base_url: str, question: qn.Question, code: str) -> dict:
    return {"system": answer_system(base_url, question), "code": code, "display": question.choice_label(code)}


def _question_item(base_url: str, question: qn.Question, may_be_absent: frozenset[str]) -> dict:
    item = {
        "linkId": question.code,
        "text": question.label,
        "type": ITEM_TYPES[question.type],
        "required": question.required and question.code not in may_be_absent,
    }
    if question.type == qn.MULTI:
        item["repeats"] = True
    if question.choices:
        item["answerOption"] = [{"valueCoding": _coding(base_url, question, code)} for code, _ in question.choices]
    if question.max_length is not None:
        item["maxLength"] = question.max_length
    return item


def questionnaire_resource(base_url: str, version: str = qn.QUESTIONNAIRE_VERSION) -> dict:
    """The questionnaire of `version`: one group per section, one item per question."""
    definition = _definition(version)
    groups = []
    for section in definition.sections:
        items = [_question_item(base_url, question, definition.may_be_absent) for question in section.questions]
        required = section.code not in definition.may_be_absent and any(item["required"] for item in items)
        groups.append(
            {"linkId": section.code, "text": section.title, "type": "group", "required": required, "item": items}
        )
    return {
        "resourceType": "Questionnaire",
        "url": canonical_url(base_url),
        "version": definition.version,
        "name": "RunnerBackCheck",
        "title": "Back-pain check for runners",
        # Earlier versions are still the definition of the answers stored under them.
        "status": "active" if version == qn.QUESTIONNAIRE_VERSION else "retired",
        "item": groups,
    }


def _answers(base_url: str, question: qn.Question, value) -> list[dict]:
    """The FHIR answers for a stored value: none when blank or not what the question allows."""
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
    """One assessment's answers, grouped by section as its own version of the questionnaire
    had them; questions left unanswered are left out."""
    definition = _definition(assessment.questionnaire_version)
    groups = []
    for section in definition.sections:
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


BUNDLE_END = "]}"


def bundle_start(base_url: str) -> Iterator[str]:
    """The Bundle's opening and the questionnaire of every version (entries follow with a comma)."""
    timestamp = timezone.now().isoformat(timespec="seconds")
    yield f'{{"resourceType":"Bundle","type":"collection","timestamp":"{timestamp}","entry":['
    # Every version, so that each response's questionnaire is in the Bundle, whatever its age.
    for n, version in enumerate((qn.QUESTIONNAIRE_VERSION, *reversed(qn.archived_versions()))):
        questionnaire = questionnaire_resource(base_url, version)
        yield ("," if n else "") + _entry(f"{questionnaire['url']}|{questionnaire['version']}", questionnaire)


def bundle_entries(queryset, base_url: str) -> Iterator[str]:
    """One entry per assessment of the queryset, each after a comma, read in chunks."""
    # Only what the response needs: the stored result is large and not exported.
    rows = queryset.select_related(None).only("pk", "token", "created", "questionnaire_version", "answers")
    for assessment in in_chunks(rows, CHUNK):
        # From the primary key, not the 8-character reference that two assessments could share:
        # fullUrls must be unique within a Bundle.
        name = f"{base_url}fhir/QuestionnaireResponse/{assessment.pk}"
        yield "," + _entry(name, questionnaire_response(assessment, base_url))


def bundle_chunks(queryset, base_url: str) -> Iterator[str]:
    """A FHIR collection Bundle of the questionnaire and the queryset's responses, as JSON text
    streamed one entry at a time, so that memory stays flat however many are exported."""
    yield from bundle_start(base_url)
    yield from bundle_entries(queryset, base_url)
    yield BUNDLE_END
