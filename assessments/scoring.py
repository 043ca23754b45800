"""The scoring engine: answers in, an explained result out.

Pure Python: no ORM, no request. Answers are the normalised dict returned by
`questionnaire.validate_answers()`; the result is a `Result` dataclass that
turns into plain JSON with `as_dict()`.

Everything the engine decides comes from the rule tables below, each row a
condition on the answers, a weight or a tier, and the words shown to the runner.
Every score and flag therefore carries the answers that caused it. The product
never diagnoses: imbalances are "likely contributors", triage says who to see
and how soon. The thresholds and their sources are in ../shared/CLINICAL.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any

from assessments import thresholds as th
from assessments.questionnaire import AGE_50_PLUS, AGE_70_PLUS, PREVENTION, QUESTIONNAIRE_VERSION, QUESTIONS

Answers = dict[str, Any]


class Source(StrEnum):
    """Where a reason comes from."""

    SELF_TEST = "self_test"  # the runner measured it: weighs more
    ANSWER = "answer"  # inferred from habits and symptoms


class Tier(StrEnum):
    """The four triage tiers, most serious first (CLINICAL.md "Triage: four tiers")."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    ROUTINE = "routine"
    SELF_CARE = "self_care"


class Triage(StrEnum):
    """What the runner is told: three levels; see-a-professional carries the urgent or routine tier."""

    EMERGENCY = "emergency"
    SEE_PROFESSIONAL = "see_professional"
    SELF_CARE = "self_care"


class Likelihood(StrEnum):
    """How likely an imbalance is, from its score (LIKELY and POSSIBLE below)."""

    LIKELY = "likely"
    POSSIBLE = "possible"
    UNLIKELY = "unlikely"


# The names the rule tables use.
SELF_TEST, ANSWER = Source.SELF_TEST, Source.ANSWER
EMERGENCY, URGENT, ROUTINE, SELF_CARE = Tier.EMERGENCY, Tier.URGENT, Tier.ROUTINE, Tier.SELF_CARE
SEE_PROFESSIONAL = Triage.SEE_PROFESSIONAL
TIER_ORDER = tuple(Tier)
TRIAGE_OF_TIER = {
    Tier.EMERGENCY: Triage.EMERGENCY,
    Tier.URGENT: Triage.SEE_PROFESSIONAL,
    Tier.ROUTINE: Triage.SEE_PROFESSIONAL,
    Tier.SELF_CARE: Triage.SELF_CARE,
}
WHEN_TO_ACT = {
    EMERGENCY: "Now: go to an emergency department or call your local emergency number.",
    URGENT: "Within a day or two: contact your doctor, or an urgent care line if you cannot get an appointment.",
    ROUTINE: "In the next week or two: book an appointment with a physiotherapist or your doctor.",
    SELF_CARE: "",
}
# A pregnancy sign alone: maternity care first. With another emergency sign: the emergency
# department, told of the pregnancy.
WHEN_TO_ACT_MATERNITY = (
    "Now: call your maternity unit or midwife. If you cannot reach them, go to an emergency "
    "department or call your local emergency number."
)
WHEN_TO_ACT_EMERGENCY_PREGNANT = (
    "Now: go to an emergency department or call your local emergency number, and tell them you are pregnant."
)


# --- Conditions: one small object per question asked of the answers ---------------


@dataclass(frozen=True)
class When:
    """A condition on the answers and the words that explain it when it holds."""

    test: Callable[[Answers], bool]
    says: Callable[[Answers], str]
    codes: tuple[str, ...]

    def __call__(self, answers: Answers) -> bool:
        return self.test(answers)


def ticked(code: str, text: str) -> When:
    return When(lambda a: a.get(code) is True, lambda a: text, (code,))


def chose(code: str, texts: dict[str, str] | set[str], text: str = "") -> When:
    """The answer to `code` is one of the choices: `texts` maps each to its words, or a set
    of choices shares one `text`. Our own words for each, never the runner's first-person label."""
    assert isinstance(text, str), "give per-choice words as the second argument"
    words = texts if isinstance(texts, dict) else dict.fromkeys(texts, text)
    for value in words:
        assert value in QUESTIONS[code].choice_codes(), (code, value)
    return When(lambda a: a.get(code) in words, lambda a: words[a[code]], (code,))


def includes(code: str, option: str, text: str) -> When:
    assert option in QUESTIONS[code].choice_codes(), (code, option)
    return When(lambda a: option in a.get(code, ()), lambda a: text, (code,))


def at_least(code: str, limit: float, text: str) -> When:
    """A number at or above `limit`; `{v}` in text is the value."""
    return When(lambda a: a.get(code) is not None and a[code] >= limit, lambda a: text.format(v=a[code]), (code,))


def below(code: str, limit: float, text: str) -> When:
    """A number given and under `limit` (an empty self-test is no evidence)."""
    return When(lambda a: a.get(code) is not None and a[code] < limit, lambda a: text.format(v=a[code]), (code,))


def all_of(*conditions: When, text: str | None = None) -> When:
    codes = tuple(c for cond in conditions for c in cond.codes)
    return When(
        lambda a: all(cond(a) for cond in conditions),
        (lambda a: text) if text else (lambda a: " and ".join(cond.says(a) for cond in conditions)),
        codes,
    )


def derived(test: Callable[[Answers], bool], says: Callable[[Answers], str], *codes: str) -> When:
    return When(test, says, codes)


def has_nerve_signs(a: Answers) -> bool:
    """Pain or tingling going into the leg: thigh pain may then come from a nerve, not a muscle."""
    return "below_knee" in a.get("pain_areas", ()) or a.get("leg_numbness") is True


def seated_hours(a: Answers) -> float:
    return a.get("sitting_hours", 0) + a.get("driving_hours", 0)


def weekly_km(a: Answers) -> float:
    distance = a.get("weekly_distance", 0)
    return distance * th.KM_PER_MILE if a.get("distance_unit") == "mi" else distance


def weaker_side_plank(a: Answers) -> int | None:
    sides = [a.get("side_plank_left_seconds"), a.get("side_plank_right_seconds")]
    given = [s for s in sides if s is not None]
    return min(given) if given else None


def side_plank_gap(a: Answers) -> bool:
    """Left and right side planks differ by a quarter or more of the longer hold."""
    left, right = a.get("side_plank_left_seconds"), a.get("side_plank_right_seconds")
    if left is None or right is None or max(left, right) < th.SIDE_PLANK_GAP_FROM_SECONDS:
        return False
    return abs(left - right) >= th.SIDE_PLANK_GAP_SHARE * max(left, right)


def hours(v: float) -> str:
    return f"{v:g} h"


SITS_LONG = derived(
    lambda a: seated_hours(a) >= th.LONG_SITTING_HOURS,
    lambda a: f"you sit or drive about {hours(seated_hours(a))} a day",
    "sitting_hours",
    "driving_hours",
)
SITS_VERY_LONG = derived(
    lambda a: seated_hours(a) >= th.VERY_LONG_SITTING_HOURS,
    lambda a: f"{th.VERY_LONG_SITTING_HOURS} hours or more of sitting a day, which shortens the hip fronts further",
    "sitting_hours",
    "driving_hours",
)
HIGH_MILEAGE = derived(
    lambda a: weekly_km(a) >= th.HIGH_MILEAGE_KM,
    lambda a: (
        f"you run about {a['weekly_distance']:g} {a.get('distance_unit', 'km')} a week "
        f"({th.HIGH_MILEAGE_KM} km or more)"
    ),
    "weekly_distance",
    "distance_unit",
)
SCREEN_LOW = chose(
    "screen_height", {"below": "your screen is below eye level", "laptop": "you work on a laptop without a stand"}
)
FEW_BREAKS = chose(
    "breaks",
    {"every_2h": "you get up from sitting only every two hours or so", "rarely": "you rarely get up from sitting"},
)
LITTLE_STRENGTH = chose(
    "strength_training",
    {
        "none": "you never do strength or core training",
        "under_weekly": "you do strength or core training less than weekly",
    },
)
AGE_50 = chose("age_band", AGE_50_PLUS, "you are 50 or over")
WORN_SHOES = chose("shoes", {"worn"}, "your running shoes are well worn")
LONG_DRIVES = at_least("driving_hours", th.LONG_DRIVING_HOURS, "you drive about {v:g} h a day")
# The answers several rules read, each named once (a reason reads the same wherever it is given).
SITTING_HURTS = includes("pain_when", "sitting", "pain when sitting for a while")
BENDING_HURTS = includes("pain_when", "bending", "pain when bending forward")
ARCHING_HURTS = includes("pain_when", "arching", "pain when standing tall or leaning back")
BUTTOCK_PAIN = includes("pain_areas", "buttock", "buttock pain")
KNEE_PAIN_AREA = includes("pain_areas", "knee", "knee pain")
NOT_IMPROVING = chose("trend", {"same": "the pain is about the same", "worse": "the pain is getting worse"})
GETTING_WORSE = chose("trend", {"worse"}, "the pain is getting worse")
STOPS_DAILY_LIFE = chose("daily_impact", {"yes"}, "the pain often stops everyday activities")
WORRIES_VERY_MUCH = chose("worry", {"very"}, "the pain worries you very much")


# --- The imbalance catalogue ---------------------------------------------------------


@dataclass(frozen=True)
class Imbalance:
    code: str
    label: str
    summary: str  # what it means, in plain words
    tight: tuple[str, ...]
    weak: tuple[str, ...]


CATALOGUE: tuple[Imbalance, ...] = (
    Imbalance(
        "tight_hip_flexors",
        "Tight hip flexors",
        "The muscles at the front of the hip shorten with long sitting and running's repeated "
        "knee lift. Tight, they pull the pelvis forward and load the lower back.",
        tight=("front-of-hip muscles (iliopsoas)", "front of the thigh (rectus femoris)"),
        weak=("main buttock muscle (gluteus maximus)",),
    ),
    Imbalance(
        "weak_glutes",
        "Weak gluteal muscles",
        "The buttock muscles steady the pelvis on every stride. When they tire, the lower back, "
        "hamstrings and knees take over work that is not theirs.",
        tight=("outer hip (tensor fasciae latae)", "inner thigh (hip adductors)"),
        weak=("main buttock muscle (gluteus maximus)", "side-hip muscle (gluteus medius)"),
    ),
    Imbalance(
        "tight_hamstrings",
        "Tight hamstrings",
        "Short muscles at the back of the thigh limit how far the hips bend, so the lower back "
        "rounds more than it should when you bend or sit.",
        tight=("back of the thigh (hamstrings)",),
        weak=("main buttock muscle (gluteus maximus)", "deep stomach muscles (transversus abdominis)"),
    ),
    Imbalance(
        "weak_trunk",
        "Low trunk endurance",
        "The deep muscles around the spine hold it steady while the legs move. When they tire "
        "early, the spine takes more load with every step.",
        tight=(),
        weak=(
            "deep stomach muscles (transversus abdominis)",
            "side stomach muscles (obliques)",
            "deep back muscles (multifidus)",
        ),
    ),
    Imbalance(
        "anterior_pelvic_tilt",
        "Forward-tilted pelvis",
        "The pelvis tips forward and the lower-back curve deepens, often with tight hip flexors "
        "and lower-back muscles and weak abdominals and glutes.",
        tight=("front-of-hip muscles (hip flexors)", "lower-back muscles (lumbar erector spinae)"),
        weak=("stomach muscles (abdominals)", "main buttock muscle (gluteus maximus)"),
    ),
    Imbalance(
        "flat_back",
        "Flattened lower back",
        "The pelvis tucks under and the lower-back curve flattens, often after long slumped "
        "sitting, with tight hamstrings and weak hip flexors and back extensors.",
        tight=("back of the thigh (hamstrings)", "front stomach muscle (rectus abdominis)"),
        weak=("front-of-hip muscles (hip flexors)", "lower-back muscles (lumbar extensors)"),
    ),
    Imbalance(
        "one_sided_pelvis",
        "One-sided pelvic imbalance",
        "One side of the pelvis is controlled less well than the other, so one side of the "
        "lower back and hip works harder on every stride.",
        tight=("side of the lower back on one side (quadratus lumborum)", "inner thigh (hip adductors)"),
        weak=("side-hip muscle on the other side (gluteus medius)",),
    ),
    Imbalance(
        "desk_posture",
        "Desk posture: stiff upper back and forward head",
        "Long hours at a screen round the upper back and push the head forward, which "
        "stiffens the upper back and tires the neck.",
        tight=("chest (pectorals)", "tops of the shoulders (upper trapezius)", "back of the neck (neck extensors)"),
        weak=(
            "deep front-of-neck muscles (deep neck flexors)",
            "between the shoulder blades (middle and lower trapezius)",
        ),
    ),
    Imbalance(
        "tight_calves",
        "Tight calves and stiff ankles",
        "Stiff calves limit how far the ankle bends on landing, so the knee, hip and back absorb more of each stride.",
        tight=("calf (gastrocnemius)", "deep calf (soleus)"),
        weak=("front of the shin (tibialis anterior)",),
    ),
    Imbalance(
        "tight_piriformis",
        "Tight piriformis and deep hip rotators",
        "A small deep buttock muscle that works hard when the glutes are weak; tight, it can "
        "ache in the buttock, especially when sitting or driving.",
        tight=("deep buttock muscle (piriformis)", "deep hip rotators"),
        weak=("side-hip muscle (gluteus medius)",),
    ),
)
CATALOGUE_BY_CODE = {i.code: i for i in CATALOGUE}


@dataclass(frozen=True)
class ImbalanceRule:
    imbalance: str
    points: int
    source: str
    when: When


# What the runner measured weighs more than what we infer (the result page says which
# it was): a self-test finding carries 20-50 points and always more than any habit or
# symptom for the same imbalance, which carry 10-20.
# Scores are the capped sum of the rules that hold.
IMBALANCE_RULES: tuple[ImbalanceRule, ...] = (
    # tight hip flexors
    ImbalanceRule(
        "tight_hip_flexors",
        50,
        SELF_TEST,
        chose(
            "hip_flexor_test",
            {
                "one_side": "in the hip-front check your other thigh lifted on one side",
                "both_sides": "in the hip-front check your other thigh lifted on both sides",
            },
        ),
    ),
    ImbalanceRule("tight_hip_flexors", 20, ANSWER, SITS_LONG),
    ImbalanceRule("tight_hip_flexors", 10, ANSWER, SITS_VERY_LONG),
    ImbalanceRule(
        "tight_hip_flexors", 15, ANSWER, includes("pain_areas", "front_of_hip", "pain at the front of the hip")
    ),
    ImbalanceRule("tight_hip_flexors", 10, ANSWER, ARCHING_HURTS),
    # weak glutes
    ImbalanceRule(
        "weak_glutes",
        45,
        SELF_TEST,
        chose(
            "hip_control_test",
            {
                "one_side": "in the single-leg squat your hip dropped or your knee fell in on one side",
                "both_sides": "in the single-leg squat your hip dropped or your knee fell in on both sides",
            },
        ),
    ),
    ImbalanceRule("weak_glutes", 20, ANSWER, LITTLE_STRENGTH),
    ImbalanceRule("weak_glutes", 15, ANSWER, KNEE_PAIN_AREA),
    ImbalanceRule("weak_glutes", 10, ANSWER, BUTTOCK_PAIN),
    ImbalanceRule("weak_glutes", 10, ANSWER, SITS_LONG),
    # tight hamstrings
    ImbalanceRule(
        "tight_hamstrings",
        50,
        SELF_TEST,
        chose("hamstring_test", {"knees": "in the toe-reach check you reached only about your knees"}),
    ),
    ImbalanceRule(
        "tight_hamstrings",
        35,
        SELF_TEST,
        chose("hamstring_test", {"shins": "in the toe-reach check you reached only your shins"}),
    ),
    ImbalanceRule(
        "tight_hamstrings",
        15,
        ANSWER,
        derived(
            lambda a: "back_of_thigh" in a.get("pain_areas", ()) and not has_nerve_signs(a),
            lambda a: "pain at the back of the thigh",
            "pain_areas",
        ),
    ),
    ImbalanceRule("tight_hamstrings", 10, ANSWER, BENDING_HURTS),
    ImbalanceRule("tight_hamstrings", 10, ANSWER, SITS_LONG),
    ImbalanceRule("tight_hamstrings", 10, ANSWER, HIGH_MILEAGE),
    # trunk endurance: under 30 s front plank is low, under 60 s below what runners need
    ImbalanceRule(
        "weak_trunk",
        50,
        SELF_TEST,
        below(
            "plank_seconds", th.PLANK_LOW_SECONDS, f"you held the front plank {{v}} s (under {th.PLANK_LOW_SECONDS} s)"
        ),
    ),
    ImbalanceRule(
        "weak_trunk",
        30,
        SELF_TEST,
        derived(
            lambda a: (
                a.get("plank_seconds") is not None
                and th.PLANK_LOW_SECONDS <= a["plank_seconds"] < th.PLANK_RUNNER_SECONDS
            ),
            lambda a: f"you held the front plank {a['plank_seconds']} s (under {th.PLANK_RUNNER_SECONDS} s)",
            "plank_seconds",
        ),
    ),
    ImbalanceRule(
        "weak_trunk",
        25,
        SELF_TEST,
        derived(
            lambda a: (w := weaker_side_plank(a)) is not None and w < th.SIDE_PLANK_LOW_SECONDS,
            lambda a: f"your shorter side plank lasted {weaker_side_plank(a)} s (under {th.SIDE_PLANK_LOW_SECONDS} s)",
            "side_plank_left_seconds",
            "side_plank_right_seconds",
        ),
    ),
    ImbalanceRule("weak_trunk", 20, ANSWER, LITTLE_STRENGTH),
    ImbalanceRule("weak_trunk", 10, ANSWER, includes("pain_when", "during_runs", "pain during runs")),
    # forward-tilted pelvis
    ImbalanceRule(
        "anterior_pelvic_tilt",
        50,
        SELF_TEST,
        chose("wall_low_back", {"large_gap"}, "in the wall check there was a large gap behind the lower back"),
    ),
    ImbalanceRule(
        "anterior_pelvic_tilt",
        20,
        SELF_TEST,
        chose("hip_flexor_test", {"one_side", "both_sides"}, "tight hip fronts in the hip-front check"),
    ),
    ImbalanceRule("anterior_pelvic_tilt", 15, ANSWER, ARCHING_HURTS),
    ImbalanceRule("anterior_pelvic_tilt", 10, ANSWER, SITS_LONG),
    ImbalanceRule("anterior_pelvic_tilt", 10, ANSWER, LITTLE_STRENGTH),
    # flattened lower back
    ImbalanceRule(
        "flat_back",
        50,
        SELF_TEST,
        chose("wall_low_back", {"no_gap"}, "in the wall check there was hardly any gap behind the lower back"),
    ),
    ImbalanceRule(
        "flat_back",
        20,
        SELF_TEST,
        chose("hamstring_test", {"shins", "knees"}, "a short reach in the toe-reach check"),
    ),
    ImbalanceRule("flat_back", 15, ANSWER, SITTING_HURTS),
    ImbalanceRule("flat_back", 10, ANSWER, BENDING_HURTS),
    ImbalanceRule(
        "flat_back",
        10,
        ANSWER,
        chose("lumbar_support", {"no"}, "the chair or car seat does not support the lower back"),
    ),
    # one-sided pelvis
    ImbalanceRule(
        "one_sided_pelvis",
        40,
        SELF_TEST,
        chose(
            "hip_control_test",
            {"one_side"},
            "in the single-leg squat your hip dropped or your knee fell in on one side only",
        ),
    ),
    ImbalanceRule(
        "one_sided_pelvis",
        30,
        SELF_TEST,
        chose("hip_flexor_test", {"one_side"}, "in the hip-front check only one thigh lifted"),
    ),
    ImbalanceRule(
        "one_sided_pelvis",
        30,
        SELF_TEST,
        derived(
            side_plank_gap,
            lambda a: (
                f"side planks differ: left {a['side_plank_left_seconds']} s, right {a['side_plank_right_seconds']} s"
            ),
            "side_plank_left_seconds",
            "side_plank_right_seconds",
        ),
    ),
    ImbalanceRule(
        "one_sided_pelvis",
        20,
        ANSWER,
        includes("pain_areas", "lower_back_one_side", "lower-back pain mostly on one side"),
    ),
    # desk posture
    ImbalanceRule(
        "desk_posture",
        45,
        SELF_TEST,
        chose("wall_head", {"not_touching"}, "in the wall check the head did not reach the wall"),
    ),
    ImbalanceRule(
        "desk_posture",
        20,
        ANSWER,
        at_least("sitting_hours", th.LONG_SITTING_HOURS, "you sit at a desk or computer about {v:g} h a day"),
    ),
    ImbalanceRule("desk_posture", 15, ANSWER, SCREEN_LOW),
    ImbalanceRule(
        "desk_posture",
        15,
        ANSWER,
        derived(
            lambda a: bool({"neck", "upper_back"} & set(a.get("pain_areas", ()))),
            lambda a: "pain in the neck or upper back",
            "pain_areas",
        ),
    ),
    ImbalanceRule("desk_posture", 10, ANSWER, FEW_BREAKS),
    # tight calves: under 10 cm knee-to-wall is a stiff ankle (our rule)
    ImbalanceRule(
        "tight_calves",
        50,
        SELF_TEST,
        below(
            "knee_to_wall_cm",
            th.KNEE_TO_WALL_CM,
            f"you reached only {{v:g}} cm in the knee-to-wall check (under {th.KNEE_TO_WALL_CM} cm)",
        ),
    ),
    ImbalanceRule("tight_calves", 20, ANSWER, includes("pain_areas", "calf", "calf pain")),
    ImbalanceRule("tight_calves", 10, ANSWER, HIGH_MILEAGE),
    ImbalanceRule("tight_calves", 10, ANSWER, WORN_SHOES),
    # tight piriformis
    ImbalanceRule("tight_piriformis", 20, ANSWER, BUTTOCK_PAIN),
    ImbalanceRule("tight_piriformis", 15, ANSWER, SITTING_HURTS),
    ImbalanceRule("tight_piriformis", 15, ANSWER, LONG_DRIVES),
    ImbalanceRule(
        "tight_piriformis",
        30,
        SELF_TEST,
        chose(
            "hip_control_test",
            {"one_side", "both_sides"},
            "your hip dropped in the single-leg squat, which overworks the deep hip muscles",
        ),
    ),
)

# Below this score an imbalance is not named as likely.
LIKELY = 60
POSSIBLE = 30

# A movement check that was done and came out normal outweighs every inference from
# habits and symptoms: the imbalance it measures is then at most "unlikely".
UNLIKELY_AT_MOST = POSSIBLE - 1
NORMAL_SELF_TEST: dict[str, When] = {
    "tight_hip_flexors": chose("hip_flexor_test", {"flat"}, "your hip-front check was normal"),
    "tight_hamstrings": chose("hamstring_test", {"past_toes", "toes"}, "your toe-reach check was normal"),
    "weak_glutes": chose("hip_control_test", {"steady"}, "your hip stayed level in the single-leg squat"),
    "weak_trunk": derived(
        lambda a: (
            a.get("plank_seconds", 0) >= th.PLANK_RUNNER_SECONDS
            and (weaker_side_plank(a) is None or weaker_side_plank(a) >= th.SIDE_PLANK_LOW_SECONDS)
        ),
        lambda a: f"you held the front plank {a['plank_seconds']} s",
        "plank_seconds",
    ),
    "anterior_pelvic_tilt": chose(
        "wall_low_back", {"hand_fits", "no_gap"}, "the wall check found no large gap behind your lower back"
    ),
    "flat_back": chose(
        "wall_low_back", {"hand_fits", "large_gap"}, "the wall check found a normal or deeper lower-back curve"
    ),
    "desk_posture": chose("wall_head", {"touches"}, "your head reached the wall easily in the wall check"),
    "tight_calves": at_least("knee_to_wall_cm", th.KNEE_TO_WALL_CM, "you reached {v:g} cm in the knee-to-wall check"),
}


# --- Triage ------------------------------------------------------------------------


@dataclass(frozen=True)
class TriageRule:
    tier: str
    when: When


def _fragile_bones(a: Answers) -> bool:
    return a.get("osteoporosis") is True or a.get("long_term_steroids") is True


MINOR_FALL = ticked("minor_fall", "the pain started after a minor fall, slip or knock")
FRAGILE_BONES = derived(
    _fragile_bones, lambda a: "osteoporosis or long-term steroid tablets", "osteoporosis", "long_term_steroids"
)
AGE_70 = chose("age_band", AGE_70_PLUS, "you are 70 or over")
PREGNANCY_SIGNS = ticked(
    "pregnancy_signs", "bleeding, fluid, cramps, a fever or a change in the baby's movements in pregnancy"
)
NIGHT_PAIN_CONSTANT = chose(
    "night_position", {"constant"}, "pain at night that nothing eases, whatever position you are in"
)


# Inflammatory back pain (axial spondyloarthritis; NICE NG65's referral criteria): back pain
# for over 3 months that began before 45, with several of these. NICE refers at 4 and tests
# at 3; a self-check cannot test, so 3 already asks about a rheumatology referral (our rule).
INFLAMMATORY_FEATURES: tuple[When, ...] = (
    chose("pain_began_age", {"under_35"}, "it began before you were 35"),
    includes("inflammatory_signs", "late_night", "it wakes you in the second half of the night"),
    BUTTOCK_PAIN,
    derived(
        lambda a: (
            "morning_stiffness" in a.get("pain_when", ())
            or ("moving" in a.get("pain_eases", ()) and "rest" not in a.get("pain_eases", ()))
        ),
        lambda a: "it eases with movement rather than with rest",
        "pain_when",
        "pain_eases",
    ),
    includes("pain_eases", "anti_inflammatories", "anti-inflammatory tablets ease it"),
    includes("inflammatory_signs", "relative", "a close relative with spondyloarthritis"),
    includes("inflammatory_signs", "joints", "swollen joints or tendon pain with no injury"),
    includes("inflammatory_signs", "psoriasis", "psoriasis"),
    derived(
        lambda a: bool({"bowel", "eye"} & set(a.get("inflammatory_signs", ()))),
        lambda a: "Crohn's disease, colitis or eye inflammation",
        "inflammatory_signs",
    ),
)


def _inflammatory_features(a: Answers) -> list[When]:
    if a.get("pain_duration") != "over_12w" or a.get("pain_began_age") not in ("under_35", "35_44"):
        return []
    return [c for c in INFLAMMATORY_FEATURES if c(a)]


INFLAMMATORY_PATTERN = When(
    lambda a: len(_inflammatory_features(a)) >= th.INFLAMMATORY_FEATURES_AT_LEAST,
    lambda a: (
        "back pain for over 3 months that began before 45, with "
        + ", ".join(c.says(a) for c in _inflammatory_features(a))
    ),
    ("pain_duration", "pain_began_age", *sorted({code for c in INFLAMMATORY_FEATURES for code in c.codes})),
)


TRIAGE_RULES: tuple[TriageRule, ...] = (
    # emergency: possible pressure on the nerves at the base of the spine (cauda equina), a fracture
    TriageRule(EMERGENCY, ticked("saddle_numbness", "numbness or tingling in the saddle area")),
    TriageRule(EMERGENCY, ticked("bladder_bowel", "new bladder or bowel trouble")),
    TriageRule(EMERGENCY, ticked("both_legs_nerve", "numbness, tingling, weakness or shooting pain in both legs")),
    TriageRule(EMERGENCY, ticked("leg_weakness", "leg weakness that is severe or getting worse")),
    TriageRule(EMERGENCY, ticked("serious_accident", "the pain started after a serious accident")),
    TriageRule(
        EMERGENCY, all_of(MINOR_FALL, FRAGILE_BONES, text="a fall or knock with osteoporosis or long-term steroids")
    ),
    # pregnancy: maternity care now (WHEN_TO_ACT_MATERNITY)
    TriageRule(EMERGENCY, PREGNANCY_SIGNS),
    # urgent: possible infection, cancer, fracture or other serious cause
    TriageRule(URGENT, ticked("fever_unwell", "fever or feeling unwell with the pain")),
    TriageRule(URGENT, ticked("weight_loss", "weight loss without trying")),
    TriageRule(URGENT, ticked("cancer_history", "back pain with a past cancer")),
    TriageRule(URGENT, ticked("night_pain", "pain at night or at rest that changing position does not ease")),
    TriageRule(URGENT, NIGHT_PAIN_CONSTANT),
    TriageRule(URGENT, ticked("thoracic_constant", "constant pain between the shoulder blades, at rest and at night")),
    TriageRule(URGENT, ticked("immune_drugs", "a weakened immune system or injected drug use")),
    # Long-term oral steroids: the most telling single sign of a spinal fracture in the 2013
    # BMJ review, and they lower the defences against infection (IFOMPT 2020).
    TriageRule(
        URGENT,
        derived(
            lambda a: a.get("long_term_steroids") is True and not a.get("minor_fall"),
            lambda a: "long-term steroid tablets, which thin the bones and lower the defences against infection",
            "long_term_steroids",
        ),
    ),
    TriageRule(
        URGENT,
        derived(
            lambda a: MINOR_FALL(a) and AGE_70(a) and not _fragile_bones(a),
            lambda a: "a fall or knock at 70 or over",
            "minor_fall",
            "age_band",
        ),
    ),
    TriageRule(
        URGENT,
        all_of(
            at_least("home_care_weeks", th.URGENT_NOT_IMPROVING_WEEKS, "home care"),
            NOT_IMPROVING,
            AGE_50,
            text="no improvement after a month of home care, aged 50 or over",
        ),
    ),
    # routine: book an appointment
    TriageRule(ROUTINE, includes("pain_areas", "below_knee", "pain or tingling that travels below the knee")),
    TriageRule(ROUTINE, ticked("leg_numbness", "numbness or tingling in one leg for more than a week")),
    TriageRule(
        ROUTINE,
        derived(
            lambda a: MINOR_FALL(a) and not AGE_70(a) and not _fragile_bones(a),
            lambda a: "the pain started after a fall or knock",
            "minor_fall",
        ),
    ),
    TriageRule(
        ROUTINE,
        derived(
            lambda a: a.get("osteoporosis") is True and not a.get("minor_fall") and not a.get("long_term_steroids"),
            lambda a: "osteoporosis (thin bones)",
            "osteoporosis",
        ),
    ),
    TriageRule(ROUTINE, at_least("pain_now", th.HIGH_PAIN, "high pain right now ({v}/10)")),
    TriageRule(ROUTINE, GETTING_WORSE),
    TriageRule(
        ROUTINE,
        all_of(
            at_least("home_care_weeks", th.SEE_PROFESSIONAL_WEEKS, "home care"),
            NOT_IMPROVING,
            text=f"no improvement after {th.SEE_PROFESSIONAL_WEEKS} weeks or more of home care",
        ),
    ),
    TriageRule(ROUTINE, STOPS_DAILY_LIFE),
    TriageRule(ROUTINE, chose("pain_duration", {"over_12w"}, "back pain for more than 12 weeks")),
    TriageRule(ROUTINE, INFLAMMATORY_PATTERN),
    TriageRule(
        ROUTINE,
        all_of(ticked("first_episode", "first episode"), AGE_50, text="a first episode of back pain at 50 or over"),
    ),
    TriageRule(ROUTINE, WORRIES_VERY_MUCH),
    TriageRule(ROUTINE, includes("feelings", "struggling", "you are struggling to cope with the pain")),
)


# --- Rest day ---------------------------------------------------------------------

PAINFUL_RUN = chose(
    "run_pain_change",
    {
        "much_worse": "your pain rose by 2 points or more after your last run",
        "worse_next_morning": "your pain was still raised the morning after your last run",
    },
)
LOAD_JUMP = chose("distance_change", {"over_30"}, "your weekly distance rose by more than 30% in two weeks")
HIGH_PAIN_TODAY = at_least("pain_now", th.FLARE_PAIN, "your pain is high today ({v}/10)")

REST_DAY_RULES: tuple[When, ...] = (
    PAINFUL_RUN,
    HIGH_PAIN_TODAY,
    LOAD_JUMP,
    # Aching leg muscles after a long run or race (delayed-onset soreness): not a warning
    # sign, but the legs recover faster with an easy day.
    includes(
        "pain_areas",
        "leg_muscles_after_run",
        "your leg muscles ache after a long run or race: an easy day helps them recover",
    ),
)


# --- Caution flags: what the exercise programme must avoid -------------------------

# Each exercise in the library carries caution tags with the same codes; the programme
# builder never chooses an exercise whose caution matches one of these flags
# (CLINICAL.md "Dosage ranges": no loaded forward bending with disc-type symptoms, no
# end-range arching when arching hurts; "Pregnancy and after birth": no lying on the back
# or the front then, our rule).
NERVE_SIGNS = "nerve_signs"
FLEXION_SENSITIVE = "flexion_sensitive"
EXTENSION_SENSITIVE = "extension_sensitive"
ACUTE_FLARE = "acute_flare"
KNEE_PAIN = "knee_pain"
PREGNANCY = "pregnancy"
CAUTION_WORDS = {
    NERVE_SIGNS: "not with pain or tingling going below the knee, or numbness in one leg",
    FLEXION_SENSITIVE: "not when bending forward hurts or with pain going into the leg (loads the spine bent forward)",
    EXTENSION_SENSITIVE: "not when arching your back hurts (arches the lower back fully)",
    ACUTE_FLARE: f"not during a flare-up (pain of {th.FLARE_PAIN} or more, or just after a painful run)",
    KNEE_PAIN: "not with knee pain (kneels, squats or lunges)",
    PREGNANCY: "not in pregnancy or in the 6 months after a birth (lies on the back or on the front)",
}
# The two answers behind has_nerve_signs(), each named on its own.
NERVE_SIGN_CONDITIONS = (
    includes("pain_areas", "below_knee", "pain or tingling below the knee"),
    ticked("leg_numbness", "numbness or tingling in one leg"),
)
PREGNANT_OR_AFTER_BIRTH = chose(
    "pregnancy", {"pregnant": "you are pregnant", "after_birth": "you gave birth in the last 6 months"}
)
FLAG_RULES: tuple[tuple[str, When], ...] = (
    *((NERVE_SIGNS, when) for when in NERVE_SIGN_CONDITIONS),
    (FLEXION_SENSITIVE, includes("pain_when", "bending", "bending forward brings on your pain")),
    # disc-type symptoms: spare the spine loaded forward
    *((FLEXION_SENSITIVE, when) for when in NERVE_SIGN_CONDITIONS),
    (EXTENSION_SENSITIVE, includes("pain_when", "arching", "arching your back brings on your pain")),
    (ACUTE_FLARE, HIGH_PAIN_TODAY),
    (ACUTE_FLARE, PAINFUL_RUN),
    (KNEE_PAIN, KNEE_PAIN_AREA),
    (PREGNANCY, PREGNANT_OR_AFTER_BIRTH),
)


# --- Advice from the source article, where the answers call for it ------------------

Scores = dict[str, int]


@dataclass(frozen=True)
class AdviceRule:
    code: str
    title: str
    text: str
    when: Callable[[Answers, Scores], list[str]]  # the reasons; empty when it does not apply


def _reasons(*conditions: When) -> Callable[[Answers, Scores], list[str]]:
    return lambda a, s: [c.says(a) for c in conditions if c(a)]


def is_prevention(a: Answers) -> bool:
    """No pain now: the runner wants to prevent it."""
    return a.get("reason") == PREVENTION


# Knee and calf pain make fitted shoes worth a try; pain or tingling from a nerve does not.
LEG_PAIN = {"knee": "knee", "calf": "calf"}
TIGHT_IMBALANCES = ("tight_hip_flexors", "tight_hamstrings", "tight_calves", "tight_piriformis")
YELLOW_FLAGS = (
    chose("worry", {"much": "the pain worries you quite a lot", "very": "the pain worries you very much"}),
    includes("feelings", "fear_activity", "you worry that activity could damage your back"),
    includes("feelings", "never_better", "you feel the pain may never go away"),
    includes("feelings", "low_mood", "the pain often leaves you feeling low"),
    STOPS_DAILY_LIFE,
)


def _yellow_flags(a: Answers, s: Scores) -> list[str]:
    found = [c.says(a) for c in YELLOW_FLAGS if c(a)]
    return found if len(found) >= 3 else []


# How back pain usually goes, by how long it has lasted (acute under 6 weeks, persistent over 12).
PAIN_COURSE = {
    "under_1w": "your pain started less than a week ago",
    "1_6w": "your pain has lasted 1 to 6 weeks",
}


ADVICE_RULES: tuple[AdviceRule, ...] = (
    AdviceRule(
        "keep_moving",
        "Keep moving",
        "Gentle activity helps back pain settle faster than rest in bed. Even on a rest day, walk and move about.",
        lambda a, s: [] if is_prevention(a) else ["staying active is the first step in every back-pain guideline"],
    ),
    AdviceRule(
        "stay_strong",
        "Keep your back and hips strong",
        "Runners with strong hips and trunk and supple hips and hamstrings get less back pain. A few "
        "minutes of the routine most days, and some other activity besides running (cycling, "
        "swimming, strength work), keep it that way.",
        lambda a, s: ["you want to prevent back pain"] if is_prevention(a) else [],
    ),
    AdviceRule(
        "what_to_expect",
        "What to expect",
        "Most new back pain eases a lot within a few weeks, even when it is strong at first. It "
        "rarely means damage: staying active and a short daily routine help it settle.",
        _reasons(chose("pain_duration", PAIN_COURSE)),
    ),
    AdviceRule(
        "persistent_pain",
        "Pain that has lasted for months",
        "Back pain that has lasted more than 3 months is called persistent. It is common and does "
        "not mean that something is damaged, and exercise still helps. A physiotherapist can "
        "help you plan how to build up your running and your routine.",
        _reasons(chose("pain_duration", {"over_12w"}, "your pain has lasted more than 12 weeks")),
    ),
    AdviceRule(
        "sitting_support",
        "Support your back when you sit, and take breaks",
        "Use a chair or a small cushion that keeps the natural inward curve of your lower back. "
        f"Stand up, walk and stretch for a minute every {th.SITTING_BREAK_MINUTES[0]} to "
        f"{th.SITTING_BREAK_MINUTES[1]} minutes; on long drives, stop "
        "for a short walk.",
        _reasons(
            SITS_LONG,
            LONG_DRIVES,
            FEW_BREAKS,
            chose("lumbar_support", {"no"}, "the seat does not support the lower back"),
        ),
    ),
    AdviceRule(
        "screen_height",
        "Raise your screen",
        "Set the top of your screen at about eye level (a laptop stand and a separate keyboard "
        "help) so that your head is not pulled forward.",
        _reasons(SCREEN_LOW),
    ),
    AdviceRule(
        "rest_after_run",
        "Rest after a painful run",
        "When a run leaves you sorer, take a day or so off running: walk, cycle easily or swim "
        "instead. Once it settles, look for what may have set it off (a jump in distance, worn shoes, a hilly "
        "route) before building back up.",
        _reasons(PAINFUL_RUN),
    ),
    AdviceRule(
        "hold_volume",
        "Hold your weekly distance",
        "Keep this week's distance the same as last week's, then add no more than about 10% a "
        "week. Fast jumps in distance are linked with more running injuries.",
        _reasons(LOAD_JUMP),
    ),
    AdviceRule(
        "fitted_shoes",
        "Check your running shoes",
        "Shoes fitted to your feet in a specialist shop may feel more comfortable. The evidence "
        "that shoes or insoles prevent back pain is weak, so treat this as comfort advice, "
        "mostly worth it when your shoes are worn out or your knees or legs hurt too.",
        lambda a, s: (
            [c.says(a) for c in (WORN_SHOES,) if c(a)]
            + (
                ["off-the-shelf shoes with " + " and ".join(legs) + " pain"]
                if a.get("shoes") == "off_the_shelf"
                and (legs := [word for code, word in LEG_PAIN.items() if code in a.get("pain_areas", ())])
                else []
            )
        ),
    ),
    AdviceRule(
        "massage",
        "Massage and self-massage",
        "Massage, or rolling your legs on a foam roller or a ball, can keep tight muscles loose "
        "and ease pain for some people. Keep the pressure comfortable, never on the spine.",
        lambda a, s: [
            f"{CATALOGUE_BY_CODE[code].label.lower()} scored {s[code]}"
            for code in TIGHT_IMBALANCES
            if s.get(code, 0) >= th.MASSAGE_FROM_SCORE
        ],
    ),
    AdviceRule(
        "ask_about_discs",
        "Ask a professional about nerve symptoms",
        "Pain or tingling into the leg can come from an irritated nerve, for example from a "
        "disc. A physiotherapist or doctor can examine you and decide whether a scan is needed; "
        "scans are not routinely useful. Spinal decompression (traction) is offered by some "
        "clinics, but trials show little benefit: discuss it with a professional rather than "
        "trying it at home.",
        _reasons(*NERVE_SIGN_CONDITIONS),
    ),
    AdviceRule(
        "ask_about_inflammation",
        "Could this be inflammatory back pain?",
        "Some back pain comes from inflammation of the spine's joints (axial spondyloarthritis), "
        "which is treated differently. Show these answers to your doctor and ask whether a "
        "referral to a rheumatologist (a joint specialist) is worth it.",
        _reasons(INFLAMMATORY_PATTERN),
    ),
    AdviceRule(
        "pregnancy",
        "Pregnancy and after a birth",
        "Staying active and gentle exercise are safe and help back and pelvic pain in pregnancy "
        "and after a birth. Your plan leaves out exercises lying on your back or your front. "
        "Tell your midwife or a physiotherapist about any back or pelvic pain: they can help.",
        _reasons(PREGNANT_OR_AFTER_BIRTH),
    ),
    AdviceRule(
        "strength",
        "Add strength training",
        "Two short sessions a week of trunk and hip strength exercises make the back and hips "
        "more resilient to running's load.",
        _reasons(LITTLE_STRENGTH),
    ),
    AdviceRule(
        "physio_check",
        "Consider seeing a physiotherapist",
        "Your pain has not clearly improved after a couple of weeks of home care. A "
        "physiotherapist can check what is going on and adjust your exercises.",
        _reasons(
            all_of(
                derived(
                    lambda a: th.SUGGEST_PHYSIO_WEEKS <= a.get("home_care_weeks", 0) < th.SEE_PROFESSIONAL_WEEKS,
                    lambda a: "",
                    "home_care_weeks",
                ),
                NOT_IMPROVING,
                text=(
                    f"home care for {th.SUGGEST_PHYSIO_WEEKS} to {th.SEE_PROFESSIONAL_WEEKS - 1} weeks "
                    "without clear improvement"
                ),
            )
        ),
    ),
    AdviceRule(
        "talk_to_clinician",
        "Talk it through with a clinician",
        "Worry and low mood are common with back pain and can slow recovery. Talking to a "
        "physiotherapist or your doctor alongside this plan often helps.",
        _yellow_flags,
    ),
)


# Which advice each tier may give. Emergency: none, only what to do now. Urgent: the plan
# pauses to gentle movement until a doctor has checked (CLINICAL.md), so no training,
# running-load or equipment advice.
ALL_ADVICE = frozenset(rule.code for rule in ADVICE_RULES)
ADVICE_BY_TIER: dict[str, frozenset[str]] = {
    EMERGENCY: frozenset(),
    URGENT: frozenset(
        {
            "keep_moving",
            "sitting_support",
            "screen_height",
            "ask_about_discs",
            "ask_about_inflammation",
            "pregnancy",
            "talk_to_clinician",
        }
    ),
    ROUTINE: ALL_ADVICE,
    SELF_CARE: ALL_ADVICE,
}


# --- The result ---------------------------------------------------------------------


@dataclass
class Reason:
    text: str
    answers: list[str]  # the question codes that caused it
    source: Source = Source.ANSWER

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reason:
        return cls(data["text"], list(data["answers"]), Source(data.get("source", Source.ANSWER)))


@dataclass
class ImbalanceResult:
    code: str
    label: str
    score: int
    likelihood: Likelihood
    summary: str
    tight: list[str]
    weak: list[str]
    reasons: list[Reason]
    from_self_test: bool

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImbalanceResult:
        return cls(
            code=data["code"],
            label=data["label"],
            score=data["score"],
            likelihood=Likelihood(data["likelihood"]),
            summary=data["summary"],
            tight=list(data["tight"]),
            weak=list(data["weak"]),
            reasons=[Reason.from_dict(r) for r in data["reasons"]],
            from_self_test=data["from_self_test"],
        )


@dataclass
class Flag:
    code: str  # one of CAUTION_WORDS
    reasons: list[Reason]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Flag:
        return cls(data["code"], [Reason.from_dict(r) for r in data["reasons"]])


@dataclass
class AdviceItem:
    code: str
    title: str
    text: str
    reasons: list[str]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AdviceItem:
        return cls(data["code"], data["title"], data["text"], list(data["reasons"]))


@dataclass
class Result:
    version: str
    triage: Triage
    tier: Tier
    when_to_act: str
    triage_reasons: list[Reason]
    rest_day: bool
    rest_day_reasons: list[Reason]
    imbalances: list[ImbalanceResult]
    advice: list[AdviceItem] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)  # caution flags for the exercise programme
    prevention: bool = False  # no pain now: the runner wants to prevent it (worded so)

    @property
    def see_professional(self) -> bool:
        return self.triage == Triage.SEE_PROFESSIONAL

    @property
    def top_imbalance(self) -> str:
        return self.imbalances[0].code if self.imbalances and self.imbalances[0].score >= POSSIBLE else ""

    @property
    def flag_codes(self) -> frozenset[str]:
        return frozenset(flag.code for flag in self.flags)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Result:
        """A stored result (`as_dict()`, kept as JSON) as the typed value again.

        Every key a result has had since the first version must be there, caution flags
        included (migration assessments/0002 added them to older rows): a result without its
        flags must never reach the exercise programme. `prevention` came with 2026.11.2.
        """
        return cls(
            version=data["version"],
            triage=Triage(data["triage"]),
            tier=Tier(data["tier"]),
            when_to_act=data["when_to_act"],
            triage_reasons=[Reason.from_dict(r) for r in data["triage_reasons"]],
            rest_day=data["rest_day"],
            rest_day_reasons=[Reason.from_dict(r) for r in data["rest_day_reasons"]],
            imbalances=[ImbalanceResult.from_dict(i) for i in data["imbalances"]],
            advice=[AdviceItem.from_dict(a) for a in data["advice"]],
            flags=[Flag.from_dict(f) for f in data["flags"]],
            prevention=data.get("prevention", False),
        )


def _likelihood(score: int) -> Likelihood:
    return Likelihood.LIKELY if score >= LIKELY else Likelihood.POSSIBLE if score >= POSSIBLE else Likelihood.UNLIKELY


def score_imbalances(answers: Answers) -> list[ImbalanceResult]:
    """Every imbalance with a score above 0, highest first (catalogue order breaks ties)."""
    found: dict[str, list[tuple[int, Reason]]] = {i.code: [] for i in CATALOGUE}
    for rule in IMBALANCE_RULES:
        if rule.when(answers):
            found[rule.imbalance].append(
                (rule.points, Reason(rule.when.says(answers), list(rule.when.codes), rule.source))
            )
    results = []
    for imbalance in CATALOGUE:
        hits = found[imbalance.code]
        if not hits:
            continue
        score = min(100, sum(points for points, _ in hits))
        reasons = [reason for _, reason in sorted(hits, key=lambda h: -h[0])]
        normal = NORMAL_SELF_TEST.get(imbalance.code)
        if normal is not None and normal(answers) and score > UNLIKELY_AT_MOST:
            score = UNLIKELY_AT_MOST
            reasons.insert(
                0, Reason(normal.says(answers) + ", which outweighs the other signs", list(normal.codes), SELF_TEST)
            )
        results.append(
            ImbalanceResult(
                code=imbalance.code,
                label=imbalance.label,
                score=score,
                likelihood=_likelihood(score),
                summary=imbalance.summary,
                tight=list(imbalance.tight),
                weak=list(imbalance.weak),
                reasons=reasons,
                from_self_test=any(r.source == SELF_TEST for r in reasons),
            )
        )
    results.sort(key=lambda r: -r.score)  # stable: catalogue order among equal scores
    return results


def triage(answers: Answers) -> tuple[str, list[Reason]]:
    """The most serious tier whose rules hold, and its reasons.

    An emergency lists only the signs that made it one, so that nothing distracts from
    them; a see-a-professional tier lists every reason (most serious first), which the
    clinician reads too.
    """
    hits = [
        (rule.tier, Reason(rule.when.says(answers), list(rule.when.codes)))
        for rule in TRIAGE_RULES
        if rule.when(answers)
    ]
    if not hits:
        return SELF_CARE, []
    tier = min((t for t, _ in hits), key=TIER_ORDER.index)
    if tier == EMERGENCY:
        hits = [hit for hit in hits if hit[0] == EMERGENCY]
    hits.sort(key=lambda h: TIER_ORDER.index(h[0]))
    return tier, [reason for _, reason in hits]


# The rules are listed most serious tier first, so that the tier alone can stop at the first rule that holds.
assert [rule.tier for rule in TRIAGE_RULES] == sorted((rule.tier for rule in TRIAGE_RULES), key=TIER_ORDER.index)


def tier_of(answers: Answers) -> str:
    """The tier alone, without the reasons: what the questionnaire asks next depends on it."""
    return next((rule.tier for rule in TRIAGE_RULES if rule.when(answers)), SELF_CARE)


def maternity_first(reason_codes: list[list[str]]) -> bool:
    """An emergency for a pregnancy sign alone: maternity care comes first (the answers behind
    each triage reason, as a result stores them)."""
    return reason_codes == [list(PREGNANCY_SIGNS.codes)]


def when_to_act(tier: str, answers: Answers) -> str:
    """How soon, and where: a pregnancy sign alone sends the runner to maternity care first."""
    if tier != EMERGENCY or not PREGNANCY_SIGNS(answers):
        return WHEN_TO_ACT[tier]
    codes = [list(rule.when.codes) for rule in TRIAGE_RULES if rule.tier == EMERGENCY and rule.when(answers)]
    return WHEN_TO_ACT_MATERNITY if maternity_first(codes) else WHEN_TO_ACT_EMERGENCY_PREGNANT


def caution_flags(answers: Answers) -> list[Flag]:
    """The caution flags that hold, in CAUTION_WORDS order, each with the answers behind it."""
    found: dict[str, list[Reason]] = {}
    for code, when in FLAG_RULES:
        if when(answers):
            found.setdefault(code, []).append(Reason(when.says(answers), list(when.codes)))
    return [Flag(code, found[code]) for code in CAUTION_WORDS if code in found]


def score_answers(answers: Answers) -> Result:
    """Score validated answers (see `questionnaire.validate_answers`) into a Result.

    Deterministic for a questionnaire version. An emergency sign always wins: the
    result then carries no advice and no rest day, and the pages show no programme,
    only what to do now. The urgent tier keeps only gentle-movement advice
    (ADVICE_BY_TIER). Imbalance scores are always computed so a clinician sees them.
    """
    tier, triage_reasons = triage(answers)
    rest_day_reasons = [Reason(w.says(answers), list(w.codes)) for w in REST_DAY_RULES if w(answers)]
    imbalances = score_imbalances(answers)
    advice: list[AdviceItem] = []
    scores = {i.code: i.score for i in imbalances}
    for rule in ADVICE_RULES:
        if rule.code not in ADVICE_BY_TIER[tier]:
            continue
        reasons = rule.when(answers, scores)
        if reasons:
            advice.append(AdviceItem(rule.code, rule.title, rule.text, reasons))
    return Result(
        version=QUESTIONNAIRE_VERSION,
        triage=TRIAGE_OF_TIER[tier],
        tier=tier,
        when_to_act=when_to_act(tier, answers),
        triage_reasons=triage_reasons,
        rest_day=bool(rest_day_reasons) and tier != EMERGENCY,
        rest_day_reasons=rest_day_reasons if tier != EMERGENCY else [],
        imbalances=imbalances,
        advice=advice,
        flags=caution_flags(answers),
        prevention=is_prevention(answers),
    )


def catalogue_as_dict() -> list[dict[str, Any]]:
    return [asdict(i) for i in CATALOGUE]
