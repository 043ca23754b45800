"""Fill the database with realistic made-up assessments and check-ins, to measure the admin at scale.

Why it exists: the clinician admin (the changelist with its filters and its default
"most urgent first" order, the CSV export) has to stay fast and lean with 100,000
assessments on PostgreSQL. Measuring that needs data shaped like the real thing, so
this command generates it:

- answers drawn question by question from the questionnaire definition
  (`assessments.questionnaire.SECTIONS`), with realistic weights: most runners come with
  back pain (pain 2-6, for 1 to 6 weeks; about 15% for more than 12 weeks), run 10-60 km
  a week and tick no warning signs; about 10% come to prevent back pain, and are asked no
  pain questions; about 3% are pregnant or had a baby in the last 6 months (the question
  is optional: most leave it empty); nobody is under 18 (`validate_answers` refuses them).
  A few profiles bring in see-a-professional, urgent and (rare) emergency answers.
  Only the questions asked are answered: step by step, each section asks what the
  questionnaire's own skip rules (`answers.skipped()`, `answers.asked_answers()`) ask for
  the answers so far, as the web form does, so an emergency sign ends the answers after
  the warning signs. Every set passes `validate_answers` and is scored by the real engine
  through `Assessment.objects.build_from_answers`, so the stored result is exactly what
  the engine says for the stored answers;
- "created" dates over the last 180 days (more recent ones more often), oldest first,
  so primary keys grow with "created" as they do in real life;
- demo clinics ("Demo clinic 1", ...; reused on a rerun) and about 15% of runners who
  started from the home page (no clinic);
- for about 60% of the non-emergency runners, daily check-ins from the day of the
  assessment on (some days missed, never after today, at most 28-35).

Usage (DEBUG must be on, or the command refuses; see --yes-on-production):

    DEBUG=1 python manage.py seed_demo                          # 1,000 assessments
    DEBUG=1 python manage.py seed_demo --assessments 100000 --seed 1
    DEBUG=1 DATABASE_URL=postgres://app:secret@127.0.0.1:5432/bench python manage.py seed_demo -n 100000

It works in batches (`--batch`, default 2,000): each batch is generated, scored and
written with `bulk_create` in its own transaction, then dropped, so memory stays flat
whatever the count. It only ever adds rows; reruns add more (and reuse the demo clinics).
The same `--seed` gives the same answers, results and clinics, and on the same day the same
check-ins ("created" counts back from the time of the run, and check-ins stop at today).
Private-link tokens are always random, so that they stay unguessable.
"""

from __future__ import annotations

import math
import random
import secrets
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import reset_queries, transaction
from django.utils import timezone

from assessments import questionnaire as qn
from assessments import thresholds as th
from assessments.answers import WARNING_SIGNS, AnswerError, asked_answers, is_asked, skipped
from assessments.models import Assessment
from assessments.scoring import EMERGENCY, ROUTINE, TIER_ORDER, URGENT, weekly_km
from clinics.models import Clinic
from programs.forms import CHECK_IN_SIGNS
from programs.models import CheckIn, now_fields, record_warning_signs

Answers = dict[str, Any]
Weights = dict[Any, float]

DAYS_BACK = 180
RECENT_BIAS = 1.5  # >1: more assessments in recent weeks than long ago
DEFAULT_NO_CLINIC_SHARE = 0.15
CHECK_IN_SHARE = 0.6  # of the non-emergency assessments
MAX_REDRAWS = 20

FIRST_NAMES = (
    "Alex", "Ana", "Ben", "Bea", "Cam", "Chloe", "Dan", "Dee", "Eli", "Emma", "Finn", "Fran", "Gus",
    "Hana", "Ian", "Ivy", "Jo", "Jules", "Kai", "Kim", "Leo", "Lou", "Max", "Mia", "Nat", "Nina",
    "Omar", "Pat", "Priya", "Raf", "Rosa", "Sam", "Sana", "Tom", "Tess", "Uma", "Vic", "Will",
    "Yara", "Zoe", "Jess", "Rob", "Mo", "Lena", "Theo", "Ade", "Kofi", "Mei", "Ravi", "Sol",
)  # fmt: skip
NOTES = (
    "Stiff first thing, eased after a walk.",
    "Long day at the desk.",
    "Easy run, back felt fine.",
    "Sore after the long run.",
    "Did the routine before work.",
    "Busy day, only did half.",
    "Slept badly.",
    "Felt better after the warm bath.",
    "Hills today, a bit tight after.",
    "Travelling, long drive.",
)

# --- How runners answer: weights by question code -----------------------------------
#
# Keys are choice codes (CHOICE), or values (INT, NUMBER). A choice left out of a table
# gets weight 1, so a new choice in the questionnaire still turns up now and then; a
# question without a table or a sampler is drawn uniformly within its choices or range.
OPT_OUT = {qn.SKIP: 22, qn.COULD_NOT: 3}
WEIGHTS: dict[str, Weights] = {
    # Never under 18: the check is for adults, and validate_answers refuses that band.
    "age_band": {qn.UNDER_18: 0, "18_29": 20, "30_39": 30, "40_49": 27, "50_59": 15, "60_69": 6, "70_plus": 2},
    "reason": {qn.PAIN: 89, qn.PREVENTION: 11},  # about 10% of all: the profiles all come with pain
    "distance_unit": {"km": 75, "mi": 25},
    "distance_change": {"same_or_less": 60, "up_to_10": 22, "up_10_30": 12, "over_30": 6},
    "shoes": {"fitted": 35, "off_the_shelf": 40, "worn": 17, "unknown": 8},
    "strength_training": {"none": 30, "under_weekly": 30, "weekly_1_2": 32, "weekly_3_plus": 8},
    "sitting_hours": {0: 4, 1: 4, 2: 6, 3: 7, 4: 9, 5: 10, 6: 12, 7: 14, 8: 16, 9: 9, 10: 6, 11: 2, 12: 1},
    "driving_hours": {0: 35, 0.5: 20, 1: 20, 1.5: 8, 2: 8, 3: 5, 4: 2, 6: 1, 8: 1},
    "breaks": {"every_30": 15, "hourly": 40, "every_2h": 30, "rarely": 15},
    "lumbar_support": {"yes": 35, "partly": 40, "no": 25},
    "screen_height": {"eye_level": 40, "below": 15, "laptop": 30, "none": 15},
    "pain_now": {0: 1, 1: 5, 2: 13, 3: 20, 4: 20, 5: 16, 6: 11, 7: 5, 8: 1, 9: 0.3, 10: 0.1},
    "pain_duration": {"under_1w": 20, "1_6w": 45, "6_12w": 20, "over_12w": 15},
    "daily_impact": {"no": 60, "some": 38.5, "yes": 1.5},
    "trend": {"better": 40, "same": 57, "worse": 3},
    # Asked only when the pain wakes the runner and nothing eases it (and the sign was not ticked).
    "night_position": {"eases": 75, "constant": 25},
    "worry": {"none": 25, "some": 53, "much": 21, "very": 1},
    "hip_flexor_test": {"flat": 40, "one_side": 22, "both_sides": 13, **OPT_OUT},
    "hamstring_test": {"past_toes": 10, "toes": 25, "shins": 30, "knees": 10, **OPT_OUT},
    "hip_control_test": {"steady": 40, "one_side": 25, "both_sides": 10, **OPT_OUT},
    "wall_head": {"touches": 50, "not_touching": 25, **OPT_OUT},
    "wall_low_back": {"hand_fits": 45, "large_gap": 15, "no_gap": 12, **OPT_OUT},
}
# MULTI: the chance that each choice is ticked.
TICK_CHANCE: dict[str, dict[str, float]] = {
    "pain_areas": {
        "lower_back_centre": 0.6,
        "lower_back_one_side": 0.35,
        "upper_back": 0.08,
        "neck": 0.08,
        "buttock": 0.2,
        "back_of_thigh": 0.12,
        "front_of_hip": 0.1,
        "knee": 0.1,
        "calf": 0.08,
        "below_knee": 0.015,
        "leg_muscles_after_run": 0.05,
    },
    "pain_when": {
        "during_runs": 0.3,
        "sitting": 0.35,
        "bending": 0.25,
        "arching": 0.12,
        "morning_stiffness": 0.15,
        "night": 0.04,
    },
    "pain_eases": {
        "moving": 0.45,
        "rest": 0.35,
        "changing_position": 0.3,
        "anti_inflammatories": 0.1,
        "nothing": 0.04,
    },
    # Asked only after more than 12 weeks of pain; most tick none of them.
    "inflammatory_signs": {"psoriasis": 0.03, "bowel": 0.01, "eye": 0.01, "joints": 0.04, "relative": 0.02},
    # "none" is ticked when nothing else is (a required question).
    "feelings": {"fear_activity": 0.12, "never_better": 0.1, "low_mood": 0.1, "struggling": 0.01},
}
# MULTI choices that stand alone ("nothing helps", "none of these"): their chance is drawn
# first, and when ticked nothing else is; a required question with nothing else ticked gets them.
ALONE: dict[str, str] = {"pain_eases": "nothing", "feelings": "none"}
# BOOL: the chance of a tick. The warning signs come from the profiles below; "none of
# these" is ticked when no sign is (DemoRunners.repair).
BOOL_CHANCE: dict[str, float] = {"consent": 1.0, **dict.fromkeys(WARNING_SIGNS, 0.0), "no_warning_signs": 0.0}
# Optional questions answered by this share of the runners who are asked them.
ANSWERED_SHARE: dict[str, float] = {
    "nickname": 0.55,
    "pain_when": 0.9,
    "pain_eases": 0.85,
    "inflammatory_signs": 0.7,
    "plank_seconds": 0.65,
    "side_plank_left_seconds": 0.55,
    "knee_to_wall_cm": 0.45,
}


# --- Samplers for answers that depend on earlier ones -------------------------------

CHILDBEARING_AGES = ("18_29", "30_39", "40_49")
OLDER_AGES = (("50_59", "60_69", "70_plus"), (6, 3, 1))
# When this back pain began, by the runner's age now (it cannot have begun later).
PAIN_BEGAN_AGE = {
    "18_29": {"under_35": 1},
    "30_39": {"under_35": 50, "35_44": 50},
    "40_49": {"under_35": 20, "35_44": 40, "45_plus": 40},
    "50_59": {"under_35": 10, "35_44": 15, "45_plus": 75},
    "60_69": {"under_35": 8, "35_44": 10, "45_plus": 82},
    "70_plus": {"under_35": 5, "35_44": 5, "45_plus": 90},
}


def _round_distance(value: float) -> float:
    """As people type it: whole numbers, halves for short distances."""
    return float(round(value)) if value >= 10 else round(value * 2) / 2


def _pregnancy(rng: random.Random, a: Answers) -> str:
    """About 3% of all runners pregnant or after a birth; the others answer no."""
    if a.get("age_band") in CHILDBEARING_AGES and rng.random() < 0.04:
        return rng.choices((qn.PREGNANT, qn.AFTER_BIRTH), (45, 55))[0]
    return "no"


def _weekly_distance(rng: random.Random, a: Answers) -> float:
    if rng.random() < 0.03:
        return 0.0  # not running at the moment
    km = min(max(rng.lognormvariate(math.log(25), 0.55), 3.0), 160.0)  # median 25 km, most 10-60
    return _round_distance(km / th.KM_PER_MILE if a.get("distance_unit") == "mi" else km)


def _home_care_weeks(rng: random.Random, a: Answers) -> int:
    if rng.random() < 0.35:
        return 0
    longest = {"under_1w": 1, "1_6w": 6, "6_12w": 12, "over_12w": 52}.get(a.get("pain_duration"), 6)
    return min(longest, int(rng.expovariate(1 / 2)) + 1)


def _run_pain_change(rng: random.Random, a: Answers) -> str:
    if a.get("weekly_distance") == 0 and rng.random() < 0.85:
        return "no_recent_run"
    return rng.choices(
        ("no_recent_run", "same_or_better", "slightly_worse", "much_worse", "worse_next_morning"), (8, 55, 25, 7, 5)
    )[0]


def _first_episode(rng: random.Random, a: Answers) -> bool:
    return rng.random() < 0.04  # asked from 50 on, when most have had back pain before


def _pain_began_age(rng: random.Random, a: Answers) -> str:
    table = PAIN_BEGAN_AGE.get(a.get("age_band"), PAIN_BEGAN_AGE["40_49"])
    return rng.choices(list(table), list(table.values()))[0]


def _plank(rng: random.Random, a: Answers) -> int:
    return int(min(max(rng.gauss(60, 30), 0), 300) // 5 * 5)


def _side_plank_left(rng: random.Random, a: Answers) -> int:
    return int(min(max(rng.gauss(35, 15), 0), 180) // 5 * 5)


def _side_plank_right(rng: random.Random, a: Answers) -> int | None:
    left = a.get("side_plank_left_seconds")
    if left is None:
        return None  # the runner skipped the side planks
    return int(min(max(left * rng.uniform(0.65, 1.3), 0), 180) // 5 * 5)


def _knee_to_wall(rng: random.Random, a: Answers) -> float:
    return round(min(max(rng.gauss(10, 3.5), 0), 30) * 2) / 2


def _nickname(rng: random.Random, a: Answers) -> str:
    return rng.choice(FIRST_NAMES)


SAMPLERS: dict[str, Callable[[random.Random, Answers], Any]] = {
    "pregnancy": _pregnancy,
    "nickname": _nickname,
    "weekly_distance": _weekly_distance,
    "home_care_weeks": _home_care_weeks,
    "run_pain_change": _run_pain_change,
    "first_episode": _first_episode,
    "pain_began_age": _pain_began_age,
    "plank_seconds": _plank,
    "side_plank_left_seconds": _side_plank_left,
    "side_plank_right_seconds": _side_plank_right,
    "knee_to_wall_cm": _knee_to_wall,
}


def runs_per_week(a: Answers) -> int:
    """About how many runs a week, from the weekly distance (runs of about 8 km)."""
    km = weekly_km(a)
    return min(7, max(1, round(km / 8))) if km else 0


# --- Profiles: what brings a runner to see-a-professional, urgent or emergency -------
#
# A profile's causes change answers after the whole questionnaire was drawn, as a runner
# going back to change an answer would: answers no longer asked are then dropped, and
# questions now asked are answered (DemoRunners.answers).

Cause = Callable[[random.Random, Answers], None]


def tick(*codes: str) -> Cause:
    for code in codes:
        assert qn.QUESTIONS[code].type == qn.BOOL, code

    def cause(rng: random.Random, a: Answers) -> None:
        for code in codes:
            a[code] = True

    return cause


def answer(**values: Any) -> Cause:
    for code, value in values.items():
        assert value in qn.QUESTIONS[code].choice_codes(), (code, value)

    def cause(rng: random.Random, a: Answers) -> None:
        a.update(values)

    return cause


def _set_age(a: Answers, band: str) -> None:
    a["age_band"] = band
    if band not in CHILDBEARING_AGES and a.get("pregnancy") in (qn.PREGNANT, qn.AFTER_BIRTH):
        a["pregnancy"] = "no"


def _older(rng: random.Random, a: Answers) -> None:
    _set_age(a, rng.choices(*OLDER_AGES)[0])


def _fall_on_thin_bones(rng: random.Random, a: Answers) -> None:
    a["minor_fall"] = True
    a[rng.choices(("osteoporosis", "long_term_steroids"), (3, 1))[0]] = True
    if rng.random() < 0.7:
        _older(rng, a)


def _pregnancy_signs(rng: random.Random, a: Answers) -> None:
    if a.get("age_band") not in CHILDBEARING_AGES:
        _set_age(a, rng.choice(("18_29", "30_39")))
    a["pregnancy"], a["pregnancy_signs"] = qn.PREGNANT, True


def _steroids(rng: random.Random, a: Answers) -> None:
    a["long_term_steroids"] = True
    a.pop("minor_fall", None)  # with a fall it is an emergency


def _fall_at_70(rng: random.Random, a: Answers) -> None:
    _set_age(a, "70_plus")
    a["minor_fall"] = True
    for code in ("osteoporosis", "long_term_steroids"):  # with thin bones it is an emergency
        a.pop(code, None)


def _minor_fall(rng: random.Random, a: Answers) -> None:
    a["minor_fall"] = True
    for code in ("osteoporosis", "long_term_steroids"):
        a.pop(code, None)
    if a.get("age_band") == "70_plus":  # at 70 a fall is urgent
        _set_age(a, "60_69")


def _thin_bones(rng: random.Random, a: Answers) -> None:
    a["osteoporosis"] = True
    for code in ("minor_fall", "long_term_steroids"):
        a.pop(code, None)
    if rng.random() < 0.7:
        _older(rng, a)


def _night_pain_constant(rng: random.Random, a: Answers) -> None:
    """Woken at night, nothing eases it, and changing position does not either."""
    a.pop("night_pain", None)
    a["pain_when"] = [*(a.get("pain_when") or []), "night"]
    a["pain_eases"] = ["nothing"]
    a["night_position"] = "constant"


def _pain_into_leg(rng: random.Random, a: Answers) -> None:
    a["pain_areas"] = [*a.get("pain_areas", []), "below_knee"]


def _high_pain(rng: random.Random, a: Answers) -> None:
    a["pain_now"] = rng.choices((8, 9, 10), (6, 3, 1))[0]


def _struggling(rng: random.Random, a: Answers) -> None:
    a["feelings"] = [*(f for f in a.get("feelings", []) if f != "none"), "struggling"]


def _inflammatory(rng: random.Random, a: Answers) -> None:
    """Back pain for months since a young age, stiff in the morning, with buttock pain."""
    if a.get("age_band") not in ("18_29", "30_39"):
        _set_age(a, rng.choice(("18_29", "30_39")))
    a["pain_duration"], a["pain_began_age"] = "over_12w", "under_35"
    a["pain_when"] = [*(a.get("pain_when") or []), "morning_stiffness"]
    a["pain_areas"] = [*a.get("pain_areas", []), "buttock"]
    if rng.random() < 0.5:
        a["inflammatory_signs"] = [rng.choice(("psoriasis", "bowel", "eye", "joints", "relative"))]


def _not_improving(older: bool, at_least_weeks: int) -> Cause:
    def cause(rng: random.Random, a: Answers) -> None:
        if older:
            _older(rng, a)
        a["pain_duration"] = "over_12w" if rng.random() < 0.6 else "6_12w"
        a["home_care_weeks"] = rng.randint(at_least_weeks, at_least_weeks + 10)
        a["trend"] = rng.choice(("same", "worse"))

    return cause


def _first_episode_over_50(rng: random.Random, a: Answers) -> None:
    _older(rng, a)
    a["first_episode"] = True


class Profile:
    """A kind of runner: a share of all, changed weights and tick chances, and one (or two)
    causes drawn by weight."""

    def __init__(
        self,
        share: float,
        causes: dict[Cause, float],
        weights: dict[str, Weights] | None = None,
        ticks: dict[str, dict[str, float]] | None = None,
    ):
        self.share = share
        self.causes, self.cause_weights = list(causes), list(causes.values())
        self.weights = {**WEIGHTS, **(weights or {})}
        self.ticks = {**TICK_CHANCE, **(ticks or {})}

    def apply_causes(self, rng: random.Random, a: Answers, second_cause_chance: float = 0.15) -> None:
        if not self.causes:
            return
        count = 2 if rng.random() < second_cause_chance else 1
        for cause in rng.choices(self.causes, self.cause_weights, k=count):
            cause(rng, a)


# Hurting more and worrying more than the usual runner; all of them came with pain.
TROUBLED = {
    "reason": {qn.PAIN: 100, qn.PREVENTION: 0},
    "pain_now": {1: 1, 2: 4, 3: 10, 4: 16, 5: 20, 6: 20, 7: 14, 8: 6, 9: 2, 10: 1},
    "worry": {"none": 5, "some": 35, "much": 45, "very": 15},
    "daily_impact": {"no": 30, "some": 55, "yes": 15},
    "trend": {"better": 20, "same": 60, "worse": 20},
}
TROUBLED_TICKS = {
    "feelings": {"fear_activity": 0.3, "never_better": 0.3, "low_mood": 0.25, "struggling": 0.1},
}
USUAL = Profile(0.0, {})  # no cause; its share is what the others leave
PROFILES = {
    EMERGENCY: Profile(
        0.01,
        {
            tick("saddle_numbness"): 18,
            tick("bladder_bowel"): 12,
            tick("both_legs_nerve"): 26,
            tick("leg_weakness"): 20,
            tick("serious_accident"): 14,
            _fall_on_thin_bones: 6,
            _pregnancy_signs: 4,
        },
        TROUBLED,
        TROUBLED_TICKS,
    ),
    URGENT: Profile(
        0.04,
        {
            tick("fever_unwell"): 14,
            tick("weight_loss"): 8,
            tick("cancer_history"): 20,
            tick("night_pain"): 16,
            _night_pain_constant: 6,
            tick("thoracic_constant"): 16,
            tick("immune_drugs"): 4,
            _steroids: 4,
            _fall_at_70: 2,
            _not_improving(older=True, at_least_weeks=4): 10,
        },
        TROUBLED,
        TROUBLED_TICKS,
    ),
    ROUTINE: Profile(
        0.04,
        {
            _pain_into_leg: 25,
            tick("leg_numbness"): 10,
            _minor_fall: 8,
            _thin_bones: 3,
            _high_pain: 10,
            answer(trend="worse"): 14,
            _not_improving(older=False, at_least_weeks=6): 10,
            answer(daily_impact="yes"): 10,
            _first_episode_over_50: 4,
            answer(worry="very"): 3,
            _struggling: 3,
            _inflammatory: 3,
        },
        TROUBLED,
        TROUBLED_TICKS,
    ),
}


def _check_tables() -> None:
    """A renamed code in the questionnaire fails here (and in the tests), not silently."""
    for profile in (USUAL, *PROFILES.values()):
        for code, table in (*profile.weights.items(), *profile.ticks.items()):
            q = qn.QUESTIONS[code]
            if q.type in (qn.CHOICE, qn.MULTI):
                unknown = set(table) - q.choice_codes()
            else:
                unknown = {v for v in table if not (q.min <= v <= q.max)}
            assert not unknown, f"{code}: {sorted(map(str, unknown))} not in the questionnaire"
        assert not profile.weights["age_band"].get(qn.UNDER_18), "validate_answers refuses under-18s"
    for code in (*BOOL_CHANCE, *ANSWERED_SHARE, *SAMPLERS):
        assert code in qn.QUESTIONS, code
    for code, alone in ALONE.items():
        assert alone in qn.QUESTIONS[code].choice_codes(), (code, alone)
    for table in PAIN_BEGAN_AGE.values():
        assert set(table) <= qn.QUESTIONS["pain_began_age"].choice_codes(), table
    assert set(PAIN_BEGAN_AGE) | {qn.UNDER_18} == qn.QUESTIONS["age_band"].choice_codes()


_check_tables()


# --- Generating --------------------------------------------------------------------


class DemoRunners:
    """Draws answers and check-ins from one seeded random generator (same seed, same runners)."""

    def __init__(self, seed: int):
        # Two streams: the check-ins depend on today's date, and must not shift the answers drawn after them.
        self.rng = random.Random(seed)  # noqa: S311 - made-up data that must repeat for a seed
        self.check_in_rng = random.Random(f"{seed}:check-ins")  # noqa: S311
        self.profiles = [*PROFILES.values(), USUAL]
        self.profile_shares = [*(p.share for p in PROFILES.values()), 1 - sum(p.share for p in PROFILES.values())]
        self.redraws = 0
        self.scoring_seconds = 0.0  # in build_from_answers: validating, scoring, the result as JSON

    # answers

    def draw(self, q: qn.Question, a: Answers, profile: Profile) -> Any:
        """One answer to one question (None: left empty), from the tables or the definition."""
        rng = self.rng
        if not q.required and q.code in ANSWERED_SHARE and rng.random() >= ANSWERED_SHARE[q.code]:
            return None
        if q.code in SAMPLERS:
            return SAMPLERS[q.code](rng, a)
        if q.type == qn.BOOL:
            return rng.random() < BOOL_CHANCE.get(q.code, 0.0 if q.required else 0.05) or q.required
        if q.type in (qn.CHOICE, qn.INT, qn.NUMBER) and q.code in profile.weights:
            table = profile.weights[q.code]
            values = list(table)
            if q.type == qn.CHOICE:
                values += [code for code, _ in q.choices if code not in table]  # new choices: weight 1
            return rng.choices(values, [table.get(v, 1) for v in values])[0]
        if q.type == qn.CHOICE:
            return rng.choice([code for code, _ in q.choices])
        if q.type == qn.MULTI:
            chances = profile.ticks.get(q.code, {})
            alone = ALONE.get(q.code)
            if alone and rng.random() < chances.get(alone, 0.0):
                return [alone]
            ticked = [code for code, _ in q.choices if code != alone and rng.random() < chances.get(code, 0.1)]
            if not ticked and q.required:  # the questionnaire's order breaks ties, whatever the hash seed
                ticked = [alone or max((code for code, _ in q.choices), key=lambda code: chances.get(code, 0.1))]
            return ticked
        if q.type == qn.INT:
            return rng.randint(math.ceil(q.min), math.floor(q.max))
        if q.type == qn.NUMBER:
            return round(rng.uniform(q.min, q.max), 1)
        return None  # free text: left empty

    def fill(self, a: Answers, considered: set[str], profile: Profile) -> Answers:
        """The answers to the questions asked, step by step as the web form asks them: answers
        no longer asked are dropped, and each question now asked and not yet considered is drawn."""
        a = asked_answers(a)
        for section in qn.SECTIONS:
            not_asked = skipped(a)  # what this step asks depends on the steps before it
            if section.code in not_asked:
                continue
            for q in section.questions:
                if q.code in a or q.code in considered or not is_asked(q.code, not_asked):
                    continue
                considered.add(q.code)
                value = self.draw(q, a, profile)
                if value is not None:
                    a[q.code] = value
        return a

    def answers(self) -> tuple[Answers, str]:
        """A plausible runner's answers as the web form stores them (not yet validated), and the profile's
        name: the tier it aims at, or "usual" (whose tier comes from the weights alone)."""
        rng = self.rng
        profile = rng.choices(self.profiles, self.profile_shares)[0]
        name = next((tier for tier, p in PROFILES.items() if p is profile), "usual")
        considered: set[str] = set()
        a = self.fill({}, considered, profile)
        profile.apply_causes(rng, a)
        # A cause may change what is asked (an emergency sign ends the questionnaire, more
        # than 12 weeks of pain adds questions), as when a runner goes back to change an answer.
        a = self.fill(a, considered, profile)
        self.repair(a)
        return self.as_stored(a), name

    @staticmethod
    def repair(a: Answers) -> None:
        """Make answers changed by a profile agree with each other (the questionnaire's cross-checks)."""
        if a.get("weekly_distance") == 0:
            a["distance_change"] = "same_or_less"
        seated = (a.get("sitting_hours") or 0) + (a.get("driving_hours") or 0)
        if seated > 24:
            a["driving_hours"] = max(0, 24 - (a.get("sitting_hours") or 0))
        not_asked = skipped(a)
        a["no_warning_signs"] = not any(a.get(code) for code in WARNING_SIGNS if is_asked(code, not_asked))

    @staticmethod
    def as_stored(a: Answers) -> Answers:
        """Leave out what the web form leaves out: questions not asked, empty answers, unticked boxes;
        tick boxes in the questionnaire's order, as the form sends them (a cause may have added one)."""
        given = {
            code: [c for c, _ in qn.QUESTIONS[code].choices if c in value] if isinstance(value, list) else value
            for code, value in a.items()
            if not qn.is_blank(value) and not (value is False and code != "consent")
        }
        return asked_answers(given)

    def assessment(self, clinic: Clinic | None, created: datetime) -> Assessment:
        """An unsaved, scored assessment; a draw that fails validation is drawn again."""
        for _ in range(MAX_REDRAWS):
            answers, _profile = self.answers()
            began = time.perf_counter()
            try:
                return Assessment.objects.build_from_answers(answers, clinic=clinic, created=created)
            except AnswerError:
                self.redraws += 1
            finally:
                self.scoring_seconds += time.perf_counter() - began
        raise CommandError(f"{MAX_REDRAWS} draws in a row failed validation: the generator needs updating")

    # check-ins

    def check_ins(self, assessment: Assessment, today) -> list[CheckIn]:
        """Daily check-ins from the assessment's day on: some days missed, never after today."""
        rng = self.check_in_rng
        a = assessment.answers
        start = timezone.localdate(assessment.created)
        last = min(today, start + timedelta(days=rng.randint(27, 34)))  # at most 28-35 days
        keen = rng.uniform(0.45, 0.95)  # the share of days this runner checks in
        quit_chance = rng.choice((0.0, 0.01, 0.03, 0.06))  # some stop early
        improving = rng.random() < 0.78
        drift = -rng.uniform(0.05, 0.25) if improving else rng.uniform(0.03, 0.15)
        noise = 0.7
        if a.get("reason") == qn.PREVENTION:
            drift, noise = 0.0, 0.4  # no pain to begin with: mostly 0, now and then a 1
        runs = runs_per_week(a)
        runs_a_day = runs / 7
        if assessment.see_professional:
            runs_a_day *= 0.6
        # In the runner's own unit, like the weekly distance; 5 km (3 miles) for those who did not run.
        usual_run = 5 if a.get("distance_unit", "km") == "km" else 3
        per_run = a["weekly_distance"] / runs if runs else usual_run
        pain = float(assessment.pain_now or 0)  # None only after an emergency sign, which has no check-ins
        made = []
        for offset in range((last - start).days + 1):
            if offset:
                pain = min(10.0, max(0.0, pain + drift))
            if offset and rng.random() < quit_chance:
                break
            if offset and rng.random() > keen:
                continue
            pain_today = int(min(10, max(0, round(pain + rng.gauss(0, noise)))))
            ran = pain_today < 7 and rng.random() < runs_a_day * (0.5 if pain_today >= 5 else 1)
            if ran:
                hurt = min(0.9, 0.1 + pain_today * 0.09)
                run = rng.choices(
                    (CheckIn.RunPain.NONE, CheckIn.RunPain.DURING, CheckIn.RunPain.AFTER),
                    (1 - hurt, hurt * 0.4, hurt * 0.6),
                )[0]
                distance = Decimal(str(round(min(200.0, max(0.5, per_run * rng.uniform(0.5, 1.6))), 1)))
            else:
                run, distance = CheckIn.RunPain.NO_RUN, None
            done = rng.choices(
                (CheckIn.Done.ALL, CheckIn.Done.SOME, CheckIn.Done.NONE),
                (55, 30, 15) if pain_today < 6 else (30, 40, 30),
            )[0]
            made.append(
                CheckIn(
                    assessment=assessment,
                    day=start + timedelta(days=offset),
                    pain_now=pain_today,
                    routine_done=done,
                    run=run,
                    distance=distance,
                    warning_signs=[rng.choice(CHECK_IN_SIGNS)] if rng.random() < 0.003 else [],
                    note=rng.choice(NOTES) if rng.random() < 0.07 else "",
                )
            )
        return made


def created_at(k: int, n: int, now: datetime, rng: random.Random) -> datetime:
    """The k-th of n creation times (ascending in k) over the last DAYS_BACK days, denser lately."""
    share = (k + rng.random()) / n  # stratified: one draw within each of n slices
    age = timedelta(days=DAYS_BACK) * (1 - share) ** RECENT_BIAS
    return now - age


# --- The command -------------------------------------------------------------------


def fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise ValueError(text)
    return value


class Command(BaseCommand):
    help = (
        "Add realistic made-up assessments and check-ins (for measuring the admin at scale). "
        "Refuses to run with DEBUG off unless --yes-on-production is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("-n", "--assessments", type=int, default=1000, help="how many (default 1000)")
        parser.add_argument("--clinics", type=int, default=3, help='demo clinics, "Demo clinic 1".. (default 3)')
        parser.add_argument(
            "--no-clinic-share",
            type=fraction,
            default=DEFAULT_NO_CLINIC_SHARE,
            help="share of runners who started from the home page, 0 to 1 (default 0.15)",
        )
        parser.add_argument("--seed", type=int, default=None, help="same seed, same data (default: random)")
        parser.add_argument("--batch", type=int, default=2000, help="assessments per transaction (default 2000)")
        parser.add_argument(
            "--yes-on-production",
            action="store_true",
            help="run even with DEBUG off: the made-up runners will show in the clinicians' admin",
        )

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["yes_on_production"]:
            raise CommandError(
                "DEBUG is off, so this may be a real clinic's database: seed_demo would add made-up "
                "runners that clinicians see in the admin next to real ones. Run it with DEBUG=1 on a "
                "development or benchmark database, or add --yes-on-production if you really mean it."
            )
        n, batch, clinic_count = options["assessments"], options["batch"], options["clinics"]
        if n < 0 or batch < 1 or clinic_count < 0:
            raise CommandError("--assessments and --clinics must be 0 or more, --batch 1 or more")
        seed = options["seed"] if options["seed"] is not None else secrets.randbelow(2**31)
        no_clinic_share = options["no_clinic_share"]
        if not 0 <= no_clinic_share <= 1:  # call_command(no_clinic_share=...) skips the parser's check
            raise CommandError("--no-clinic-share must be between 0 and 1")
        if not clinic_count:
            no_clinic_share = 1.0

        clinics = [Clinic.objects.get_or_create(name=f"Demo clinic {i}")[0] for i in range(1, clinic_count + 1)]
        clinic_weights = [1 / math.sqrt(i) for i in range(1, clinic_count + 1)]  # the first ones busier
        runners = DemoRunners(seed)
        rng = runners.rng
        now = timezone.now()
        today = timezone.localdate(now)
        self.stdout.write(
            f"Seeding {n} assessments (seed {seed}, {clinic_count} demo clinics, "
            f"{no_clinic_share:.0%} without a clinic, batches of {batch})"
        )

        tiers: Counter[str] = Counter()
        rest_days = without_clinic = check_in_count = with_check_ins = 0
        generating = writing = 0.0
        began = time.perf_counter()
        for first in range(0, n, batch):
            t0 = time.perf_counter()
            assessments = []
            for k in range(first, min(first + batch, n)):
                clinic = None if rng.random() < no_clinic_share else rng.choices(clinics, clinic_weights)[0]
                assessments.append(runners.assessment(clinic, created_at(k, n, now, rng)))
            check_ins = self._check_ins(runners, assessments, today)
            t1 = time.perf_counter()
            with transaction.atomic():
                Assessment.objects.bulk_create(assessments)
                self._set_missing_pks(assessments)
                CheckIn.objects.bulk_create(check_ins)  # each takes its assessment's new id
                for check_in in check_ins:
                    if check_in.warning_signs:  # rare: the same rule as a runner's check-in
                        record_warning_signs(check_in)
            t4 = time.perf_counter()
            generating += t1 - t0
            writing += t4 - t1

            tiers.update(a.tier for a in assessments)
            rest_days += sum(a.rest_day for a in assessments)
            without_clinic += sum(a.clinic_id is None for a in assessments)
            with_check_ins += len({c.assessment_id for c in check_ins})
            check_in_count += len(check_ins)
            done = first + len(assessments)
            del assessments, check_ins
            reset_queries()  # with DEBUG on, Django keeps every query's SQL otherwise
            elapsed = time.perf_counter() - began
            self.stdout.write(
                f"  {done}/{n} assessments, {check_in_count} check-ins, "
                f"{elapsed:.1f} s ({done / elapsed if elapsed else 0:.0f} assessments/s)"
            )

        elapsed = time.perf_counter() - began
        self.stdout.write(self.style.SUCCESS(f"Created {n} assessments and {check_in_count} check-ins (seed {seed})."))
        for tier in TIER_ORDER:
            self.stdout.write(f"  {tier:<10} {tiers[tier]:>8}  {tiers[tier] / n if n else 0:6.1%}")
        self.stdout.write(
            f"  rest day {rest_days}, no clinic {without_clinic}, "
            f"with check-ins {with_check_ins}, redrawn {runners.redraws}"
        )
        self.stdout.write(
            f"  {elapsed:.1f} s in all ({n / elapsed if elapsed else 0:.0f} assessments/s): "
            f"generating {generating - runners.scoring_seconds:.1f} s, "
            f"scoring (validate_answers, score_answers, as_dict) {runners.scoring_seconds:.1f} s, "
            f"writing {writing:.1f} s"
        )

    @staticmethod
    def _check_ins(runners: DemoRunners, assessments: list[Assessment], today) -> list[CheckIn]:
        """The check-ins of some runners, and each one's state now, as a real check-in keeps it
        (programs.models.record_check_in)."""
        check_ins = []
        for assessment in assessments:
            if assessment.tier != EMERGENCY and runners.check_in_rng.random() < CHECK_IN_SHARE:
                made = runners.check_ins(assessment, today)
                for name, value in now_fields(assessment, made, today).items():
                    setattr(assessment, name, value)
                check_ins += made
        return check_ins

    @staticmethod
    def _set_missing_pks(assessments: list[Assessment]) -> None:
        """Databases that do not return ids from a bulk insert: look them up by token."""
        missing = [a for a in assessments if a.pk is None]
        if missing:
            ids = dict(Assessment.objects.filter(token__in=[a.token for a in missing]).values_list("token", "pk"))
            for a in missing:
                a.pk = ids[a.token]
