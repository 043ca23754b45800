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
from assessments.answers import AFTER_WARNING, PAIN_ONLY_SIGNS
from assessments.fhir import questionnaire_resource, questionnaire_response
from assessments.models import Assessment
from review.fhir import bundle_chunks
from tests.personas import DROP, PREVENTION_ANSWERS, RUNNER_ANSWERS, runner_with

BASE = "https://back.example.org/"
CANONICAL = BASE + "fhir/Questionnaire/runner-back-check"
ANSWER_SYSTEM = BASE + "fhir/CodeSystem/runner-back-check-answers/"
NOT_ASKED_AFTER_EMERGENCY = {q.code: DROP for code in AFTER_WARNING for q in qn.SECTIONS_BY_CODE[code].questions}
NO_PAIN_SECTIONS = (qn.PAIN_SECTION, qn.MORE_PAIN, qn.OUTLOOK)

PERSONAS = {
    "typical runner": {},
    "emergency sign": {
        **NOT_ASKED_AFTER_EMERGENCY,
        "saddle_numbness": True,
        "bladder_bowel": True,
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
    "counts in miles": {"distance_unit": "mi", "weekly_distance": 15.5},
    "high pain at 50, no nickname": {
        **{q.code: DROP for q in qn.SELF_TESTS.questions},
        "age_band": "50_59",  # a first episode is asked from 50 on
        "pain_now": 8,
        "nickname": "",
        "first_episode": False,
    },
    "prevention, no pain": {
        **{code: DROP for code in RUNNER_ANSWERS if code not in PREVENTION_ANSWERS},
        "reason": "prevention",
    },
    "pregnant": {"pregnancy": "pregnant", "pregnancy_signs": False, "hip_flexor_test": DROP},
    "pain for months, with the follow-up questions": {
        "pain_duration": "over_12w",
        "pain_when": ["morning_stiffness", "night"],
        "pain_eases": ["nothing"],
        "night_position": "eases",
        "pain_began_age": "35_44",
        "inflammatory_signs": ["psoriasis", "eye"],
        "worry": "much",
        "feelings": ["fear_activity", "low_mood"],
    },
}

# An earlier version, kept in assessments/versions/, and answers in its own codes (which
# today's questionnaire no longer accepts: runs_per_week, surface, recent_fall, bother...).
OLD = "2026.11.1"
OLD_ANSWERS = {
    "consent": True,
    "age_band": "40_49",
    "nickname": "Alex",
    "runs_per_week": 3,
    "distance_unit": "km",
    "weekly_distance": 30,
    "longest_run": 12.5,
    "surface": "road",
    "shoe_type": "off_the_shelf",
    "shoe_wear": "some",
    "distance_change": "up_to_10",
    "warm_up": "sometimes",
    "strength_training": "under_weekly",
    "sitting_hours": 7.5,
    "driving_hours": 1,
    "breaks": "every_2h",
    "lumbar_support": "partly",
    "screen_height": "laptop",
    "pain_areas": ["lower_back_centre", "buttock"],
    "pain_now": 4,
    "pain_worst_week": 6,
    "pain_duration": "1_6w",
    "pain_when": ["after_runs", "mornings"],
    "pain_eases": ["moving", "heat"],
    "run_pain_change": "slightly_worse",
    "daily_impact": "some",
    "home_care_weeks": 1,
    "trend": "better",
    "first_episode": False,
    "no_warning_signs": True,
    "recent_fall": "none",
    "worry": "some",
    "fear_activity": "unsure",
    "never_better": "disagree",
    "low_mood": "rarely",
    "bother": "somewhat",
    "coping": "mostly",
    "hip_flexor_test": "one_side",
    "hamstring_test": "knees",
    "hip_control_test": "steady",
    "plank_seconds": 40,
    "wall_head": "touches",
    "wall_low_back": "hand_fits",
}
OLD_QUESTIONS = qn.definition(OLD).questions
OLD_NOT_ASKED_AFTER_EMERGENCY = {
    q.code for s in qn.definition(OLD).sections if s.code in ("outlook", "selftests") for q in s.questions
}
OLD_PERSONAS = {
    "typical runner of 2026.11.1": OLD_ANSWERS,
    # both_legs was an emergency sign: that version then asked neither the outlook nor the checks.
    "both legs, 2026.11.1": {
        **{
            code: value
            for code, value in OLD_ANSWERS.items()
            if code not in OLD_NOT_ASKED_AFTER_EMERGENCY and code != "no_warning_signs"
        },
        "both_legs": True,
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


def stored_under(version: str, answers: dict) -> Assessment:
    """An assessment answered with an earlier version, saved directly (today's questionnaire
    would refuse its answers); its result and the result's copies are a current runner's."""
    assessment = Assessment.objects.build_from_answers(runner_with())
    assessment.questionnaire_version = version
    assessment.answers = answers
    assessment.nickname = answers.get("nickname", "")
    assessment.save(force_insert=True)
    return Assessment.objects.get(pk=assessment.pk)


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


def answers_in(response: QuestionnaireResponse, questions: dict[str, qn.Question] = qn.QUESTIONS) -> dict:
    """The answers read back from a parsed response, by question code, as the app stores them
    (`questions`: the version the response answers)."""
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
            found[item.linkId] = values if questions[item.linkId].type == qn.MULTI else values[0]
    return found


def exported(queryset) -> tuple[list[str], str]:
    chunks = list(bundle_chunks(queryset, BASE))
    return chunks, "".join(chunks)


def questionnaires_in(data: dict) -> dict[str, dict]:
    """The Bundle's Questionnaires by the name a response gives (canonical URL|version)."""
    return {
        f"{e['resource']['url']}|{e['resource']['version']}": e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Questionnaire"
    }


def items_of(response: dict) -> dict[str, dict]:
    """A response's question items by linkId."""
    return {item["linkId"]: item for group in response["item"] for item in group["item"]}


# Every version in the Bundle: the current one first, then the archived ones, newest first.
VERSIONS = (qn.QUESTIONNAIRE_VERSION, *reversed(qn.archived_versions()))


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
    """FHIR's `required`: in every completed response (an item: whenever its group is there).
    The personas below check it against stored responses (`misfits()` reports a required item missing)."""
    resource = questionnaire_resource(BASE)
    groups = {group["linkId"]: group for group in resource["item"]}
    required = {item["linkId"] for group in resource["item"] for item in group["item"] if item["required"]}

    assert {"consent", "age_band", "reason", "shoes", "pain_areas", "pain_now", "worry", "feelings"} <= required
    assert {"hip_control_test", "wall_head", "wall_low_back"} <= required
    # Optional in the questionnaire, or skipped by a rule: nerve signs (hamstring_test), pregnancy
    # (hip_flexor_test), age (first_episode), a runner who is not pregnant (pregnancy_signs), or
    # earlier answers that call for no follow-up question (night_position, pain_began_age).
    assert "pregnancy" in required
    not_required = {"nickname", "plank_seconds", "no_warning_signs", "hamstring_test", "hip_flexor_test"}
    not_required |= {"first_episode", "pregnancy_signs", "night_position", "pain_began_age", "inflammatory_signs"}
    assert not not_required & required
    # Only the first section is in every response: an emergency sign ends the questionnaire after
    # the warning signs, the prevention path asks no pain questions, a high pain score or an
    # urgent sign leaves the checks out, and the follow-up questions are asked only when called for.
    assert groups["start"]["required"]
    assert not any(groups[code]["required"] for code in (qn.WARNING.code, *AFTER_WARNING))
    assert set(groups) == {"start", qn.WARNING.code, *AFTER_WARNING}


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
    # Nothing the questionnaire does not allow, and no question it calls required left out.
    assert misfits(questionnaire_resource(BASE), response) == []


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_answer_appears_in_the_response_with_its_stored_value(persona):
    assessment = stored(PERSONAS[persona])
    parsed = QuestionnaireResponse.parse_obj(questionnaire_response(assessment, BASE))
    assert answers_in(parsed) == assessment.answers


@pytest.mark.django_db
def test_values_keep_their_fhir_types():
    # A sign that is not an emergency one, so that the questions after the warning signs are asked.
    assessment = stored(PERSONAS["counts in miles"], pain_now=4, leg_numbness=True, pain_areas=["neck", "buttock"])
    items = {link: item["answer"] for link, item in items_of(questionnaire_response(assessment, BASE)).items()}

    assert items["pain_now"] == [{"valueInteger": 4}]
    assert items["leg_numbness"] == [{"valueBoolean": True}]
    assert items["consent"] == [{"valueBoolean": True}]
    assert items["weekly_distance"] == [{"valueDecimal": 15.5}]
    assert items["sitting_hours"] == [{"valueDecimal": 4}]
    assert items["nickname"] == [{"valueString": "Sam"}]
    assert [a["valueCoding"]["code"] for a in items["pain_areas"]] == ["neck", "buttock"]
    system = ANSWER_SYSTEM + "distance_unit"
    assert items["distance_unit"] == [{"valueCoding": {"system": system, "code": "mi", "display": "Miles"}}]
    reason = qn.QUESTIONS["reason"].choice_label("pain")
    assert items["reason"] == [{"valueCoding": {"system": ANSWER_SYSTEM + "reason", "code": "pain", "display": reason}}]


@pytest.mark.django_db
def test_a_false_tick_box_is_an_answer_but_blank_and_unknown_answers_are_left_out():
    assessment = stored(first_episode=False, age_band="50_59")  # asked from 50 on
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
    entry = [e for e in json.loads(text)["entry"] if e["resource"]["resourceType"] == "QuestionnaireResponse"][-1]
    assert entry["resource"]["questionnaire"] == f"{CANONICAL}|2025.1.0"


@pytest.mark.django_db
def test_the_full_token_never_appears_in_the_export_but_the_reference_does():
    assessments = [stored(), stored(PERSONAS["emergency sign"])]
    _, text = exported(Assessment.objects.all())
    for assessment in assessments:
        assert assessment.token not in text
        assert f'"value":"{assessment.reference}"' in text


@pytest.mark.django_db
def test_the_bundle_is_valid_r4_json_streamed_one_assessment_per_chunk(django_assert_num_queries):
    for persona in PERSONAS.values():
        stored(persona)
    with django_assert_num_queries(2):  # no field left unread; the plans' adjustments in one query a chunk
        chunks, text = exported(Assessment.objects.select_related("clinic", "reviewed_by"))

    bundle = Bundle.parse_raw(text)
    data = json.loads(text)
    assert bundle.type == "collection" and bundle.timestamp is not None
    kinds = [entry.resource.resource_type for entry in bundle.entry]
    with_plan = [p for p in PERSONAS.values() if not p.get("saddle_numbness")]  # none after an emergency
    assert kinds[: len(VERSIONS)] == ["Questionnaire"] * len(VERSIONS)
    assert kinds.count("QuestionnaireResponse") == len(PERSONAS) and kinds.count("CarePlan") == len(with_plan)
    assert len(kinds) == len(VERSIONS) + len(PERSONAS) + len(with_plan)
    assert len(chunks) >= len(VERSIONS) + len(PERSONAS)  # a chunk per assessment (its response and plan)
    full_urls = [entry.fullUrl for entry in bundle.entry]
    assert len(set(full_urls)) == len(full_urls) and all(url.startswith("urn:uuid:") for url in full_urls)
    questionnaires = questionnaires_in(data)
    for entry in data["entry"][len(VERSIONS) :]:
        response = entry["resource"]
        if response["resourceType"] == "CarePlan":
            continue
        assert response["questionnaire"] == f"{CANONICAL}|{qn.QUESTIONNAIRE_VERSION}"
        assert misfits(questionnaires[response["questionnaire"]], response) == []


@pytest.mark.django_db
def test_an_export_of_the_same_assessments_keeps_their_full_urls():
    stored()
    first, second = (json.loads(exported(Assessment.objects.all())[1])["entry"] for _ in range(2))
    assert [e["fullUrl"] for e in first] == [e["fullUrl"] for e in second]


@pytest.mark.django_db
def test_an_empty_selection_gives_a_bundle_with_only_the_questionnaires():
    _, text = exported(Assessment.objects.none())
    bundle = Bundle.parse_raw(text)
    assert [entry.resource.resource_type for entry in bundle.entry] == ["Questionnaire"] * len(VERSIONS)
    assert [entry.resource.version for entry in bundle.entry] == list(VERSIONS)


# --- Every version in the Bundle -----------------------------------------------------------


def test_the_bundle_carries_the_current_questionnaire_then_the_archived_one():
    assert OLD in qn.archived_versions()
    _, text = exported(Assessment.objects.none())
    bundle = Bundle.parse_raw(text)  # every Questionnaire valid R4
    found = [(e.resource.url, e.resource.version, e.resource.status) for e in bundle.entry]

    assert found[0] == (CANONICAL, qn.QUESTIONNAIRE_VERSION, "active")
    assert (CANONICAL, OLD, "retired") in found[1:]
    assert found == [(CANONICAL, v, "active" if v == qn.QUESTIONNAIRE_VERSION else "retired") for v in VERSIONS]
    assert json.loads(text)["entry"][0]["resource"] == questionnaire_resource(BASE)


def test_the_archived_questionnaire_keeps_its_own_sections_questions_words_and_required_flags():
    resource = questionnaire_resource(BASE, OLD)
    parsed = Questionnaire.parse_obj(resource)
    old = qn.definition(OLD)
    items = {item.linkId: item for group in parsed.item for item in group.item}

    assert (parsed.url, parsed.version, parsed.status) == (CANONICAL, OLD, "retired")
    assert [group.linkId for group in parsed.item] == [s.code for s in old.sections]
    assert [group.text for group in parsed.item] == [s.title for s in old.sections]
    assert list(items) == list(old.questions)
    assert items["both_legs"].text == "Pain, numbness, tingling or weakness in both legs"
    assert items["runs_per_week"].type == "integer"
    assert [o.valueCoding.code for o in items["recent_fall"].answerOption] == ["none", "minor", "serious"]
    assert {"runs_per_week", "surface", "recent_fall", "bother", "coping", "thoracic_pain"} <= set(items)
    assert not {"both_legs_nerve", "thoracic_constant", "reason", "pregnancy", "feelings", "shoes"} & set(items)
    # Its own list of what a response may lack, kept with it in versions/2026.11.1.json.
    required = {link for link, item in items.items() if item.required}
    assert {"runs_per_week", "surface", "worry", "coping", "hip_flexor_test"} <= required
    assert not {"recent_fall", "hamstring_test", "nickname", "both_legs"} & required
    groups = {group.linkId: group.required for group in parsed.item}
    assert not groups["outlook"] and not groups["selftests"] and groups["running"]


def test_the_old_answers_here_fit_the_archived_questionnaire_and_not_the_current_one():
    """The answers below are in 2026.11.1's own codes and choices."""
    for answers in OLD_PERSONAS.values():
        for code, value in answers.items():
            question = OLD_QUESTIONS[code]
            values = value if question.type == qn.MULTI else [value]
            assert not question.choices or set(values) <= question.choice_codes(), code
    assert not {"runs_per_week", "longest_run", "surface", "recent_fall", "bother", "coping"} & set(qn.QUESTIONS)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", OLD_PERSONAS)
def test_an_assessment_of_an_earlier_version_gives_a_valid_r4_response_to_that_version(persona):
    assessment = stored_under(OLD, OLD_PERSONAS[persona])
    response = questionnaire_response(assessment, BASE)
    parsed = QuestionnaireResponse.parse_obj(response)

    assert parsed.questionnaire == f"{CANONICAL}|{OLD}"
    assert parsed.identifier.value == assessment.reference
    assert misfits(questionnaire_resource(BASE, OLD), response) == []
    assert answers_in(parsed, OLD_QUESTIONS) == assessment.answers
    # Against today's questionnaire it would not fit: its questions are not all there.
    assert misfits(questionnaire_resource(BASE), response) != []


@pytest.mark.django_db
def test_an_earlier_version_s_response_uses_that_version_s_words_and_links():
    assessment = stored_under(OLD, OLD_PERSONAS["both legs, 2026.11.1"])
    response = questionnaire_response(assessment, BASE)
    items = items_of(response)

    assert [group["linkId"] for group in response["item"]] == [
        "consent",
        "about",
        "running",
        "sitting",
        "pain",
        "warning",
    ]
    assert [group["text"] for group in response["item"]][2] == "Your running"
    assert items["both_legs"] == {
        "linkId": "both_legs",
        "text": "Pain, numbness, tingling or weakness in both legs",
        "answer": [{"valueBoolean": True}],
    }
    assert items["runs_per_week"] == {
        "linkId": "runs_per_week",
        "text": "How many runs do you do in a week?",
        "answer": [{"valueInteger": 3}],
    }
    assert items["recent_fall"]["answer"] == [
        {"valueCoding": {"system": ANSWER_SYSTEM + "recent_fall", "code": "none", "display": "No"}}
    ]
    # A choice this version dropped keeps its words.
    assert [a["valueCoding"]["display"] for a in items["pain_when"]["answer"]] == ["After runs", "In the morning"]
    assert items["longest_run"]["answer"] == [{"valueDecimal": 12.5}]
    for link, item in items.items():
        assert item["text"] == OLD_QUESTIONS[link].label
    assert items["pain_now"]["text"] == qn.QUESTIONS["pain_now"].label  # a question both versions ask alike
    assert not {"both_legs_nerve", "reason", "shoes", "worry", "hip_flexor_test"} & set(items)


@pytest.mark.django_db
def test_each_response_in_the_bundle_fits_the_questionnaire_of_its_own_version():
    current, old = stored(), stored_under(OLD, OLD_ANSWERS)
    _, text = exported(Assessment.objects.all())
    Bundle.parse_raw(text)
    data = json.loads(text)
    questionnaires = questionnaires_in(data)
    responses = {
        e["resource"]["identifier"]["value"]: e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    }

    assert set(questionnaires) == {f"{CANONICAL}|{v}" for v in VERSIONS}
    assert responses[current.reference]["questionnaire"] == f"{CANONICAL}|{qn.QUESTIONNAIRE_VERSION}"
    assert responses[old.reference]["questionnaire"] == f"{CANONICAL}|{OLD}"
    for response in responses.values():
        assert misfits(questionnaires[response["questionnaire"]], response) == []
    assert "runs_per_week" in items_of(responses[old.reference])
    assert "both_legs_nerve" in {
        item["linkId"]
        for group in questionnaires[f"{CANONICAL}|{qn.QUESTIONNAIRE_VERSION}"]["item"]
        for item in group["item"]
    }


# --- The prevention path -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_prevention_runner_s_response_has_no_pain_group():
    assessment = stored(PERSONAS["prevention, no pain"])
    response = questionnaire_response(assessment, BASE)
    QuestionnaireResponse.parse_obj(response)
    items = items_of(response)

    assert [group["linkId"] for group in response["item"]] == ["start", "warning", "week", "checks"]
    assert not {q.code for section in NO_PAIN_SECTIONS for q in section.questions} & set(items)
    assert not set(PAIN_ONLY_SIGNS) & set(items)
    assert items["reason"]["answer"][0]["valueCoding"]["code"] == "prevention"
    assert misfits(questionnaire_resource(BASE), response) == []
