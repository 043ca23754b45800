"""validate_answers(): the gate every answer passes through, from the web or from JSON."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from assessments import questionnaire as qn
from assessments.answers import SKIPS, AnswerError, Flow, asked_answers, skipped, validate_answers
from assessments.scoring import score_answers
from tests.personas import DROP, PREVENTION_ANSWERS, RUNNER_ANSWERS, runner_with
from tests.test_scoring import valid_answers

SELF_TEST_CODES = tuple(q.code for q in qn.SELF_TESTS.questions)
REQUIRED_SELF_TESTS = tuple(q.code for q in qn.SELF_TESTS.questions if q.required)


raw_with = runner_with


def errors_of(raw) -> dict[str, str]:
    with pytest.raises(AnswerError) as caught:
        validate_answers(raw)
    assert str(caught.value)  # the message names the problems too
    return caught.value.errors


# --- Accepting --------------------------------------------------------------------


def test_it_accepts_a_complete_valid_set_of_answers_unchanged():
    expected = {k: v for k, v in RUNNER_ANSWERS.items() if v != []}  # an empty tick list is "not answered"
    assert validate_answers(raw_with()) == expected


def test_it_accepts_every_self_test_answered():
    clean = validate_answers(
        raw_with(
            hip_flexor_test="one_side",
            hamstring_test="knees",
            hip_control_test="steady",
            plank_seconds=45,
            side_plank_left_seconds=30,
            side_plank_right_seconds=25,
            wall_head="touches",
            wall_low_back="hand_fits",
            knee_to_wall_cm=12.5,
        )
    )
    assert clean["knee_to_wall_cm"] == 12.5
    assert clean["plank_seconds"] == 45


def test_it_normalises_numbers_lists_and_text():
    clean = validate_answers(
        runner_with(
            home_care_weeks=3.0,
            weekly_distance=25,
            pain_areas=["knee", "lower_back_centre", "knee"],
            nickname="  Sam  ",
        )
    )
    assert clean["home_care_weeks"] == 3 and type(clean["home_care_weeks"]) is int
    assert clean["weekly_distance"] == 25.0 and type(clean["weekly_distance"]) is float
    assert clean["pain_areas"] == ["lower_back_centre", "knee"]  # questionnaire order, no repeats
    assert clean["nickname"] == "Sam"


@pytest.mark.parametrize(
    "empty", [pytest.param(None, id="null"), pytest.param("", id="empty_text"), pytest.param([], id="empty_list")]
)
def test_it_treats_an_empty_optional_answer_as_not_answered(empty):
    clean = validate_answers(raw_with(nickname=empty, pain_when=empty, plank_seconds=empty))
    assert not {"nickname", "pain_when", "plank_seconds"} & set(clean)


@pytest.mark.parametrize(
    ("code", "value"),
    [
        pytest.param("pain_now", 0, id="pain_0"),
        pytest.param("pain_now", 6, id="pain_6"),
        pytest.param("weekly_distance", 300, id="distance_300"),
        pytest.param("sitting_hours", 24, id="sitting_24"),
        pytest.param("home_care_weeks", 104, id="home_care_104"),
        pytest.param("knee_to_wall_cm", 30, id="knee_to_wall_30"),
        pytest.param("plank_seconds", 600, id="plank_600"),
        pytest.param("nickname", "x" * 40, id="nickname_40_chars"),
    ],
)
def test_it_accepts_values_at_the_ends_of_their_range(code, value):
    assert validate_answers(raw_with({code: value}))[code] == value


# --- Rejecting single answers --------------------------------------------------------


@pytest.mark.parametrize("code", ["colour", "pain_level", "Consent", "", "runs_per_week", "both_legs"])
def test_it_rejects_an_unknown_question_code(code):
    # A code of an earlier version is unknown too: its question is not asked any more.
    assert errors_of(raw_with({code: 1})) == {code: "unknown question code"}


@pytest.mark.parametrize(
    ("code", "value"),
    [
        pytest.param("consent", "yes", id="bool_as_text"),
        pytest.param("consent", 1, id="bool_as_number"),
        pytest.param("saddle_numbness", "on", id="warning_sign_as_text"),
        pytest.param("home_care_weeks", "3", id="int_as_text"),
        pytest.param("weekly_distance", "25", id="number_as_text"),
        pytest.param("weekly_distance", [25], id="number_as_list"),
        pytest.param("age_band", 30, id="choice_as_number"),
        pytest.param("shoes", ["worn"], id="choice_as_list"),
        pytest.param("pain_areas", "lower_back_centre", id="multi_as_text"),
        pytest.param("pain_areas", [1], id="multi_of_numbers"),
        pytest.param("nickname", 5, id="text_as_number"),
        pytest.param("home_care_weeks", 2.5, id="int_with_a_fraction"),
    ],
)
def test_it_rejects_a_value_of_the_wrong_type(code, value):
    assert set(errors_of(raw_with({code: value}))) == {code}


@pytest.mark.parametrize(
    ("code", "value"),
    [
        pytest.param("pain_now", -1, id="pain_negative"),
        pytest.param("pain_now", 11, id="pain_11"),
        pytest.param("weekly_distance", -0.1, id="distance_negative"),
        pytest.param("weekly_distance", 300.5, id="distance_300.5"),
        pytest.param("sitting_hours", 24.5, id="sitting_24.5"),
        pytest.param("home_care_weeks", 105, id="home_care_105"),
        pytest.param("knee_to_wall_cm", 30.1, id="knee_to_wall_30.1"),
        pytest.param("plank_seconds", 601, id="plank_601"),
        pytest.param("nickname", "x" * 41, id="nickname_41_chars"),
    ],
)
def test_it_rejects_a_value_out_of_range(code, value):
    errors = errors_of(raw_with({code: value}))
    assert set(errors) == {code}
    assert "between" in errors[code] or "at most" in errors[code]


@pytest.mark.parametrize(
    ("code", "value"),
    [
        pytest.param("age_band", "under_16", id="age_under_16"),
        pytest.param("reason", "curious", id="reason_curious"),
        pytest.param("hip_flexor_test", "maybe", id="self_test_maybe"),
        pytest.param("pain_areas", ["lower_back_centre", "foot"], id="pain_area_foot"),
        pytest.param("pain_when", ["always"], id="pain_when_always"),
        pytest.param("worry", "Very", id="choice_wrong_case"),
    ],
)
def test_it_rejects_an_unknown_choice(code, value):
    errors = errors_of(raw_with({code: value}))
    assert set(errors) == {code}
    assert "one of" in errors[code] or "unknown choice" in errors[code]


@pytest.mark.parametrize("code", ["pain_now", "weekly_distance", "sitting_hours", "knee_to_wall_cm", "plank_seconds"])
@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")], ids=["nan", "inf", "minus_inf"])
def test_it_rejects_nan_and_infinity(code, value):
    assert set(errors_of(raw_with({code: value}))) == {code}


@pytest.mark.parametrize(
    ("code", "value"),
    [
        pytest.param("pain_now", True, id="pain_true"),
        pytest.param("home_care_weeks", False, id="home_care_false"),
        pytest.param("weekly_distance", True, id="distance_true"),
        pytest.param("plank_seconds", False, id="plank_false"),
        pytest.param("knee_to_wall_cm", True, id="knee_to_wall_true"),
    ],
)
def test_it_rejects_booleans_passed_as_numbers(code, value):
    assert errors_of(raw_with({code: value})) == {code: "must be a number"}


def test_it_rejects_a_whole_number_too_large_for_a_float():
    assert set(errors_of(raw_with(pain_now=10**400))) == {"pain_now"}


def test_it_rejects_anything_but_an_object():
    for value in (None, [], "answers", 3):
        assert set(errors_of(value)) == {"answers"}


def test_it_refuses_a_runner_under_18_whatever_else_they_answered():
    errors = errors_of(raw_with(age_band=qn.UNDER_18))
    assert set(errors) == {"age_band"}
    assert "made for adults" in errors["age_band"]


# --- Missing answers and consent --------------------------------------------------

# Asked only when an earlier answer calls for them (tested below).
CONDITIONAL = {"night_position", "pain_began_age"}
REQUIRED_CODES = [q.code for q in qn.QUESTIONS.values() if q.required and q.code not in CONDITIONAL]


def test_the_base_runner_answers_every_required_question():
    assert set(REQUIRED_CODES) <= set(RUNNER_ANSWERS)


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_it_rejects_a_missing_required_answer(code):
    errors = errors_of(raw_with({code: DROP}))
    assert set(errors) == {code}


@pytest.mark.parametrize("empty", [None, "", []], ids=["null", "empty_text", "empty_list"])
def test_it_treats_an_empty_required_answer_as_missing(empty):
    errors = errors_of(raw_with(shoes=empty, pain_areas=empty))
    assert errors == {"shoes": "an answer is required", "pain_areas": "tick at least one"}


def test_it_rejects_answers_without_consent():
    assert set(errors_of(raw_with(consent=DROP))) == {"consent"}


def test_it_rejects_consent_given_as_false():
    assert errors_of(raw_with(consent=False)) == {"consent": "consent is needed before anything is stored"}


def test_it_names_every_problem_at_once():
    errors = errors_of(raw_with(colour="red", pain_now=11, shoes=DROP, consent=False))
    assert set(errors) == {"colour", "pain_now", "shoes", "consent"}


# --- Cross-field rules ------------------------------------------------------------

CROSS_FIELD_CASES = [
    pytest.param({"sitting_hours": 20, "driving_hours": 4.5}, "driving_hours", id="sitting_and_driving_over_24h"),
    pytest.param({"pain_eases": ["nothing", "moving"]}, "pain_eases", id="nothing_helps_and_moving_helps"),
    pytest.param({"feelings": ["none", "low_mood"]}, "feelings", id="none_of_these_and_one_of_these"),
]


@pytest.mark.parametrize(("overrides", "code"), CROSS_FIELD_CASES)
def test_it_rejects_answers_that_contradict_each_other(overrides, code):
    assert set(errors_of(raw_with(overrides))) == {code}


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"sitting_hours": 20, "driving_hours": 4}, id="exactly_24h"),
        pytest.param({"pain_eases": ["nothing"]}, id="nothing_helps_alone"),
        pytest.param({"feelings": ["fear_activity", "low_mood"]}, id="two_feelings"),
    ],
)
def test_it_accepts_answers_at_the_edge_of_a_cross_field_rule(overrides):
    clean = validate_answers(raw_with(overrides))
    assert all(clean[k] == v for k, v in overrides.items())


# --- What is asked: the skip rules ---------------------------------------------------

EMERGENCY_SIGNS = [
    pytest.param({"saddle_numbness": True}, id="saddle_numbness"),
    pytest.param({"bladder_bowel": True}, id="bladder_bowel"),
    pytest.param({"both_legs_nerve": True}, id="both_legs_nerve_signs"),
    pytest.param({"leg_weakness": True}, id="leg_weakness"),
    pytest.param({"serious_accident": True}, id="serious_accident"),
    pytest.param({"minor_fall": True, "osteoporosis": True}, id="minor_fall_with_osteoporosis"),
    pytest.param({"pregnancy": "pregnant", "pregnancy_signs": True}, id="pregnancy_signs"),
]
AFTER_WARNING = [q.code for s in qn.SECTIONS[2:] for q in s.questions]


@pytest.mark.parametrize("sign", EMERGENCY_SIGNS)
def test_nothing_after_the_warning_signs_is_asked_after_an_emergency_sign(sign):
    assert validate_answers({**{k: v for k, v in runner_with().items() if k not in AFTER_WARNING}, **sign})
    clean = validate_answers(raw_with(sign))  # answers sent anyway (a JSON file) are dropped
    assert {qn.SECTION_OF[code] for code in clean} == {"start", "warning"}
    assert [s.code for s in Flow(clean).steps] == ["start", "warning"]


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param({}, id="no_sign"),
        pytest.param({"minor_fall": True}, id="minor_fall_alone"),
        pytest.param({"osteoporosis": True}, id="osteoporosis_alone"),
        pytest.param({"saddle_numbness": False}, id="emergency_box_unticked"),
        pytest.param({"pregnancy": "no", "pregnancy_signs": True, "no_warning_signs": True}, id="not_pregnant"),
    ],
)
def test_it_requires_the_self_tests_without_an_emergency_or_urgent_sign(sign):
    errors = errors_of(raw_with({**dict.fromkeys(SELF_TEST_CODES, DROP), **sign}))
    assert set(errors) == set(REQUIRED_SELF_TESTS)
    assert len(REQUIRED_SELF_TESTS) == 5


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param({"fever_unwell": True}, id="fever"),
        pytest.param({"night_pain": True}, id="night_pain"),
        pytest.param({"long_term_steroids": True}, id="long_term_steroids"),
        pytest.param({"minor_fall": True, "age_band": "70_plus"}, id="minor_fall_at_70"),
        pytest.param({"pain_now": 7}, id="pain_7"),
    ],
)
def test_the_self_tests_are_not_asked_after_an_urgent_sign_or_with_high_pain(sign):
    clean = validate_answers(raw_with({"plank_seconds": 20, "knee_to_wall_cm": 5, **sign}))
    assert not set(SELF_TEST_CODES) & set(clean)


def test_the_outlook_is_asked_after_an_urgent_sign():
    outlook = dict.fromkeys((q.code for q in qn.OUTLOOK.questions), DROP)
    assert set(errors_of(raw_with({**outlook, "fever_unwell": True}))) == {q.code for q in qn.OUTLOOK.questions}


def test_the_toe_reach_check_is_not_asked_with_pain_or_tingling_into_the_leg():
    assert validate_answers(raw_with(hamstring_test=DROP, pain_areas=["lower_back_centre", "below_knee"]))
    assert validate_answers(raw_with(hamstring_test=DROP, leg_numbness=True))
    assert set(errors_of(raw_with(hamstring_test=DROP))) == {"hamstring_test"}


@pytest.mark.parametrize("pregnancy", ["pregnant", "after_birth"])
def test_checks_lying_on_the_back_or_front_are_not_asked_in_pregnancy_or_after_a_birth(pregnancy):
    clean = validate_answers(raw_with(pregnancy=pregnancy, hip_flexor_test="one_side", plank_seconds=10))
    assert "hip_flexor_test" not in clean and "plank_seconds" not in clean
    assert validate_answers(raw_with(pregnancy="no", plank_seconds=10))["plank_seconds"] == 10


def test_a_runner_with_no_pain_is_asked_no_pain_question():
    clean = validate_answers(dict(PREVENTION_ANSWERS))
    assert [s.code for s in Flow(clean).steps] == ["start", "warning", "week", "checks"]
    pain_only = {"serious_accident", "minor_fall", "fever_unwell", "night_pain", "thoracic_constant"}
    assert not pain_only & {q.code for s in Flow(clean).steps for q in s.questions if q.code not in skipped(clean)}


def test_the_first_episode_question_is_asked_from_50():
    assert "first_episode" not in validate_answers(raw_with(first_episode=True, age_band="40_49"))
    assert validate_answers(raw_with(first_episode=True, age_band="50_59"))["first_episode"] is True


def test_night_pain_that_nothing_eases_asks_whether_changing_position_helps():
    night = {"pain_when": ["night"], "pain_eases": ["nothing"]}
    assert set(errors_of(raw_with(night))) == {"night_position"}
    assert validate_answers(raw_with(night, night_position="eases"))["night_position"] == "eases"
    # ...not when the runner ticked the night-pain warning sign already, nor when something eases it
    assert "night_position" not in validate_answers(raw_with(night, night_position="eases", night_pain=True))
    assert "night_position" not in validate_answers(
        raw_with(pain_when=["night"], pain_eases=["changing_position"], night_position="eases")
    )


def test_pain_for_over_12_weeks_asks_when_it_began_and_about_inflammatory_signs():
    assert set(errors_of(raw_with(pain_duration="over_12w"))) == {"pain_began_age"}
    clean = validate_answers(raw_with(pain_duration="over_12w", pain_began_age="under_35"))
    assert clean["pain_began_age"] == "under_35" and "inflammatory_signs" not in clean  # optional
    assert [s.code for s in Flow(clean).steps] == ["start", "warning", "week", "pain", "more_pain", "outlook", "checks"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"no_warning_signs": DROP}, "tick the signs that apply to you, or tick 'None of these apply to me'"),
        ({"no_warning_signs": True, "night_pain": True}, "you ticked a warning sign and also 'None of these"),
    ],
)
def test_the_warning_signs_need_an_explicit_answer_even_when_none_apply(overrides, message):
    errors = errors_of(raw_with(overrides))
    assert set(errors) == {"no_warning_signs"}
    assert errors["no_warning_signs"].startswith(message)


def test_an_emergency_sign_wins_even_when_none_of_these_is_ticked_too():
    clean = validate_answers(raw_with({"saddle_numbness": True, "no_warning_signs": True}))
    assert score_answers(clean).triage == "emergency"


def test_an_emergency_sign_does_not_excuse_wrong_answers_on_the_same_step():
    errors = errors_of(raw_with({"saddle_numbness": True, "age_band": "forty"}))
    assert "age_band" in errors


@settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_answers())
def test_a_skip_reads_only_answers_of_sections_before_what_it_skips(raw):
    """What asked_answers relies on: then walking the sections in order gives what is asked."""
    order = [s.code for s in qn.SECTIONS]
    answers = asked_answers(raw)
    for skip in SKIPS:
        first = min(order.index(qn.SECTION_OF.get(what, what)) for what in skip.what)
        earlier = {code: v for code, v in answers.items() if order.index(qn.SECTION_OF[code]) < first}
        assert skip.when(earlier) == skip.when(answers), skip.what
    assert asked_answers(answers) == answers  # what is asked, given itself, is stable


# --- The questionnaire definition itself -------------------------------------------


def test_every_question_code_is_unique_across_sections():
    codes = [q.code for s in qn.SECTIONS for q in s.questions]
    assert len(codes) == len(set(codes)) == len(qn.QUESTIONS)


def test_every_question_has_a_known_type_and_its_range_or_choices():
    for q in qn.QUESTIONS.values():
        assert q.type in {qn.BOOL, qn.CHOICE, qn.MULTI, qn.INT, qn.NUMBER, qn.TEXT}, q.code
        if q.type in (qn.CHOICE, qn.MULTI):
            assert q.choices, q.code
        if q.type in (qn.INT, qn.NUMBER):
            assert q.min is not None and q.max is not None and q.min < q.max, q.code


def test_the_warning_signs_come_straight_after_consent():
    assert [s.code for s in qn.SECTIONS[:2]] == ["start", "warning"]


# What makes a question asked, for trying its answers in the test below.
ASKED_WHEN = {
    "first_episode": {"age_band": "50_59"},
    "pregnancy_signs": {"pregnancy": "pregnant"},
    "night_position": {"pain_when": ["night"], "pain_eases": ["nothing"]},
    # (the inflammatory pattern: pain for over 12 weeks, begun before 45, with 3 features)
    "pain_began_age": {
        "pain_duration": "over_12w",
        "pain_eases": [],
        "pain_when": ["morning_stiffness"],
        "pain_areas": ["buttock"],
    },
    "inflammatory_signs": {
        "pain_duration": "over_12w",
        "pain_began_age": "35_44",
        "pain_eases": [],
        "pain_when": ["morning_stiffness"],
        "pain_areas": ["buttock"],
    },
    "pain_eases": {
        "pain_duration": "over_12w",
        "pain_began_age": "35_44",
        "pain_when": ["sitting"],
        "pain_areas": ["buttock"],
        "inflammatory_signs": ["late_night"],
    },
    "pain_when": {"pain_duration": "over_12w", "pain_began_age": "35_44", "pain_eases": ["moving"]},
}


def _values_to_try(q: qn.Question) -> list:
    if q.type == qn.BOOL:
        return [True, DROP]
    if q.type == qn.CHOICE:
        return [code for code, _ in q.choices]
    if q.type == qn.MULTI:
        return [[code] for code, _ in q.choices]
    numbers = [q.min, (q.min + q.max) // 2, q.max]
    return numbers if q.required else [*numbers, DROP]


@pytest.mark.parametrize("code", [code for code, q in qn.QUESTIONS.items() if not q.purpose])
def test_every_question_earns_its_place_an_answer_changes_the_result(code):
    """Each answer feeds a rule (a score, the triage, a rest day, advice, a caution flag, what
    is asked); the few that do not say why they are asked (Question.purpose)."""
    q = qn.QUESTIONS[code]
    seen = set()
    for value in _values_to_try(q):
        raw = runner_with({**ASKED_WHEN.get(code, {}), code: value})
        if qn.SECTION_OF[code] == qn.WARNING.code and value is True:
            raw.pop("no_warning_signs", None)
        try:
            clean = validate_answers(raw)
        except AnswerError:
            continue
        result = score_answers(clean).as_dict()
        seen.add(repr((result, [s.code for s in Flow(clean).steps], sorted(skipped(clean)))))
    assert len(seen) > 1, f"{code}: no answer changes anything"


def test_a_question_with_a_stated_purpose_says_it_in_the_json_description():
    purposes = {q["code"]: q.get("purpose") for s in qn.as_dict()["sections"] for q in s["questions"]}
    assert purposes["nickname"] and purposes["distance_unit"] and purposes["consent"]


# --- Earlier versions ---------------------------------------------------------------------


def test_the_first_version_is_kept_as_data_with_its_own_words():
    old = qn.definition("2026.11.1")
    assert old is not None and old.version == "2026.11.1"
    assert old.questions["both_legs"].label == "Pain, numbness, tingling or weakness in both legs"
    assert "runs_per_week" in old.questions and "recent_fall" in old.may_be_absent
    assert qn.definition("1999.1.1") is None
    assert qn.definition(qn.QUESTIONNAIRE_VERSION).sections == qn.SECTIONS


def test_a_retired_code_keeps_its_words_and_a_current_code_wins():
    assert qn.label_of("thoracic_pain") == "Pain mainly between the shoulder blades"
    assert qn.label_of("both_legs_nerve") == qn.QUESTIONS["both_legs_nerve"].label
    assert qn.label_of("never_a_code") == "never_a_code"


# --- The movement checks' drawings ---------------------------------------------------------

CHECK_DRAWINGS = Path(__file__).resolve().parent.parent / "static" / "img" / "checks"


def _points(svg_root) -> list[tuple[float, float, float]]:
    """(x, y, reach) of every point drawn: path vertices (absolute commands only) and circles."""
    points = []
    for element in svg_root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "circle":
            points.append((float(element.get("cx")), float(element.get("cy")), float(element.get("r"))))
        if tag != "path":
            continue
        data = element.get("d")
        assert not re.search(r"[a-z]", data), f"relative path commands cannot be checked: {data}"
        x = y = 0.0
        for command, numbers in re.findall(r"([MLHVQ])([^MLHVQ]*)", data):
            values = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", numbers)]
            if command == "H":
                x = values[-1]
            elif command == "V":
                y = values[-1]
            else:
                pairs = list(zip(values[::2], values[1::2], strict=True))
                points += [(px, py, 0.0) for px, py in pairs]
                x, y = pairs[-1]
            points.append((x, y, 0.0))
    return points


@pytest.mark.parametrize("code", [q.code for q in qn.QUESTIONS.values() if q.illustration])
def test_every_movement_check_drawing_is_plain_and_drawn_inside_its_box(code):
    import xml.etree.ElementTree as ET

    text = (CHECK_DRAWINGS / f"{qn.QUESTIONS[code].illustration}.svg").read_text(encoding="utf-8")
    root = ET.fromstring(text)  # noqa: S314 - our own files in the repo
    assert root.get("viewBox") == "0 0 200 120" and root.get("aria-hidden") == "true"
    for forbidden in ("<script", "<style", "style=", "href", "<text", "<image"):
        assert forbidden not in text, forbidden
    points = _points(root)
    assert len(points) > 5
    margin = 2  # the stroke's half-width, at most
    for x, y, reach in points:
        assert margin <= x - reach and x + reach <= 200 - margin, (code, x, y)
        assert margin <= y - reach and y + reach <= 120 - margin, (code, x, y)


def test_each_movement_check_has_a_drawing_and_the_side_planks_share_one():
    checks = [q for q in qn.SELF_TESTS.questions]
    drawn = {q.code for q in checks if q.illustration}
    assert drawn == {q.code for q in checks} - {"side_plank_right_seconds", "wall_low_back"}
    assert sorted(p.stem for p in CHECK_DRAWINGS.glob("*.svg")) == sorted(
        q.illustration for q in checks if q.illustration
    )
