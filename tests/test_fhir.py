"""The FHIR export, checked by an independent library: fhir.resources' R4 (4.0.1) models.

fhir.resources checks structure and data types; `misfits()` below checks what it does not:
that each response only says what its Questionnaire allows.
"""

import json
from decimal import Decimal

import fhir.resources
import pytest
from fhir.resources.bundle import Bundle
from fhir.resources.questionnaire import Questionnaire
from fhir.resources.questionnaireresponse import QuestionnaireResponse

from assessments import questionnaire as qn
from assessments.fhir import bundle_chunks, questionnaire_resource, questionnaire_response
from assessments.models import Assessment
from tests.personas import DROP, runner_with

BASE = "https://back.example.org/"
CANONICAL = BASE + "fhir/Questionnaire/runner-back-check"
NOT_ASKED_AFTER_EMERGENCY = {q.code: DROP for s in (qn.OUTLOOK, qn.SELF_TESTS) for q in s.questions}

PERSONAS = {
    "typical runner": {},
    "emergency sign": {
        **NOT_ASKED_AFTER_EMERGENCY,
        "saddle_numbness": True,
        "bladder_bowel": True,
        "recent_fall": DROP,
    },
    "movement checks done": {
        "hip_flexor_test": "one_side",
        "hamstring_test": "toes",
        "hip_control_test": "both_sides",
        "plank_seconds": 45,
        "side_plank_left_seconds": 30,
        "side_plank_right_seconds": 20,
        "wall_head": "touches",
        "wall_low_back": "could_not",
        "knee_to_wall_cm": 8.5,
    },
    "pain in several areas, into the leg": {
        "pain_areas": ["lower_back_one_side", "buttock", "below_knee"],
        "pain_when": ["during_runs", "sitting", "night"],
        "hamstring_test": DROP,  # not asked with nerve signs
    },
    "counts in miles": {"distance_unit": "mi", "weekly_distance": 15.5, "longest_run": 6.2},
    "high pain, no nickname": {
        **{q.code: DROP for q in qn.SELF_TESTS.questions},
        "pain_now": 8,
        "pain_worst_week": 9,
        "nickname": "",
        "first_episode": False,
    },
}
VALUE_KEYS = {
    "boolean": "valueBoolean",
    "choice": "valueCoding",
    "integer": "valueInteger",
    "decimal": "valueDecimal",
    "string": "valueString",
}


def stored(overrides=None, **more) -> Assessment:
    """An assessment as the export reads it back from the database."""
    return Assessment.objects.get(pk=Assessment.objects.create_from_answers(runner_with(overrides, **more)).pk)


def misfits(questionnaire: dict, response: dict) -> list[str]:
    """What in the response its Questionnaire does not allow (nothing when it fits)."""
    problems = []
    if response["questionnaire"].split("|")[0] != questionnaire["url"]:
        problems.append(f"answers another questionnaire: {response['questionnaire']}")

    def walk(asked: list[dict], given: list[dict], where: str):
        by_link = {item["linkId"]: item for item in asked}
        links = [item["linkId"] for item in given]
        if links != [link for link in by_link if link in links]:
            problems.append(f"{where}: items repeated or out of order: {links}")
        for item in asked:
            if item.get("required") and item["linkId"] not in links:
                problems.append(f"{where}/{item['linkId']}: required but missing")
        for item in given:
            link, definition = item["linkId"], by_link.get(item["linkId"])
            if definition is None:
                problems.append(f"{where}/{link}: not in the questionnaire")
            elif definition["type"] == "group":
                if "answer" in item or not item.get("item"):
                    problems.append(f"{where}/{link}: a group needs items and no answer")
                else:
                    walk(definition["item"], item["item"], f"{where}/{link}")
            else:
                check_answers(definition, item.get("answer", []), f"{where}/{link}")

    def check_answers(definition: dict, answers: list[dict], where: str):
        if not answers or "item" in answers[0]:
            problems.append(f"{where}: no answer")
        if len(answers) > 1 and not definition.get("repeats"):
            problems.append(f"{where}: several answers to a question that does not repeat")
        options = [option["valueCoding"] for option in definition.get("answerOption", [])]
        for answer in answers:
            [(key, value)] = answer.items()
            if key != VALUE_KEYS[definition["type"]]:
                problems.append(f"{where}: {key} answers a {definition['type']} question")
            elif key == "valueCoding" and value not in options:
                problems.append(f"{where}: {value} is not an answer option")
            elif key == "valueString" and len(value) > definition.get("maxLength", len(value)):
                problems.append(f"{where}: longer than maxLength")

    walk(questionnaire["item"], response["item"], "")
    return problems


def answers_in(response: QuestionnaireResponse) -> dict:
    """The answers read back from a parsed response, by question code, as the app stores them."""
    found = {}
    for group in response.item:
        for item in group.item:
            values = []
            for answer in item.answer:
                if answer.valueCoding is not None:
                    values.append(answer.valueCoding.code)
                else:
                    values.append(
                        next(
                            v
                            for v in (answer.valueBoolean, answer.valueInteger, answer.valueString, answer.valueDecimal)
                            if v is not None
                        )
                    )
            values = [float(v) if isinstance(v, Decimal) else v for v in values]
            found[item.linkId] = values if qn.QUESTIONS[item.linkId].type == qn.MULTI else values[0]
    return found


def exported(queryset) -> tuple[list[str], str]:
    chunks = list(bundle_chunks(queryset, BASE))
    return chunks, "".join(chunks)


def test_the_validator_is_fhir_r4():
    assert fhir.resources.__fhir_version__ == "4.0.1"


def test_the_questionnaire_is_valid_r4_with_one_item_per_question():
    resource = questionnaire_resource(BASE)
    parsed = Questionnaire.parse_obj(resource)

    assert parsed.url == CANONICAL
    assert parsed.version == qn.QUESTIONNAIRE_VERSION
    assert parsed.status == "active"
    assert [group.linkId for group in parsed.item] == [s.code for s in qn.SECTIONS]
    assert all(group.type == "group" for group in parsed.item)
    assert [item.linkId for group in parsed.item for item in group.item] == list(qn.QUESTIONS)


def test_each_question_has_its_type_label_and_answer_options():
    items = {
        item.linkId: item for group in Questionnaire.parse_obj(questionnaire_resource(BASE)).item for item in group.item
    }
    expected_types = {
        "bool": "boolean",
        "choice": "choice",
        "multi": "choice",
        "int": "integer",
        "number": "decimal",
        "text": "string",
    }
    for code, question in qn.QUESTIONS.items():
        item = items[code]
        assert item.text == question.label
        assert item.type == expected_types[question.type], code
        assert bool(item.repeats) == (question.type == qn.MULTI), code
        assert item.maxLength == question.max_length
        options = [(o.valueCoding.code, o.valueCoding.display) for o in item.answerOption or []]
        assert options == list(question.choices), code
    assert (
        items["pain_areas"].answerOption[0].valueCoding.system
        == BASE + "fhir/CodeSystem/runner-back-check-answers/pain_areas"
    )


def test_only_questions_that_every_response_answers_are_required():
    resource = questionnaire_resource(BASE)
    groups = {group["linkId"]: group for group in resource["item"]}
    required = {item["linkId"] for group in resource["item"] for item in group["item"] if item["required"]}

    assert {"consent", "age_band", "pain_areas", "pain_now", "hip_flexor_test", "worry"} <= required
    # Optional in the questionnaire, skipped by a rule (nerve signs), or excused by an emergency sign.
    assert not {"nickname", "plank_seconds", "no_warning_signs", "hamstring_test", "recent_fall"} & required
    # Whole sections that an emergency sign or a high pain score leave out.
    assert not groups["outlook"]["required"] and not groups["selftests"]["required"]
    assert groups["pain"]["required"] and not groups["warning"]["required"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_each_persona_gives_a_valid_r4_response_that_fits_the_questionnaire(persona):
    assessment = stored(PERSONAS[persona])
    response = questionnaire_response(assessment, BASE)

    parsed = QuestionnaireResponse.parse_obj(response)
    assert parsed.status == "completed"
    assert parsed.questionnaire == f"{CANONICAL}|{qn.QUESTIONNAIRE_VERSION}"
    assert parsed.identifier.system == BASE + "fhir/assessment-reference"
    assert parsed.identifier.value == assessment.reference
    assert parsed.authored == assessment.created.replace(microsecond=0)
    assert misfits(questionnaire_resource(BASE), response) == []


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_answer_appears_in_the_response_with_its_stored_value(persona):
    assessment = stored(PERSONAS[persona])
    parsed = QuestionnaireResponse.parse_obj(questionnaire_response(assessment, BASE))
    assert answers_in(parsed) == assessment.answers


@pytest.mark.django_db
def test_values_keep_their_fhir_types():
    assessment = stored(
        PERSONAS["counts in miles"], pain_now=4, pain_worst_week=6, leg_weakness=True, pain_areas=["neck", "buttock"]
    )
    items = {
        item["linkId"]: item["answer"]
        for group in questionnaire_response(assessment, BASE)["item"]
        for item in group["item"]
    }

    assert items["pain_now"] == [{"valueInteger": 4}]
    assert items["leg_weakness"] == [{"valueBoolean": True}]
    assert items["consent"] == [{"valueBoolean": True}]
    assert items["weekly_distance"] == [{"valueDecimal": 15.5}]
    assert items["sitting_hours"] == [{"valueDecimal": 4}]
    assert items["nickname"] == [{"valueString": "Sam"}]
    assert [a["valueCoding"]["code"] for a in items["pain_areas"]] == ["neck", "buttock"]
    system = BASE + "fhir/CodeSystem/runner-back-check-answers/distance_unit"
    assert items["distance_unit"] == [{"valueCoding": {"system": system, "code": "mi", "display": "Miles"}}]


@pytest.mark.django_db
def test_a_false_tick_box_is_an_answer_but_blank_and_unknown_answers_are_left_out():
    assessment = stored(first_episode=False)
    assessment.answers.update(pain_when=[], nickname="  ", retired_question="yes", age_band="retired_band")
    response = questionnaire_response(assessment, BASE)
    links = {item["linkId"] for group in response["item"] for item in group["item"]}

    assert "first_episode" in links
    assert not {"pain_when", "nickname", "retired_question", "age_band"} & links


@pytest.mark.django_db
def test_a_response_names_the_questionnaire_version_it_was_answered_with():
    assessment = stored()
    Assessment.objects.filter(pk=assessment.pk).update(questionnaire_version="2025.1.0")
    _, text = exported(Assessment.objects.all())
    [_, entry] = json.loads(text)["entry"]
    assert entry["resource"]["questionnaire"] == f"{CANONICAL}|2025.1.0"


@pytest.mark.django_db
def test_the_full_token_never_appears_in_the_export_but_the_reference_does():
    assessments = [stored(), stored(PERSONAS["emergency sign"])]
    _, text = exported(Assessment.objects.all())
    for assessment in assessments:
        assert assessment.token not in text
        assert f'"value":"{assessment.reference}"' in text


@pytest.mark.django_db
def test_the_bundle_is_valid_r4_json_streamed_one_entry_per_chunk(django_assert_num_queries):
    for persona in PERSONAS.values():
        stored(persona)
    with django_assert_num_queries(1):  # the response needs no field that was left unread
        chunks, text = exported(Assessment.objects.select_related("clinic", "reviewed_by"))

    bundle = Bundle.parse_raw(text)
    data = json.loads(text)
    assert bundle.type == "collection" and bundle.timestamp is not None
    assert len(bundle.entry) == 1 + len(PERSONAS)
    assert len(chunks) >= len(bundle.entry)
    assert bundle.entry[0].resource.resource_type == "Questionnaire"
    assert {entry.resource.resource_type for entry in bundle.entry[1:]} == {"QuestionnaireResponse"}
    full_urls = [entry.fullUrl for entry in bundle.entry]
    assert len(set(full_urls)) == len(full_urls) and all(url.startswith("urn:uuid:") for url in full_urls)
    questionnaire = data["entry"][0]["resource"]
    for entry in data["entry"][1:]:
        assert misfits(questionnaire, entry["resource"]) == []


@pytest.mark.django_db
def test_an_export_of_the_same_assessments_keeps_their_full_urls():
    stored()
    first, second = (json.loads(exported(Assessment.objects.all())[1])["entry"] for _ in range(2))
    assert [e["fullUrl"] for e in first] == [e["fullUrl"] for e in second]


@pytest.mark.django_db
def test_an_empty_selection_gives_a_bundle_with_only_the_questionnaire():
    _, text = exported(Assessment.objects.none())
    bundle = Bundle.parse_raw(text)
    assert [entry.resource.resource_type for entry in bundle.entry] == ["Questionnaire"]
    assert bundle.entry[0].resource.version == qn.QUESTIONNAIRE_VERSION
