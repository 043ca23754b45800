"""validate_answers(): the gate every answer passes through, from the web or from JSON."""

import pytest

from assessments import questionnaire as qn
from assessments.answers import AnswerError, validate_answers
from assessments.scoring import score_answers
from tests.personas import DROP, RUNNER_ANSWERS, runner_with

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
        raw_with(
            runs_per_week=3.0,
            weekly_distance=25,
            pain_areas=["knee", "lower_back_centre", "knee"],
            nickname="  Sam  ",
        )
    )
    assert clean["runs_per_week"] == 3 and type(clean["runs_per_week"]) is int
    assert clean["weekly_distance"] == 25.0 and type(clean["weekly_distance"]) is float
    assert clean["pain_areas"] == ["lower_back_centre", "knee"]  # questionnaire order, no repeats
    assert clean["nickname"] == "Sam"


@pytest.mark.parametrize(
    "empty", [pytest.param(None, id="null"), pytest.param("", id="empty_text"), pytest.param([], id="empty_list")]
)
def test_it_treats_an_empty_optional_answer_as_not_answered(empty):
    clean = validate_answers(raw_with(nickname=empty, pain_when=empty, plank_seconds=empty))
    assert "nickname" not in clean and "pain_when" not in clean and "plank_seconds" not in clean


@pytest.mark.parametrize(
    ("code", "value"),
    [
        pytest.param("pain_now", 0, id="pain_0"),
        pytest.param("pain_worst_week", 10, id="worst_10"),
        pytest.param("runs_per_week", 14, id="runs_14"),
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


@pytest.mark.parametrize("code", ["colour", "pain_level", "Consent", ""])
def test_it_rejects_an_unknown_question_code(code):
    assert errors_of(raw_with({code: 1})) == {code: "unknown question code"}


@pytest.mark.parametrize(
    ("code", "value"),
    [
        pytest.param("consent", "yes", id="bool_as_text"),
        pytest.param("consent", 1, id="bool_as_number"),
        pytest.param("saddle_numbness", "on", id="warning_sign_as_text"),
        pytest.param("runs_per_week", "3", id="int_as_text"),
        pytest.param("weekly_distance", "25", id="number_as_text"),
        pytest.param("weekly_distance", [25], id="number_as_list"),
        pytest.param("age_band", 30, id="choice_as_number"),
        pytest.param("surface", ["road"], id="choice_as_list"),
        pytest.param("pain_areas", "lower_back_centre", id="multi_as_text"),
        pytest.param("pain_areas", [1], id="multi_of_numbers"),
        pytest.param("nickname", 5, id="text_as_number"),
        pytest.param("runs_per_week", 2.5, id="int_with_a_fraction"),
    ],
)
def test_it_rejects_a_value_of_the_wrong_type(code, value):
    assert set(errors_of(raw_with({code: value}))) == {code}


@pytest.mark.parametrize(
    ("code", "value"),
    [
        pytest.param("runs_per_week", -1, id="runs_negative"),
        pytest.param("runs_per_week", 15, id="runs_15"),
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
        pytest.param("age_band", "under_18", id="age_under_18"),
        pytest.param("recent_fall", "yes", id="fall_yes"),
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
        pytest.param("runs_per_week", False, id="runs_false"),
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


# --- Missing answers and consent --------------------------------------------------

REQUIRED_CODES = [q.code for q in qn.QUESTIONS.values() if q.required]


def test_the_base_runner_answers_every_required_question():
    assert set(REQUIRED_CODES) <= set(RUNNER_ANSWERS)


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_it_rejects_a_missing_required_answer(code):
    errors = errors_of(raw_with({code: DROP}))
    assert set(errors) == {code}


@pytest.mark.parametrize("empty", [None, "", []], ids=["null", "empty_text", "empty_list"])
def test_it_treats_an_empty_required_answer_as_missing(empty):
    errors = errors_of(raw_with(age_band=empty, pain_areas=empty))
    assert errors == {"age_band": "an answer is required", "pain_areas": "tick at least one area"}


def test_it_rejects_answers_without_consent():
    assert set(errors_of(raw_with(consent=DROP))) == {"consent"}


def test_it_rejects_consent_given_as_false():
    assert errors_of(raw_with(consent=False)) == {"consent": "consent is needed before anything is stored"}


def test_it_names_every_problem_at_once():
    errors = errors_of(raw_with(colour="red", pain_now=11, age_band=DROP, consent=False))
    assert set(errors) == {"colour", "pain_now", "age_band", "consent"}


# --- Cross-field rules ------------------------------------------------------------

CROSS_FIELD_CASES = [
    pytest.param({"sitting_hours": 20, "driving_hours": 4.5}, "driving_hours", id="sitting_and_driving_over_24h"),
    pytest.param({"pain_now": 5, "pain_worst_week": 4}, "pain_worst_week", id="worst_week_below_now"),
    pytest.param({"runs_per_week": 0, "weekly_distance": 5}, "weekly_distance", id="no_runs_but_a_distance"),
]


@pytest.mark.parametrize(("overrides", "code"), CROSS_FIELD_CASES)
def test_it_rejects_answers_that_contradict_each_other(overrides, code):
    assert set(errors_of(raw_with(overrides))) == {code}


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"sitting_hours": 20, "driving_hours": 4}, id="exactly_24h"),
        pytest.param({"pain_now": 5, "pain_worst_week": 5}, id="worst_week_equal_to_now"),
        pytest.param({"runs_per_week": 0, "weekly_distance": 0, "longest_run": 0}, id="no_runs_no_distance"),
    ],
)
def test_it_accepts_answers_at_the_edge_of_a_cross_field_rule(overrides):
    clean = validate_answers(raw_with(overrides))
    assert all(clean[k] == v for k, v in overrides.items())


# --- The self-tests may be left out only with an emergency sign ---------------------


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param({"saddle_numbness": True}, id="saddle_numbness"),
        pytest.param({"bladder_bowel": True}, id="bladder_bowel"),
        pytest.param({"both_legs": True}, id="both_legs"),
        pytest.param({"leg_weakness": True}, id="leg_weakness"),
        pytest.param({"recent_fall": "serious"}, id="serious_accident"),
        pytest.param({"recent_fall": "minor", "osteoporosis_steroids": True}, id="minor_fall_with_osteoporosis"),
    ],
)
def test_it_lets_the_self_tests_be_left_out_when_an_emergency_sign_is_given(sign):
    clean = validate_answers(raw_with({**dict.fromkeys(SELF_TEST_CODES, DROP), **sign}))
    assert not set(SELF_TEST_CODES) & set(clean)


@pytest.mark.parametrize(
    "sign",
    [
        pytest.param({}, id="no_sign"),
        pytest.param({"recent_fall": "minor"}, id="minor_fall_alone"),
        pytest.param({"osteoporosis_steroids": True}, id="osteoporosis_alone"),
        pytest.param({"saddle_numbness": False}, id="emergency_box_unticked"),
    ],
)
def test_it_requires_the_self_tests_without_an_emergency_or_urgent_sign(sign):
    errors = errors_of(raw_with({**dict.fromkeys(SELF_TEST_CODES, DROP), **sign}))
    assert set(errors) == set(REQUIRED_SELF_TESTS)
    assert len(REQUIRED_SELF_TESTS) == 5


@pytest.mark.parametrize("sign", [{"fever_unwell": True}, {"night_pain": True}, {"saddle_numbness": True}])
def test_the_self_tests_may_be_left_out_after_an_urgent_or_emergency_sign(sign):
    assert validate_answers(raw_with({**dict.fromkeys(SELF_TEST_CODES, DROP), **sign}))


def test_the_outlook_may_be_left_out_only_after_an_emergency_sign():
    outlook = dict.fromkeys((q.code for q in qn.OUTLOOK.questions), DROP)
    no_self_tests = dict.fromkeys(SELF_TEST_CODES, DROP)
    assert validate_answers(raw_with({**outlook, **no_self_tests, "bladder_bowel": True}))
    assert set(errors_of(raw_with({**outlook, **no_self_tests, "fever_unwell": True}))) == {
        q.code for q in qn.OUTLOOK.questions
    }


def test_the_toe_reach_check_may_be_left_out_with_pain_or_tingling_into_the_leg():
    assert validate_answers(raw_with(hamstring_test=DROP, pain_areas=["lower_back_centre", "below_knee"]))
    assert validate_answers(raw_with(hamstring_test=DROP, leg_numbness=True))
    assert set(errors_of(raw_with(hamstring_test=DROP))) == {"hamstring_test"}


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


def test_an_emergency_sign_does_not_excuse_the_self_tests_when_other_answers_are_wrong():
    errors = errors_of(raw_with({**dict.fromkeys(SELF_TEST_CODES, DROP), "saddle_numbness": True, "pain_now": 11}))
    assert "pain_now" in errors


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


def test_an_emergency_sign_wins_even_when_none_of_these_is_ticked_too():
    clean = validate_answers(raw_with({"saddle_numbness": True, "no_warning_signs": True, **NO_LATER_STEPS}))
    assert score_answers(clean).triage == "emergency"


def test_an_emergency_sign_excuses_the_fall_question_only():
    assert validate_answers(raw_with({"recent_fall": DROP, "saddle_numbness": True, **NO_LATER_STEPS}))
    assert set(errors_of(raw_with({"recent_fall": DROP, "night_pain": True}))) == {"recent_fall"}


NO_LATER_STEPS = {code: DROP for code in (*SELF_TEST_CODES, *(q.code for q in qn.OUTLOOK.questions))}
