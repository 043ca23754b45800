"""The scoring engine, table by table: triage, rest day, imbalances and advice.

Every case starts from RUNNER_ANSWERS (a self-care runner with no flags), overrides a
few answers and goes through `validate_answers()` first, as production does.
"""

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessments import questionnaire as qn
from assessments.answers import WARNING_SIGNS, skipped, validate_answers
from assessments.scoring import (
    ADVICE_BY_TIER,
    ANSWER,
    CATALOGUE,
    CATALOGUE_BY_CODE,
    IMBALANCE_RULES,
    LIKELY,
    SELF_TEST,
    WHEN_TO_ACT,
    score_answers,
)
from tests.personas import DROP, PREVENTION_ANSWERS, runner_with

SELF_TEST_CODES = tuple(q.code for q in qn.SELF_TESTS.questions)
NO_SELF_TESTS = dict.fromkeys(SELF_TEST_CODES, DROP)


def answers_with(overrides: dict | None = None, **more) -> dict:
    """RUNNER_ANSWERS with some answers changed (DROP removes one), validated."""
    return validate_answers(runner_with(overrides, **more))


def score(overrides: dict | None = None, **more):
    return score_answers(answers_with(overrides, **more))


def imbalance(result, code):
    """The scored imbalance `code`, or None when no rule for it held."""
    return next((i for i in result.imbalances if i.code == code), None)


def advice_codes(result) -> list[str]:
    return [a.code for a in result.advice]


def reason_codes(reasons) -> list[list[str]]:
    return [r.answers for r in reasons]


# A runner with every non-emergency warning sign, the worst habits, the worst pain and the
# worst self-test results: on its own an urgent case with a rest day and lots of advice.
WORST = {
    "age_band": "70_plus",
    "weekly_distance": 300,
    "shoes": "worn",
    "distance_change": "over_30",
    "strength_training": "none",
    "sitting_hours": 14,
    "driving_hours": 10,
    "breaks": "rarely",
    "lumbar_support": "no",
    "screen_height": "laptop",
    "pain_areas": [code for code, _ in qn.PAIN_AREAS],
    "pain_now": 10,
    "pain_duration": "over_12w",
    "pain_when": [code for code, _ in qn.QUESTIONS["pain_when"].choices],
    "pain_eases": ["nothing"],
    "night_position": "eases",  # asked only once the night-pain sign is not ticked
    "pain_began_age": "under_35",
    "inflammatory_signs": ["psoriasis"],
    "run_pain_change": "worse_next_morning",
    "daily_impact": "yes",
    "home_care_weeks": 104,
    "trend": "worse",
    "leg_numbness": True,
    "fever_unwell": True,
    "weight_loss": True,
    "cancer_history": True,
    "night_pain": True,
    "thoracic_constant": True,
    "immune_drugs": True,
    "long_term_steroids": True,
    "osteoporosis": True,
    "first_episode": True,
    "worry": "very",
    "feelings": ["fear_activity", "never_better", "low_mood", "struggling"],
    "hip_flexor_test": "one_side",
    "hamstring_test": "knees",
    "hip_control_test": "one_side",
    "plank_seconds": 0,
    "side_plank_left_seconds": 40,
    "side_plank_right_seconds": 5,
    "wall_head": "not_touching",
    "wall_low_back": "large_gap",
    "knee_to_wall_cm": 0,
}

EMERGENCY_SIGNS = [
    pytest.param({"saddle_numbness": True}, ["saddle_numbness"], id="saddle_numbness"),
    pytest.param({"bladder_bowel": True}, ["bladder_bowel"], id="bladder_bowel"),
    pytest.param({"both_legs_nerve": True}, ["both_legs_nerve"], id="both_legs_nerve_signs"),
    pytest.param({"leg_weakness": True}, ["leg_weakness"], id="leg_weakness"),
    pytest.param({"serious_accident": True}, ["serious_accident"], id="serious_accident"),
    pytest.param(
        {"minor_fall": True, "osteoporosis": True},
        ["minor_fall", "osteoporosis", "long_term_steroids"],
        id="minor_fall_with_osteoporosis",
    ),
    pytest.param(
        {"minor_fall": True, "long_term_steroids": True},
        ["minor_fall", "osteoporosis", "long_term_steroids"],
        id="minor_fall_with_long_term_steroids",
    ),
]


# --- The baseline ------------------------------------------------------------------


def test_the_base_runner_is_self_care_with_nothing_flagged():
    result = score()
    assert (result.triage, result.tier) == ("self_care", "self_care")
    assert result.triage_reasons == []
    assert result.when_to_act == ""
    assert result.rest_day is False
    assert result.rest_day_reasons == []
    assert result.imbalances == []
    assert advice_codes(result) == ["keep_moving", "what_to_expect"]
    assert result.version == qn.QUESTIONNAIRE_VERSION


URGENT_SIGNS = (
    "fever_unwell",
    "weight_loss",
    "cancer_history",
    "night_pain",
    "thoracic_constant",
    "immune_drugs",
    "long_term_steroids",
)
# The worst answers that stop short of the urgent tier: routine, so every piece of advice applies,
# with pain just under the flare level so that the movement checks are asked.
WORST_ROUTINE = {**{k: v for k, v in WORST.items() if k not in URGENT_SIGNS}, "age_band": "40_49", "pain_now": 6}
# ...and without pain into the leg, so that the toe-reach check is asked too.
WORST_CHECKED = {
    **WORST_ROUTINE,
    "leg_numbness": False,
    "pain_areas": [code for code, _ in qn.PAIN_AREAS if code != "below_knee"],
}


def test_the_worst_runner_without_an_emergency_sign_is_urgent_with_only_gentle_advice():
    result = score(WORST)
    assert (result.triage, result.tier) == ("see_professional", "urgent")
    assert result.see_professional is True
    assert result.rest_day is True
    assert set(advice_codes(result)) == {
        "keep_moving",
        "sitting_support",
        "screen_height",
        "ask_about_discs",
        "ask_about_inflammation",
        "talk_to_clinician",
    }
    # the movement checks wait for a doctor: the contributors come from habits and symptoms only
    assert result.imbalances and not any(i.from_self_test for i in result.imbalances)


def test_the_worst_runner_short_of_an_urgent_sign_is_routine_with_every_advice():
    result = score(WORST_ROUTINE)
    assert (result.triage, result.tier) == ("see_professional", "routine")
    assert len(result.advice) >= 10


# --- Triage: each warning sign alone ------------------------------------------------

SINGLE_SIGN_CASES = [
    # emergency
    *[pytest.param(p.values[0], "emergency", "emergency", [p.values[1]], id=p.id) for p in EMERGENCY_SIGNS],
    # urgent tier of see_professional
    pytest.param({"fever_unwell": True}, "see_professional", "urgent", [["fever_unwell"]], id="fever_unwell"),
    pytest.param({"weight_loss": True}, "see_professional", "urgent", [["weight_loss"]], id="weight_loss"),
    pytest.param({"cancer_history": True}, "see_professional", "urgent", [["cancer_history"]], id="cancer_history"),
    pytest.param({"night_pain": True}, "see_professional", "urgent", [["night_pain"]], id="night_pain"),
    pytest.param(
        {"thoracic_constant": True}, "see_professional", "urgent", [["thoracic_constant"]], id="thoracic_constant"
    ),
    pytest.param({"immune_drugs": True}, "see_professional", "urgent", [["immune_drugs"]], id="immune_drugs"),
    pytest.param(
        {"long_term_steroids": True},
        "see_professional",
        "urgent",
        [["long_term_steroids"]],
        id="long_term_steroids_alone",
    ),
    pytest.param(
        {"minor_fall": True, "age_band": "70_plus"},
        "see_professional",
        "urgent",
        [["minor_fall", "age_band"]],
        id="minor_fall_at_70",
    ),
    pytest.param(
        {"pain_when": ["night"], "pain_eases": ["nothing"], "night_position": "constant"},
        "see_professional",
        "urgent",
        [["night_position"]],
        id="night_pain_that_changing_position_does_not_ease",
    ),
    pytest.param(
        {"home_care_weeks": 4, "trend": "same", "age_band": "50_59"},
        "see_professional",
        "urgent",
        [["home_care_weeks", "trend", "age_band"]],
        id="4_weeks_home_care_not_improving_aged_50",
    ),
    # routine tier of see_professional
    pytest.param(
        {"pain_areas": ["lower_back_centre", "below_knee"]},
        "see_professional",
        "routine",
        [["pain_areas"]],
        id="pain_below_knee",
    ),
    pytest.param({"leg_numbness": True}, "see_professional", "routine", [["leg_numbness"]], id="leg_numbness"),
    pytest.param({"minor_fall": True}, "see_professional", "routine", [["minor_fall"]], id="minor_fall_alone"),
    pytest.param(
        {"minor_fall": True, "age_band": "60_69"},
        "see_professional",
        "routine",
        [["minor_fall"]],
        id="minor_fall_at_69",
    ),
    pytest.param({"osteoporosis": True}, "see_professional", "routine", [["osteoporosis"]], id="osteoporosis_alone"),
    pytest.param({"pain_now": 8}, "see_professional", "routine", [["pain_now"]], id="pain_now_8"),
    pytest.param(
        {"pain_duration": "over_12w", "pain_began_age": "45_plus"},
        "see_professional",
        "routine",
        [["pain_duration"]],
        id="pain_for_over_12_weeks",
    ),
    pytest.param({"trend": "worse"}, "see_professional", "routine", [["trend"]], id="trend_worse"),
    pytest.param(
        {"home_care_weeks": 6, "trend": "same"},
        "see_professional",
        "routine",
        [["home_care_weeks", "trend"]],
        id="6_weeks_home_care_not_improving",
    ),
    pytest.param({"daily_impact": "yes"}, "see_professional", "routine", [["daily_impact"]], id="daily_impact_yes"),
    pytest.param(
        {"first_episode": True, "age_band": "50_59"},
        "see_professional",
        "routine",
        [["first_episode", "age_band"]],
        id="first_episode_aged_50",
    ),
    pytest.param({"worry": "very"}, "see_professional", "routine", [["worry"]], id="worry_very"),
    pytest.param({"feelings": ["struggling"]}, "see_professional", "routine", [["feelings"]], id="struggling_to_cope"),
]


@pytest.mark.parametrize(("overrides", "triage", "tier", "codes"), SINGLE_SIGN_CASES)
def test_a_single_warning_sign_sets_its_triage_level_tier_and_names_its_answers(overrides, triage, tier, codes):
    result = score(overrides)
    assert (result.triage, result.tier) == (triage, tier)
    assert reason_codes(result.triage_reasons) == codes
    assert result.when_to_act == WHEN_TO_ACT[tier] != ""
    assert all(reason.text for reason in result.triage_reasons)


def tier_of(reason) -> str:
    """The tier of the triage rule that gave this reason."""
    from assessments.scoring import TRIAGE_RULES

    return next(rule.tier for rule in TRIAGE_RULES if list(rule.when.codes) == reason.answers)


def test_pregnancy_signs_send_the_runner_to_maternity_care_now():
    result = score(pregnancy="pregnant", pregnancy_signs=True)
    assert (result.triage, result.tier) == ("emergency", "emergency")
    assert reason_codes(result.triage_reasons) == [["pregnancy_signs"]]
    assert result.when_to_act.startswith("Now: call your maternity unit or midwife")
    assert "emergency department" in result.when_to_act


def test_a_pregnancy_sign_with_another_emergency_sign_sends_the_runner_to_the_emergency_department():
    result = score(pregnancy="pregnant", pregnancy_signs=True, bladder_bowel=True)
    assert reason_codes(result.triage_reasons) == [["bladder_bowel"], ["pregnancy_signs"]]
    assert result.when_to_act.startswith("Now: go to an emergency department")
    assert result.when_to_act.endswith("tell them you are pregnant.")


def test_pregnancy_signs_are_asked_only_in_pregnancy():
    for pregnancy in ("after_birth", "no"):
        answers = answers_with(pregnancy=pregnancy, pregnancy_signs=True, no_warning_signs=True)
        assert "pregnancy_signs" not in answers
        assert score_answers(answers).tier == "self_care"


def test_it_flags_saddle_numbness_as_emergency_with_the_emergency_instruction():
    result = score(saddle_numbness=True)
    assert result.triage == "emergency"
    assert "emergency" in result.when_to_act.lower()
    assert "saddle" in result.triage_reasons[0].text


NOT_A_SIGN_CASES = [
    pytest.param({"leg_numbness": False, "saddle_numbness": False}, id="unticked_boxes"),
    pytest.param({"worry": "much"}, id="worry_quite_a_lot"),
    pytest.param({"feelings": ["never_better"]}, id="one_worry_about_the_future"),
    pytest.param({"pain_areas": ["upper_back"]}, id="an_upper_back_ache_that_eases_with_moving"),
    pytest.param({"pain_areas": ["leg_muscles_after_run"]}, id="sore_leg_muscles_after_a_race"),
    pytest.param({"pain_when": ["night"], "pain_eases": ["changing_position"]}, id="night_pain_eased_by_moving"),
    pytest.param(
        {"pain_when": ["night"], "pain_eases": ["nothing"], "night_position": "eases"}, id="night_pain_eases_when_asked"
    ),
    pytest.param({"pregnancy": "pregnant"}, id="pregnant"),
    pytest.param({"pain_duration": "6_12w"}, id="pain_for_6_to_12_weeks"),
    pytest.param({"daily_impact": "some"}, id="daily_impact_some"),
    pytest.param({"first_episode": True, "age_band": "40_49"}, id="first_episode_aged_40"),
    pytest.param({"age_band": "70_plus"}, id="aged_70_alone"),
    pytest.param({"pain_areas": ["back_of_thigh", "calf", "knee"]}, id="leg_pain_above_and_around_the_knee"),
    pytest.param({"home_care_weeks": 10, "trend": "better"}, id="long_home_care_but_improving"),
    pytest.param({"home_care_weeks": 10, "trend": "better", "age_band": "60_69"}, id="improving_aged_60"),
]


@pytest.mark.parametrize("overrides", NOT_A_SIGN_CASES)
def test_answers_that_are_not_warning_signs_stay_self_care(overrides):
    result = score(overrides)
    assert result.tier == "self_care"
    assert result.triage_reasons == []


def test_an_emergency_lists_only_the_signs_that_made_it_one():
    result = score(worry="very", fever_unwell=True, saddle_numbness=True, bladder_bowel=True, trend="worse")
    assert result.tier == "emergency"
    assert reason_codes(result.triage_reasons) == [["saddle_numbness"], ["bladder_bowel"]]


def test_see_a_professional_reasons_list_every_sign_that_held_most_serious_tier_first():
    result = score(worry="very", fever_unwell=True, trend="worse")
    assert result.tier == "urgent"
    assert reason_codes(result.triage_reasons) == [["fever_unwell"], ["trend"], ["worry"]]


def test_an_urgent_sign_outranks_routine_signs():
    result = score(cancer_history=True, worry="very", daily_impact="yes", pain_now=9)
    assert (result.triage, result.tier) == ("see_professional", "urgent")
    assert reason_codes(result.triage_reasons)[0] == ["cancer_history"]
    assert len(result.triage_reasons) == 4


# --- Red flags always win ----------------------------------------------------------


@pytest.mark.parametrize(("sign", "codes"), EMERGENCY_SIGNS)
def test_an_emergency_sign_wins_over_the_worst_possible_other_answers(sign, codes):
    answers = answers_with({**WORST, **sign})
    result = score_answers(answers)
    assert (result.triage, result.tier) == ("emergency", "emergency")
    assert result.when_to_act == WHEN_TO_ACT["emergency"]
    assert result.advice == []
    assert result.rest_day is False
    assert result.rest_day_reasons == []
    # only the emergency signs, the first one being this one
    assert result.triage_reasons[0].answers == codes
    assert all("emergency" == tier_of(reason) for reason in result.triage_reasons)
    # nothing after the warning signs was asked, so nothing after them is kept or scored
    assert not {qn.SECTION_OF[code] for code in answers} - {"start", "warning"}
    assert result.imbalances == []


@pytest.mark.parametrize(("sign", "codes"), EMERGENCY_SIGNS)
def test_an_emergency_sign_without_any_self_test_still_scores_as_emergency(sign, codes):
    result = score({**NO_SELF_TESTS, **sign})
    assert result.tier == "emergency"
    assert result.advice == []
    assert reason_codes(result.triage_reasons) == [codes]


# --- Thresholds at and around their boundaries --------------------------------------

TRIAGE_BOUNDARY_CASES = [
    pytest.param({"pain_now": 7}, "self_care", id="pain_now_7_is_not_routine"),
    pytest.param({"pain_now": 8}, "routine", id="pain_now_8_is_routine"),
    pytest.param(
        {"home_care_weeks": 3, "trend": "same", "age_band": "50_59"}, "self_care", id="3_weeks_aged_50_is_not_urgent"
    ),
    pytest.param(
        {"home_care_weeks": 4, "trend": "same", "age_band": "50_59"}, "urgent", id="4_weeks_aged_50_is_urgent"
    ),
    pytest.param(
        {"home_care_weeks": 4, "trend": "same", "age_band": "40_49"}, "self_care", id="4_weeks_aged_40_is_not_urgent"
    ),
    pytest.param(
        {"home_care_weeks": 4, "trend": "better", "age_band": "70_plus"},
        "self_care",
        id="4_weeks_aged_70_improving_is_not_urgent",
    ),
    pytest.param({"home_care_weeks": 5, "trend": "same"}, "self_care", id="5_weeks_is_not_routine"),
    pytest.param({"home_care_weeks": 6, "trend": "same"}, "routine", id="6_weeks_is_routine"),
    pytest.param(
        {"home_care_weeks": 6, "trend": "same", "age_band": "60_69"}, "urgent", id="6_weeks_aged_60_is_urgent"
    ),
]


@pytest.mark.parametrize(("overrides", "tier"), TRIAGE_BOUNDARY_CASES)
def test_a_triage_threshold_switches_exactly_at_its_boundary(overrides, tier):
    assert score(overrides).tier == tier


REST_DAY_CASES = [
    pytest.param({"pain_now": 6}, [], id="pain_now_6_no_rest_day"),
    pytest.param({"pain_now": 7}, [["pain_now"]], id="pain_now_7_rest_day"),
    pytest.param({"run_pain_change": "slightly_worse"}, [], id="slightly_worse_after_run_no_rest_day"),
    pytest.param({"run_pain_change": "no_recent_run"}, [], id="no_recent_run_no_rest_day"),
    pytest.param({"run_pain_change": "much_worse"}, [["run_pain_change"]], id="much_worse_after_run_rest_day"),
    pytest.param({"run_pain_change": "worse_next_morning"}, [["run_pain_change"]], id="worse_next_morning_rest_day"),
    pytest.param({"distance_change": "up_10_30"}, [], id="distance_up_10_30_no_rest_day"),
    pytest.param({"distance_change": "over_30"}, [["distance_change"]], id="distance_over_30_rest_day"),
    pytest.param(
        {"pain_areas": ["lower_back_centre", "leg_muscles_after_run"]},
        [["pain_areas"]],
        id="sore_leg_muscles_after_a_race_rest_day",
    ),
    pytest.param(
        {
            "run_pain_change": "much_worse",
            "pain_now": 9,
            "distance_change": "over_30",
            "pain_areas": ["leg_muscles_after_run"],
        },
        [["run_pain_change"], ["pain_now"], ["distance_change"], ["pain_areas"]],
        id="every_rest_day_rule_at_once",
    ),
]


@pytest.mark.parametrize(("overrides", "codes"), REST_DAY_CASES)
def test_the_rest_day_rules_name_the_answers_that_raised_them(overrides, codes):
    result = score(overrides)
    assert result.rest_day is bool(codes)
    assert reason_codes(result.rest_day_reasons) == codes


def test_a_rest_day_is_kept_when_the_runner_should_see_a_professional():
    result = score(fever_unwell=True, run_pain_change="much_worse")
    assert result.tier == "urgent"
    assert result.rest_day is True


def test_there_is_no_rest_day_in_an_emergency_even_when_every_rest_day_rule_holds():
    result = score(bladder_bowel=True, run_pain_change="much_worse", pain_now=9, distance_change="over_30")
    assert result.rest_day is False
    assert result.rest_day_reasons == []


# (overrides, imbalance, expected score or None when the imbalance is not found)
IMBALANCE_BOUNDARY_CASES = [
    # seated hours (sitting + driving), 6 h or more
    pytest.param({"sitting_hours": 5.5}, "tight_hip_flexors", None, id="sitting_5.5h_not_long"),
    pytest.param({"sitting_hours": 6}, "tight_hip_flexors", 20, id="sitting_6h_long"),
    pytest.param({"sitting_hours": 4, "driving_hours": 2}, "tight_hip_flexors", 20, id="sitting_plus_driving_6h_long"),
    pytest.param({"sitting_hours": 3.5, "driving_hours": 2}, "tight_hip_flexors", None, id="sitting_plus_driving_5.5h"),
    pytest.param({"sitting_hours": 8.5}, "tight_hip_flexors", 20, id="sitting_8.5h_not_very_long"),
    pytest.param({"sitting_hours": 9}, "tight_hip_flexors", 30, id="sitting_9h_very_long"),
    pytest.param({"sitting_hours": 5.5}, "desk_posture", None, id="desk_5.5h"),
    pytest.param({"sitting_hours": 6}, "desk_posture", 20, id="desk_6h"),
    pytest.param({"sitting_hours": 0, "driving_hours": 1.5}, "tight_piriformis", None, id="driving_1.5h"),
    pytest.param({"sitting_hours": 0, "driving_hours": 2}, "tight_piriformis", 15, id="driving_2h"),
    # front plank: under 30 s is 50 points, 30 to 59 s is 30, 60 s is fine
    pytest.param({"plank_seconds": 0}, "weak_trunk", 50, id="plank_0s"),
    pytest.param({"plank_seconds": 29}, "weak_trunk", 50, id="plank_29s"),
    pytest.param({"plank_seconds": 30}, "weak_trunk", 30, id="plank_30s"),
    pytest.param({"plank_seconds": 59}, "weak_trunk", 30, id="plank_59s"),
    pytest.param({"plank_seconds": 60}, "weak_trunk", None, id="plank_60s"),
    # knee to wall: under 10 cm is a stiff ankle
    pytest.param({"knee_to_wall_cm": 9.9}, "tight_calves", 50, id="knee_to_wall_9.9cm"),
    pytest.param({"knee_to_wall_cm": 10}, "tight_calves", None, id="knee_to_wall_10cm"),
    # side plank: the weaker side under 20 s
    pytest.param(
        {"side_plank_left_seconds": 19, "side_plank_right_seconds": 19}, "weak_trunk", 25, id="side_plank_19s"
    ),
    pytest.param(
        {"side_plank_left_seconds": 20, "side_plank_right_seconds": 20}, "weak_trunk", None, id="side_plank_20s"
    ),
    pytest.param({"side_plank_left_seconds": 19}, "weak_trunk", 25, id="one_side_plank_19s"),
    pytest.param({"side_plank_right_seconds": 20}, "weak_trunk", None, id="one_side_plank_20s"),
    # side-plank asymmetry: a quarter or more of the longer hold, once a hold reaches 10 s
    pytest.param(
        {"side_plank_left_seconds": 40, "side_plank_right_seconds": 30},
        "one_sided_pelvis",
        30,
        id="side_planks_25pct_apart",
    ),
    pytest.param(
        {"side_plank_left_seconds": 31, "side_plank_right_seconds": 40},
        "one_sided_pelvis",
        None,
        id="side_planks_22pct_apart",
    ),
    pytest.param(
        {"side_plank_left_seconds": 10, "side_plank_right_seconds": 7},
        "one_sided_pelvis",
        30,
        id="side_planks_10s_and_7s",
    ),
    pytest.param(
        {"side_plank_left_seconds": 9, "side_plank_right_seconds": 0},
        "one_sided_pelvis",
        None,
        id="side_planks_both_under_10s",
    ),
    pytest.param({"side_plank_left_seconds": 60}, "one_sided_pelvis", None, id="only_one_side_plank"),
    # weekly distance: 40 km or more, miles converted
    pytest.param({"weekly_distance": 39.5}, "tight_calves", None, id="distance_39.5km"),
    pytest.param({"weekly_distance": 40}, "tight_calves", 10, id="distance_40km"),
    pytest.param({"weekly_distance": 24.8, "distance_unit": "mi"}, "tight_calves", None, id="distance_24.8mi"),
    pytest.param({"weekly_distance": 25, "distance_unit": "mi"}, "tight_calves", 10, id="distance_25mi"),
    # the toe reach: knees 50, shins 35
    pytest.param({"hamstring_test": "knees"}, "tight_hamstrings", 50, id="reach_knees"),
    pytest.param({"hamstring_test": "shins"}, "tight_hamstrings", 35, id="reach_shins"),
    pytest.param({"hamstring_test": "toes"}, "tight_hamstrings", None, id="reach_toes"),
    pytest.param({"hamstring_test": "could_not"}, "tight_hamstrings", None, id="reach_could_not"),
    # a self-test left out or skipped is no evidence
    pytest.param({"plank_seconds": None}, "weak_trunk", None, id="plank_left_empty"),
    pytest.param({"wall_low_back": "could_not"}, "anterior_pelvic_tilt", None, id="wall_could_not"),
]


@pytest.mark.parametrize(("overrides", "code", "expected"), IMBALANCE_BOUNDARY_CASES)
def test_an_imbalance_threshold_scores_as_the_rule_table_says(overrides, code, expected):
    found = imbalance(score(overrides), code)
    assert (found.score if found else None) == expected


LIKELIHOOD_CASES = [
    pytest.param({"wall_head": "not_touching", "screen_height": "laptop"}, "desk_posture", 60, "likely", id="60"),
    pytest.param({"wall_head": "not_touching", "breaks": "rarely"}, "desk_posture", 55, "possible", id="55"),
    pytest.param({"hip_control_test": "both_sides"}, "tight_piriformis", 30, "possible", id="30"),
    pytest.param({"pain_areas": ["buttock"]}, "tight_piriformis", 20, "unlikely", id="20"),
    pytest.param({"plank_seconds": 50, "side_plank_left_seconds": 15}, "weak_trunk", 55, "possible", id="55_trunk"),
    pytest.param({"side_plank_left_seconds": 15}, "weak_trunk", 25, "unlikely", id="25"),
    pytest.param({"strength_training": "none"}, "weak_glutes", 20, "unlikely", id="20"),
]


@pytest.mark.parametrize(("overrides", "code", "expected_score", "likelihood"), LIKELIHOOD_CASES)
def test_an_imbalance_is_likely_from_60_and_possible_from_30(overrides, code, expected_score, likelihood):
    found = imbalance(score(overrides), code)
    assert (found.score, found.likelihood) == (expected_score, likelihood)


# --- Every imbalance can be reached ------------------------------------------------

LIKELY_CASES = {
    "tight_hip_flexors": ({"hip_flexor_test": "both_sides", "pain_areas": ["lower_back_centre", "front_of_hip"]}, 65),
    "weak_glutes": ({"hip_control_test": "both_sides", "strength_training": "none"}, 65),
    "tight_hamstrings": ({"hamstring_test": "knees", "pain_areas": ["back_of_thigh"]}, 65),
    "weak_trunk": ({"plank_seconds": 20, "side_plank_left_seconds": 15, "side_plank_right_seconds": 15}, 75),
    "anterior_pelvic_tilt": ({"wall_low_back": "large_gap", "hip_flexor_test": "both_sides"}, 70),
    "flat_back": ({"wall_low_back": "no_gap", "hamstring_test": "shins"}, 70),
    "one_sided_pelvis": ({"hip_control_test": "one_side", "hip_flexor_test": "one_side"}, 70),
    "desk_posture": ({"wall_head": "not_touching", "screen_height": "laptop"}, 60),
    "tight_calves": ({"knee_to_wall_cm": 6, "pain_areas": ["calf"]}, 70),
    "tight_piriformis": ({"hip_control_test": "both_sides", "pain_areas": ["buttock"], "pain_when": ["sitting"]}, 65),
}


def test_the_reachability_table_covers_the_whole_catalogue():
    assert set(LIKELY_CASES) == set(CATALOGUE_BY_CODE)
    assert len(CATALOGUE) == 10


@pytest.mark.parametrize(
    ("code", "overrides", "expected"), [(c, o, s) for c, (o, s) in LIKELY_CASES.items()], ids=list(LIKELY_CASES)
)
def test_each_imbalance_reaches_likely_with_self_test_evidence(code, overrides, expected):
    found = imbalance(score(overrides), code)
    assert found is not None
    assert found.score == expected >= LIKELY
    assert found.likelihood == "likely"
    assert found.from_self_test is True
    entry = CATALOGUE_BY_CODE[code]
    assert (found.label, found.tight, found.weak) == (entry.label, list(entry.tight), list(entry.weak))
    # the reasons add up to the score and name real questions
    assert all(set(r.answers) <= set(qn.QUESTIONS) and r.answers for r in found.reasons)


def test_an_imbalance_score_is_capped_at_100():
    result = score(
        hip_control_test="one_side",
        hip_flexor_test="one_side",
        side_plank_left_seconds=40,
        side_plank_right_seconds=20,
        pain_areas=["lower_back_one_side"],
    )  # 40 + 30 + 30 + 20 = 120
    assert imbalance(result, "one_sided_pelvis").score == 100


def test_imbalances_are_sorted_by_score_highest_first_with_catalogue_order_for_ties():
    result = score(WORST)
    scores = [i.score for i in result.imbalances]
    assert scores == sorted(scores, reverse=True)
    assert len(scores) == len(CATALOGUE)
    order = [c.code for c in CATALOGUE]
    for a, b in zip(result.imbalances, result.imbalances[1:], strict=False):
        if a.score == b.score:
            assert order.index(a.code) < order.index(b.code)


def test_imbalances_found_only_from_habits_are_sorted_too():
    result = score(sitting_hours=10, strength_training="none", pain_areas=["buttock"], pain_when=["sitting"])
    codes = [(i.code, i.score) for i in result.imbalances]
    assert codes[0] == ("weak_glutes", 40)
    assert [s for _, s in codes] == sorted((s for _, s in codes), reverse=True)


# --- Self-test evidence weighs more than habits ------------------------------------

# For each imbalance: its strongest self-test finding alone, and its strongest habit alone.
SELF_TEST_VS_HABIT = [
    pytest.param("tight_hip_flexors", {"hip_flexor_test": "both_sides"}, {"sitting_hours": 6}, id="tight_hip_flexors"),
    pytest.param("weak_glutes", {"hip_control_test": "both_sides"}, {"strength_training": "none"}, id="weak_glutes"),
    pytest.param(
        "tight_hamstrings", {"hamstring_test": "knees"}, {"pain_areas": ["back_of_thigh"]}, id="tight_hamstrings"
    ),
    pytest.param("weak_trunk", {"plank_seconds": 10}, {"strength_training": "none"}, id="weak_trunk"),
    pytest.param(
        "anterior_pelvic_tilt", {"wall_low_back": "large_gap"}, {"pain_when": ["arching"]}, id="anterior_pelvic_tilt"
    ),
    pytest.param("flat_back", {"wall_low_back": "no_gap"}, {"pain_when": ["sitting"]}, id="flat_back"),
    pytest.param(
        "one_sided_pelvis",
        {"hip_control_test": "one_side"},
        {"pain_areas": ["lower_back_one_side"]},
        id="one_sided_pelvis",
    ),
    pytest.param("desk_posture", {"wall_head": "not_touching"}, {"sitting_hours": 6}, id="desk_posture"),
    pytest.param("tight_calves", {"knee_to_wall_cm": 5}, {"pain_areas": ["calf"]}, id="tight_calves"),
    pytest.param(
        "tight_piriformis",
        {"hip_control_test": "both_sides"},
        {"pain_areas": ["buttock"]},
        id="tight_piriformis",
    ),
]


@pytest.mark.parametrize(("code", "self_test", "habit"), SELF_TEST_VS_HABIT)
def test_a_self_test_finding_weighs_more_than_a_habit_for_the_same_imbalance(code, self_test, habit):
    measured = imbalance(score(self_test), code)
    inferred = imbalance(score(habit), code)
    assert measured.from_self_test is True
    assert {r.source for r in measured.reasons} == {SELF_TEST}
    assert inferred.from_self_test is False
    assert {r.source for r in inferred.reasons} == {ANSWER}
    assert measured.score > inferred.score


def test_reasons_are_listed_heaviest_first_with_their_source():
    found = imbalance(score(hip_flexor_test="both_sides", sitting_hours=10, pain_when=["arching"]), "tight_hip_flexors")
    assert found.score == 50 + 20 + 10 + 10
    assert [(r.source, r.answers) for r in found.reasons] == [
        (SELF_TEST, ["hip_flexor_test"]),
        (ANSWER, ["sitting_hours", "driving_hours"]),
        (ANSWER, ["sitting_hours", "driving_hours"]),
        (ANSWER, ["pain_when"]),
    ]


RULE_TABLE_IMBALANCES = [pytest.param(code, id=code) for code in CATALOGUE_BY_CODE]


@pytest.mark.parametrize("code", RULE_TABLE_IMBALANCES)
def test_in_the_rule_table_every_self_test_finding_outweighs_every_habit(code):
    rules = [r for r in IMBALANCE_RULES if r.imbalance == code]
    measured = [r.points for r in rules if r.source == SELF_TEST]
    inferred = [r.points for r in rules if r.source == ANSWER]
    assert measured, f"{code} has no self-test rule"
    assert min(measured) > max(inferred, default=0)


# --- Advice -------------------------------------------------------------------------

ADVICE_CASES = [
    pytest.param("sitting_support", {"sitting_hours": 6}, True, id="sitting_support_6h"),
    pytest.param("sitting_support", {"sitting_hours": 5.5}, False, id="no_sitting_support_5.5h"),
    pytest.param("sitting_support", {"sitting_hours": 0, "driving_hours": 2}, True, id="sitting_support_driving_2h"),
    pytest.param("sitting_support", {"breaks": "every_2h"}, True, id="sitting_support_breaks_every_2h"),
    pytest.param("sitting_support", {"breaks": "rarely"}, True, id="sitting_support_breaks_rarely"),
    pytest.param("sitting_support", {"breaks": "every_30"}, False, id="no_sitting_support_breaks_every_30"),
    pytest.param("sitting_support", {"lumbar_support": "no"}, True, id="sitting_support_no_lumbar_support"),
    pytest.param("sitting_support", {"lumbar_support": "partly"}, False, id="no_sitting_support_partly"),
    pytest.param("screen_height", {"screen_height": "below"}, True, id="screen_below"),
    pytest.param("screen_height", {"screen_height": "laptop"}, True, id="screen_laptop"),
    pytest.param("screen_height", {"screen_height": "none"}, False, id="no_screen"),
    pytest.param("rest_after_run", {"run_pain_change": "much_worse"}, True, id="rest_after_run_much_worse"),
    pytest.param("rest_after_run", {"run_pain_change": "worse_next_morning"}, True, id="rest_after_run_next_morning"),
    pytest.param("rest_after_run", {"run_pain_change": "slightly_worse"}, False, id="no_rest_after_run_slightly"),
    pytest.param("hold_volume", {"distance_change": "over_30"}, True, id="hold_volume_over_30"),
    pytest.param("hold_volume", {"distance_change": "up_10_30"}, False, id="no_hold_volume_up_10_30"),
    pytest.param("fitted_shoes", {"shoes": "worn"}, True, id="shoes_worn"),
    pytest.param("fitted_shoes", {"shoes": "unknown"}, False, id="no_shoes_unknown_wear"),
    pytest.param("fitted_shoes", {"shoes": "off_the_shelf", "pain_areas": ["knee"]}, True, id="shoes_off_shelf_knee"),
    # Tingling below the knee comes from a nerve: shoes are not the answer to it.
    pytest.param(
        "fitted_shoes",
        {"shoes": "off_the_shelf", "pain_areas": ["lower_back_centre", "below_knee"]},
        False,
        id="no_shoes_for_nerve_symptoms",
    ),
    pytest.param("fitted_shoes", {"shoes": "off_the_shelf"}, False, id="no_shoes_off_shelf_back_pain_only"),
    pytest.param("fitted_shoes", {"shoes": "fitted", "pain_areas": ["calf"]}, False, id="no_shoes_fitted_calf"),
    pytest.param("massage", {"hamstring_test": "knees"}, True, id="massage_hamstrings_50"),
    pytest.param("massage", {"hamstring_test": "shins"}, False, id="no_massage_hamstrings_35"),
    pytest.param(
        "massage", {"hamstring_test": "shins", "pain_areas": ["back_of_thigh"]}, True, id="massage_hamstrings_50_mixed"
    ),
    pytest.param("massage", {"knee_to_wall_cm": 5}, True, id="massage_calves_50"),
    pytest.param("massage", {"sitting_hours": 9, "pain_when": ["arching"]}, True, id="massage_hip_flexors_at_40"),
    pytest.param("massage", {"sitting_hours": 9}, False, id="no_massage_hip_flexors_30"),
    pytest.param("massage", {"wall_head": "not_touching"}, False, id="no_massage_for_desk_posture"),
    pytest.param("ask_about_discs", {"pain_areas": ["below_knee"]}, True, id="discs_below_knee"),
    pytest.param("ask_about_discs", {"leg_numbness": True}, True, id="discs_leg_numbness"),
    pytest.param("ask_about_discs", {"pain_areas": ["back_of_thigh"]}, False, id="no_discs_thigh"),
    pytest.param("keep_moving", {}, True, id="keep_moving_with_pain"),
    pytest.param("keep_moving", {"reason": "prevention"}, False, id="no_keep_moving_for_prevention"),
    pytest.param("stay_strong", {"reason": "prevention"}, True, id="stay_strong_for_prevention"),
    pytest.param("stay_strong", {}, False, id="no_stay_strong_with_pain"),
    pytest.param("what_to_expect", {"pain_duration": "under_1w"}, True, id="what_to_expect_new_pain"),
    pytest.param("what_to_expect", {"pain_duration": "1_6w"}, True, id="what_to_expect_under_6_weeks"),
    pytest.param("what_to_expect", {"pain_duration": "6_12w"}, False, id="no_what_to_expect_6_12_weeks"),
    pytest.param(
        "persistent_pain",
        {"pain_duration": "over_12w", "pain_began_age": "45_plus"},
        True,
        id="persistent_pain_over_12_weeks",
    ),
    pytest.param("persistent_pain", {"pain_duration": "6_12w"}, False, id="no_persistent_pain_6_12_weeks"),
    pytest.param(
        "ask_about_inflammation",
        {
            "pain_duration": "over_12w",
            "pain_began_age": "under_35",
            "pain_when": ["morning_stiffness"],
            "inflammatory_signs": ["late_night"],
        },
        True,
        id="inflammation_3_features",
    ),
    pytest.param(
        "ask_about_inflammation",
        {
            "pain_duration": "over_12w",
            "pain_began_age": "under_35",
            "inflammatory_signs": ["late_night"],
            "pain_eases": [],
        },
        False,
        id="no_inflammation_2_features",
    ),
    pytest.param("pregnancy", {"pregnancy": "after_birth"}, True, id="pregnancy_after_birth"),
    pytest.param("pregnancy", {"pregnancy": "no"}, False, id="no_pregnancy_advice"),
    pytest.param("strength", {"strength_training": "none"}, True, id="strength_none"),
    pytest.param("strength", {"strength_training": "under_weekly"}, True, id="strength_under_weekly"),
    pytest.param("strength", {"strength_training": "weekly_1_2"}, False, id="no_strength_weekly"),
    pytest.param("physio_check", {"home_care_weeks": 1, "trend": "same"}, False, id="no_physio_1_week"),
    pytest.param("physio_check", {"home_care_weeks": 2, "trend": "same"}, True, id="physio_2_weeks"),
    pytest.param("physio_check", {"home_care_weeks": 5, "trend": "worse"}, True, id="physio_5_weeks_worse"),
    pytest.param("physio_check", {"home_care_weeks": 6, "trend": "same"}, False, id="no_physio_6_weeks_routine"),
    pytest.param("physio_check", {"home_care_weeks": 3, "trend": "better"}, False, id="no_physio_improving"),
    pytest.param(
        "talk_to_clinician",
        {"worry": "much", "feelings": ["fear_activity", "never_better"]},
        True,
        id="clinician_3_yellow_flags",
    ),
    pytest.param(
        "talk_to_clinician",
        {"feelings": ["low_mood", "never_better"], "daily_impact": "yes"},
        True,
        id="clinician_3_other_yellow_flags",
    ),
    pytest.param(
        "talk_to_clinician", {"worry": "much", "feelings": ["fear_activity"]}, False, id="no_clinician_2_yellow_flags"
    ),
    pytest.param(
        "talk_to_clinician",
        {"worry": "some", "feelings": ["struggling"], "daily_impact": "some"},
        False,
        id="no_clinician_middle_answers",
    ),
]


@pytest.mark.parametrize(("code", "overrides", "given"), ADVICE_CASES)
def test_each_advice_item_appears_exactly_when_its_answers_call_for_it(code, overrides, given):
    result = score(overrides)
    assert (code in advice_codes(result)) is given
    for item in result.advice:
        assert item.reasons and all(isinstance(r, str) and r for r in item.reasons)
        assert item.title and item.text


def test_every_advice_rule_has_a_case_that_gives_it_and_one_that_does_not():
    from assessments.scoring import ADVICE_RULES

    given = {p.values[0] for p in ADVICE_CASES if p.values[2]}
    withheld = {p.values[0] for p in ADVICE_CASES if not p.values[2]}
    assert given == {r.code for r in ADVICE_RULES}
    assert withheld == given


def test_keep_moving_is_always_the_first_advice_outside_an_emergency():
    for overrides in ({}, WORST, {"fever_unwell": True}, {"worry": "very"}):
        assert advice_codes(score(overrides))[0] == "keep_moving"
    assert "keep_moving" not in advice_codes(score(saddle_numbness=True))


def test_advice_reasons_quote_the_answers():
    result = score(shoes="off_the_shelf", pain_areas=["knee", "calf"], hamstring_test="knees")
    items = {a.code: a.reasons for a in result.advice}
    assert items["fitted_shoes"] == ["off-the-shelf shoes with knee and calf pain"]
    assert items["massage"] == ["tight hamstrings scored 50"]


def test_advice_reasons_name_pain_areas_in_words_not_codes():
    result = score(shoes="off_the_shelf", pain_areas=["lower_back_centre", "knee"])
    reasons = {a.code: a.reasons for a in result.advice}["fitted_shoes"]
    assert reasons == ["off-the-shelf shoes with knee pain"]
    assert not any("_" in reason for item in result.advice for reason in item.reasons)


EVERY_FINDING = [
    pytest.param(
        {"hip_flexor_test": hip, "hamstring_test": reach, "hip_control_test": control, "wall_low_back": wall},
        id=f"{hip}-{reach}-{control}-{wall}",
    )
    for hip, reach, control, wall in [
        ("one_side", "knees", "one_side", "large_gap"),
        ("both_sides", "shins", "both_sides", "no_gap"),
    ]
]


@pytest.mark.parametrize("findings", EVERY_FINDING)
def test_every_reason_is_a_plain_sentence_in_our_words(findings):
    result = score({**WORST_ROUTINE, **findings, "wall_head": "not_touching", "knee_to_wall_cm": 5})
    texts = [r.text for i in result.imbalances for r in i.reasons] + [r for a in result.advice for r in a.reasons]
    texts += [r.text for r in result.triage_reasons + result.rest_day_reasons]
    assert len(texts) > 40
    for text in texts:
        assert isinstance(text, str) and text and not text[0].isupper(), text
        assert " I " not in f" {text} " and " my " not in f" {text} ", text
        assert not set("_{}[]'") & set(text), text


@pytest.mark.parametrize(
    ("code", "normal"),
    [
        ("tight_hip_flexors", {"hip_flexor_test": "flat"}),
        ("tight_hamstrings", {"hamstring_test": "toes"}),
        ("weak_glutes", {"hip_control_test": "steady"}),
        ("weak_trunk", {"plank_seconds": 90, "side_plank_left_seconds": 30, "side_plank_right_seconds": 30}),
        ("anterior_pelvic_tilt", {"wall_low_back": "hand_fits"}),
        ("flat_back", {"wall_low_back": "large_gap"}),
        ("desk_posture", {"wall_head": "touches"}),
        ("tight_calves", {"knee_to_wall_cm": 12}),
    ],
)
def test_a_normal_movement_check_outweighs_every_habit(code, normal):
    habits_only = imbalance(
        score(
            WORST_CHECKED,
            hip_flexor_test="skip",
            hamstring_test="skip",
            hip_control_test="skip",
            wall_head="skip",
            wall_low_back="skip",
        ),
        code,
    )
    checked = imbalance(score({**WORST_CHECKED, **normal}), code)
    assert habits_only.score >= 30
    assert checked.score == 29
    assert checked.likelihood == "unlikely"
    assert checked.reasons[0].source == SELF_TEST
    assert "outweighs the other signs" in checked.reasons[0].text


def test_back_of_thigh_pain_is_not_read_as_tight_hamstrings_with_pain_into_the_leg():
    plain = imbalance(score(pain_areas=["back_of_thigh"]), "tight_hamstrings")
    assert plain.score == 15
    with_nerve = score(pain_areas=["back_of_thigh", "below_knee"])
    assert "tight_hamstrings" not in {i.code for i in with_nerve.imbalances}


def test_advice_follows_the_rule_table_order():
    from assessments.scoring import ADVICE_RULES

    order = [r.code for r in ADVICE_RULES]
    codes = advice_codes(score(WORST_ROUTINE))
    assert codes == sorted(codes, key=order.index)
    # 104 weeks is past the physio window; over 12 weeks is not new pain; no pregnancy; with pain
    assert set(codes) == set(order) - {"physio_check", "what_to_expect", "pregnancy", "stay_strong"}


# --- Determinism and serialisation ---------------------------------------------------


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({}, id="base"),
        pytest.param(WORST, id="worst"),
        pytest.param({"both_legs_nerve": True}, id="emergency"),
    ],
)
def test_the_same_answers_always_give_the_identical_result(overrides):
    first = score(overrides).as_dict()
    second = score(overrides).as_dict()
    assert first == second
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_the_order_of_answers_and_of_ticked_boxes_does_not_change_the_result():
    raw = runner_with(WORST)
    reordered = dict(reversed(list(raw.items())))
    reordered["pain_areas"] = list(reversed(raw["pain_areas"]))
    reordered["pain_when"] = list(reversed(raw["pain_when"]))
    assert score_answers(validate_answers(raw)).as_dict() == score_answers(validate_answers(reordered)).as_dict()


def test_the_result_turns_into_plain_json():
    data = score(WORST).as_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data) == {
        "version",
        "triage",
        "tier",
        "when_to_act",
        "triage_reasons",
        "rest_day",
        "rest_day_reasons",
        "imbalances",
        "advice",
        "flags",
        "prevention",
    }
    assert set(data["triage_reasons"][0]) == {"text", "answers", "source"}
    assert {"code", "label", "score", "likelihood", "reasons", "tight", "weak", "from_self_test"} <= set(
        data["imbalances"][0]
    )


def test_every_reason_names_questions_that_exist():
    result = score(WORST)
    reasons = [*result.triage_reasons, *result.rest_day_reasons, *(r for i in result.imbalances for r in i.reasons)]
    assert reasons
    for reason in reasons:
        assert reason.answers and set(reason.answers) <= set(qn.QUESTIONS), reason


# --- Properties over random valid answers --------------------------------------------

EMERGENCY_TICKS = ("saddle_numbness", "bladder_bowel", "both_legs_nerve", "leg_weakness")


def _value_strategy(q: qn.Question):
    codes = [c for c, _ in q.choices]
    if q.code == "age_band":
        return st.sampled_from([c for c in codes if c != qn.UNDER_18])  # refused: the check is for adults
    if q.type == qn.BOOL:
        return st.booleans()
    if q.type == qn.CHOICE:
        return st.sampled_from(codes)
    if q.type == qn.MULTI:
        return st.lists(st.sampled_from(codes), unique=True, min_size=1 if q.required else 0)
    if q.type == qn.INT:
        return st.integers(int(q.min), int(q.max))
    if q.type == qn.NUMBER:
        return st.one_of(
            st.integers(int(q.min), int(q.max)),
            st.floats(q.min, q.max, allow_nan=False, allow_infinity=False),
        )
    if q.type == qn.TEXT:
        return st.text(st.characters(blacklist_characters="\x00"), max_size=q.max_length)
    raise AssertionError(q.type)


@st.composite
def valid_answers(draw) -> dict:
    """Random answers that fit the questionnaire, built from its own definition. Every question
    gets an answer (optional ones often none): validate_answers drops those not asked."""
    raw = {}
    for q in qn.QUESTIONS.values():
        if not q.required and draw(st.booleans()):
            continue  # optional answers are often left out
        raw[q.code] = draw(_value_strategy(q))
    raw["consent"] = True
    # keep the cross-field rules
    if raw["sitting_hours"] + raw["driving_hours"] > 24:
        raw["driving_hours"] = math.floor(24 - raw["sitting_hours"])
    for code, only in (("pain_eases", "nothing"), ("feelings", "none")):
        if only in raw.get(code, ()) and len(raw[code]) > 1:
            raw[code] = [only] if draw(st.booleans()) else [c for c in raw[code] if c != only]
    # the warning signs are answered explicitly: some ticked, or "none of these" (those asked)
    asked = skipped(raw)
    raw["no_warning_signs"] = not any(raw.get(code) is True and code not in asked for code in WARNING_SIGNS)
    return raw


def _has_emergency_sign(answers: dict) -> bool:
    """An independent restatement of the emergency row of CLINICAL.md's table (on validated answers)."""
    return (
        any(answers.get(code) is True for code in EMERGENCY_TICKS)
        or answers.get("serious_accident") is True
        or (
            answers.get("minor_fall") is True
            and (answers.get("osteoporosis") is True or answers.get("long_term_steroids") is True)
        )
        or answers.get("pregnancy_signs") is True
    )


@settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_answers())
def test_random_valid_answers_always_score_into_a_sound_json_result(raw):
    clean = validate_answers(raw)
    result = score_answers(clean)
    data = result.as_dict()

    assert json.loads(json.dumps(data)) == data
    assert score_answers(clean).as_dict() == data  # deterministic
    assert (result.tier == "emergency") is _has_emergency_sign(clean)
    if result.tier == "emergency":
        assert result.triage == "emergency"
        assert result.advice == []
        assert result.rest_day is False
        assert {qn.SECTION_OF[code] for code in clean} <= {"start", "warning"}
    else:
        assert result.advice[0].code == ("stay_strong" if result.prevention else "keep_moving")
        assert {a.code for a in result.advice} <= ADVICE_BY_TIER[result.tier]
    assert result.triage == {"emergency": "emergency", "urgent": "see_professional", "routine": "see_professional"}.get(
        result.tier, "self_care"
    )
    assert bool(result.triage_reasons) is (result.tier != "self_care")
    assert result.rest_day is bool(result.rest_day_reasons)

    scores = [i.score for i in result.imbalances]
    assert scores == sorted(scores, reverse=True)
    for found in result.imbalances:
        assert 0 < found.score <= 100
        assert found.likelihood == ("likely" if found.score >= 60 else "possible" if found.score >= 30 else "unlikely")
        assert found.from_self_test is any(r.source == SELF_TEST for r in found.reasons)
    for reason in [
        *result.triage_reasons,
        *result.rest_day_reasons,
        *(r for i in result.imbalances for r in i.reasons),
    ]:
        assert reason.answers and set(reason.answers) <= set(qn.QUESTIONS)


# --- Caution flags for the exercise programme ------------------------------------------

FLAG_CASES = [
    pytest.param({}, {}, id="no_flags"),
    pytest.param(
        {"pain_areas": ["below_knee"]},
        {"nerve_signs": ["pain_areas"], "flexion_sensitive": ["pain_areas"]},
        id="pain_below_knee",
    ),
    pytest.param(
        {"leg_numbness": True},
        {"nerve_signs": ["leg_numbness"], "flexion_sensitive": ["leg_numbness"]},
        id="one_leg_numbness",
    ),
    pytest.param({"pain_when": ["bending"]}, {"flexion_sensitive": ["pain_when"]}, id="bending_hurts"),
    pytest.param({"pain_when": ["arching"]}, {"extension_sensitive": ["pain_when"]}, id="arching_hurts"),
    pytest.param({"pain_now": 7}, {"acute_flare": ["pain_now"]}, id="pain_7_is_a_flare"),
    pytest.param({"pain_now": 6}, {}, id="pain_6_is_not"),
    pytest.param({"run_pain_change": "much_worse"}, {"acute_flare": ["run_pain_change"]}, id="painful_last_run"),
    pytest.param(
        {"run_pain_change": "worse_next_morning"}, {"acute_flare": ["run_pain_change"]}, id="sore_next_morning"
    ),
    pytest.param({"pain_areas": ["lower_back_centre", "knee"]}, {"knee_pain": ["pain_areas"]}, id="knee_pain"),
    pytest.param({"pregnancy": "pregnant"}, {"pregnancy": ["pregnancy"]}, id="pregnant"),
    pytest.param({"pregnancy": "after_birth"}, {"pregnancy": ["pregnancy"]}, id="after_a_birth"),
    pytest.param({"pregnancy": "no"}, {}, id="not_pregnant"),
]


@pytest.mark.parametrize(("overrides", "expected"), FLAG_CASES)
def test_the_caution_flags_name_the_answers_that_raised_them(overrides, expected):
    result = score(overrides)
    got = {flag.code: [code for reason in flag.reasons for code in reason.answers] for flag in result.flags}
    assert got == expected
    for flag in result.flags:
        assert all(reason.text and not reason.text[0].isupper() for reason in flag.reasons)


def test_the_caution_flags_are_stored_with_the_result():
    stored = score({"pain_when": ["arching"]}).as_dict()
    assert stored["flags"] == [
        {
            "code": "extension_sensitive",
            "reasons": [
                {"text": "arching your back brings on your pain", "answers": ["pain_when"], "source": "answer"}
            ],
        }
    ]


# --- The prevention path ------------------------------------------------------------


def test_a_runner_with_no_pain_answers_no_pain_questions_and_gets_a_prevention_result():
    clean = validate_answers(dict(PREVENTION_ANSWERS))
    assert not {qn.SECTION_OF[code] for code in clean} & {"pain", "more_pain", "outlook"}
    result = score_answers(clean)
    assert (result.tier, result.prevention) == ("self_care", True)
    assert advice_codes(result) == ["stay_strong"]


def test_pain_answers_sent_for_a_prevention_runner_are_dropped_and_score_nothing():
    clean = validate_answers({**PREVENTION_ANSWERS, "pain_now": 9, "trend": "worse", "fever_unwell": True})
    assert not {"pain_now", "trend", "fever_unwell"} & set(clean)
    assert score_answers(clean).tier == "self_care"


def test_a_runner_with_no_pain_is_still_asked_the_nerve_warning_signs():
    result = score_answers(validate_answers({**PREVENTION_ANSWERS, "no_warning_signs": False, "bladder_bowel": True}))
    assert result.tier == "emergency"
    result = score_answers(validate_answers({**PREVENTION_ANSWERS, "no_warning_signs": False, "leg_numbness": True}))
    assert result.tier == "routine"


def test_the_movement_checks_of_a_prevention_runner_still_find_imbalances():
    result = score_answers(validate_answers({**PREVENTION_ANSWERS, "hamstring_test": "knees"}))
    assert imbalance(result, "tight_hamstrings").score == 50


# --- Inflammatory back pain (NICE NG65): over 3 months, began before 45, 3 features ----

INFLAMMATORY_CASES = [
    pytest.param({"pain_began_age": "under_35", "inflammatory_signs": ["late_night"]}, False, id="2_features"),
    pytest.param(
        {"pain_began_age": "under_35", "inflammatory_signs": ["late_night"], "pain_when": ["morning_stiffness"]},
        True,
        id="3_features",
    ),
    pytest.param(
        {
            "pain_began_age": "35_44",
            "inflammatory_signs": ["late_night"],
            "pain_areas": ["buttock"],
            "pain_eases": ["moving"],
        },
        True,
        id="began_35_44_with_3_features",
    ),
    pytest.param(
        {
            "pain_began_age": "45_plus",
            "inflammatory_signs": ["late_night"],
            "pain_when": ["morning_stiffness"],
            "pain_areas": ["buttock"],
        },
        False,
        id="began_at_45",
    ),
    pytest.param(
        {"pain_began_age": "35_44", "pain_eases": ["moving", "rest"], "inflammatory_signs": ["late_night"]},
        False,
        id="eased_by_rest_too_is_not_a_feature",
    ),
    pytest.param(
        {"pain_began_age": "35_44", "inflammatory_signs": ["relative", "psoriasis", "joints"]},
        True,
        id="family_skin_and_joints",
    ),
    pytest.param(
        {"pain_began_age": "35_44", "inflammatory_signs": ["bowel", "eye", "late_night"]},
        False,
        id="bowel_and_eye_count_once",
    ),
]


@pytest.mark.parametrize(("overrides", "flagged"), INFLAMMATORY_CASES)
def test_the_inflammatory_pattern_needs_long_pain_an_early_start_and_three_features(overrides, flagged):
    result = score({"pain_duration": "over_12w", "pain_eases": [], **overrides})
    codes = [r.answers[:2] for r in result.triage_reasons]
    assert (["pain_duration", "pain_began_age"] in codes) is flagged
    assert ("ask_about_inflammation" in advice_codes(result)) is flagged
    assert result.tier == "routine"  # pain over 12 weeks is routine either way


def test_the_inflammatory_questions_are_asked_only_with_pain_for_over_12_weeks():
    clean = answers_with(pain_duration="6_12w", pain_began_age="under_35", inflammatory_signs=["psoriasis"])
    assert "pain_began_age" not in clean and "inflammatory_signs" not in clean
