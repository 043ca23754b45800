"""The questionnaire: sections, questions, choices and ranges, in our own words.

This module is the single source of truth: the web forms are generated from it,
`answers.validate_answers()` checks answers from any source (web or JSON) against it,
and `python manage.py questionnaire --json` prints it. Pure Python (no Django), and
definitions only: it imports nothing else of the project.

Bump QUESTIONNAIRE_VERSION whenever a question, a choice or a scoring rule changes
meaning: stored assessments keep the version they were answered with. A question code
never changes meaning: a question that asks something new gets a new code. Earlier
versions are kept as data in `versions/<version>.json` (what `questionnaire --json`
printed then), so that old answers are still shown with the words they were given to.

The order follows what matters first: consent, then the warning signs (an emergency
sign ends the questionnaire there), then habits, pain and the optional movement checks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

QUESTIONNAIRE_VERSION = "2026.11.2"
ARCHIVE = Path(__file__).resolve().parent / "versions"

# Question types
BOOL = "bool"  # a tick box; True or False
CHOICE = "choice"  # one code from `choices`
MULTI = "multi"  # a list of codes from `choices`
INT = "int"  # a whole number within [min, max]
NUMBER = "number"  # a decimal number within [min, max]
TEXT = "text"  # free text up to `max_length` characters

# How a question is shown when its type alone does not say (see templates/assessments/_question.html).
SCALE = "scale"  # 0-10 as a row of labelled buttons: the same control as in the daily check-in

SKIP = "skip"
COULD_NOT = "could_not"
SELF_TEST_OPT_OUT = ((SKIP, "Skip this check"), (COULD_NOT, "I could not do it (pain or balance)"))


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    type: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    min: float | None = None
    max: float | None = None
    required: bool = True
    max_length: int | None = None
    unit: str = ""
    widget: str = ""  # SCALE, or "" for the type's usual control
    initial: Any = None  # shown ticked or filled in until the runner changes it
    illustration: str = ""  # a drawing under static/img/checks/, for the movement checks
    # Why we ask, for a question that no scoring rule reads (the others are read by a rule:
    # tests/test_questionnaire.py checks that every question is one or the other).
    purpose: str = ""

    def choice_codes(self) -> set[str]:
        return {code for code, _ in self.choices}

    def choice_label(self, code: str) -> str:
        return dict(self.choices).get(code, code)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "label": self.label, "type": self.type, "required": self.required}
        for name in ("help", "unit", "widget", "illustration", "purpose"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.choices:
            data["choices"] = [{"code": c, "label": label} for c, label in self.choices]
        for name in ("min", "max", "max_length", "initial"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Question:
        values = dict(data)
        values["choices"] = tuple((c["code"], c["label"]) for c in values.get("choices", ()))
        return cls(**values)


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    intro: str
    questions: tuple[Question, ...] = field(default_factory=tuple)
    # The tick boxes of the section, shown together under one legend (a <fieldset>).
    group_legend: str = ""

    def as_dict(self) -> dict[str, Any]:
        data = {
            "code": self.code,
            "title": self.title,
            "intro": self.intro,
            "questions": [q.as_dict() for q in self.questions],
        }
        if self.group_legend:
            data["group_legend"] = self.group_legend
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Section:
        return cls(
            code=data["code"],
            title=data["title"],
            intro=data["intro"],
            questions=tuple(Question.from_dict(q) for q in data["questions"]),
            group_legend=data.get("group_legend", ""),
        )


UNDER_18 = "under_18"
AGE_BANDS = (
    (UNDER_18, "Under 18"),
    ("18_29", "18 to 29"),
    ("30_39", "30 to 39"),
    ("40_49", "40 to 49"),
    ("50_59", "50 to 59"),
    ("60_69", "60 to 69"),
    ("70_plus", "70 or over"),
)
AGE_50_PLUS = {"50_59", "60_69", "70_plus"}
AGE_70_PLUS = {"70_plus"}

# Why the runner is here: with pain now, or to prevent it. The prevention path asks no
# pain questions, and its result and plan are worded for prevention.
PAIN = "pain"
PREVENTION = "prevention"
REASONS = (
    (PAIN, "I have back pain now (it may spread to my hips or legs)"),
    (PREVENTION, "I have no back pain now: I want to prevent it"),
)

PREGNANT = "pregnant"
AFTER_BIRTH = "after_birth"

PAIN_AREAS = (
    ("lower_back_centre", "Lower back, in the middle"),
    ("lower_back_one_side", "Lower back, more on one side"),
    ("upper_back", "Upper back or between the shoulder blades: an ache that eases when I move"),
    ("neck", "Neck"),
    ("buttock", "Buttock"),
    ("back_of_thigh", "Back of the thigh"),
    ("front_of_hip", "Front of the hip or groin"),
    ("knee", "Knee"),
    ("calf", "Calf"),
    ("below_knee", "Pain, pins and needles or tingling that travels below the knee"),
    ("leg_muscles_after_run", "Aching muscles in both legs after a long run or race"),
)

START = Section(
    code="start",
    title="Before you start",
    intro=(
        "About 4 minutes of questions, then up to 10 minutes of movement checks if you want "
        "to try them. This check gives self-care guidance for back pain in runners: it is not "
        "a diagnosis and it does not replace a health professional. We do not ask for your "
        "name or email address. You come back to your result through a private link, and you "
        "can delete your answers at any time."
    ),
    questions=(
        Question("age_band", "Your age", CHOICE, choices=AGE_BANDS),
        Question("reason", "What brings you here?", CHOICE, choices=REASONS),
        # Asked of everyone (we do not ask anyone's sex): it decides warning signs, checks and exercises.
        Question(
            "pregnancy",
            "Are you pregnant, or did you give birth in the last 6 months?",
            CHOICE,
            help="Some exercises are not comfortable or safe then, so we leave them out of your plan.",
            choices=(
                (PREGNANT, "I am pregnant"),
                (AFTER_BIRTH, "I gave birth in the last 6 months"),
                ("no", "No, or this does not apply to me"),
            ),
        ),
        Question(
            "consent",
            "I understand this is self-care guidance, not a diagnosis, and I agree that my "
            "answers and result are stored.",
            BOOL,
            purpose="nothing is stored without it",
        ),
    ),
)

# The pain-only warning signs are not asked on the prevention path: they describe the pain.
WARNING = Section(
    code="warning",
    title="Warning signs",
    intro=(
        "First, signs that need a doctor rather than home care. Most runners tick none of them. Please read each one."
    ),
    group_legend="Tick any that apply to you now, or tick the last box if none do",
    questions=(
        Question(
            "saddle_numbness",
            "Numbness or tingling around the genitals, buttocks or back passage",
            BOOL,
            required=False,
        ),
        Question(
            "bladder_bowel",
            "New difficulty passing urine, or losing control of your bladder or bowel",
            BOOL,
            required=False,
        ),
        Question(
            "both_legs_nerve",
            "Numbness, tingling or weakness in both legs, or pain shooting down both legs",
            BOOL,
            required=False,
            help="Aching leg muscles a day or two after a long run or race are normal: they do not count here.",
        ),
        Question(
            "leg_weakness",
            "Weakness in a leg that is severe (for example the foot slaps or drags) or getting worse",
            BOOL,
            required=False,
        ),
        Question(
            "pregnancy_signs",
            "Bleeding, leaking fluid, cramps or tightenings, a fever, or a change in your baby's movements",
            BOOL,
            required=False,
        ),
        Question(
            "serious_accident",
            "The pain started after a serious accident, such as a car crash or a fall from a height",
            BOOL,
            required=False,
        ),
        Question("minor_fall", "The pain started after a minor fall, slip or knock", BOOL, required=False),
        Question("fever_unwell", "A fever, or feeling generally unwell, along with the pain", BOOL, required=False),
        Question("weight_loss", "Losing weight without trying", BOOL, required=False),
        Question("cancer_history", "Having had cancer at any time", BOOL, required=False),
        Question(
            "night_pain",
            "Pain at night or at rest that does not ease whatever position you are in",
            BOOL,
            required=False,
        ),
        Question(
            "thoracic_constant",
            "Constant pain between the shoulder blades, there at rest and at night, that moving does not change",
            BOOL,
            required=False,
            help="An ache there after sitting that eases when you move is common: tell us about it later instead.",
        ),
        Question(
            "immune_drugs",
            "A weakened immune system (for example from cancer treatment or transplant medicines), or injecting drugs",
            BOOL,
            required=False,
        ),
        Question(
            "long_term_steroids",
            "Taking steroid tablets (such as prednisolone) for 3 months or more",
            BOOL,
            required=False,
        ),
        Question("osteoporosis", "Osteoporosis (thin bones)", BOOL, required=False),
        Question(
            "leg_numbness",
            "Numbness or tingling in one leg that has lasted more than a week",
            BOOL,
            required=False,
        ),
        Question("no_warning_signs", "None of these apply to me", BOOL, required=False, purpose="a choice, not a skip"),
    ),
)

WEEK = Section(
    code="week",
    title="Your running and your sitting",
    intro="Think about a typical week over the last month.",
    questions=(
        Question(
            "nickname",
            "A nickname for your result",
            TEXT,
            help="Only so that you recognise your result. Please do not use your real full name.",
            required=False,
            max_length=40,
            purpose="so that the runner and their clinician recognise the result",
        ),
        Question(
            "distance_unit",
            "Do you count distance in kilometres or miles?",
            CHOICE,
            choices=(("km", "Kilometres"), ("mi", "Miles")),
            initial="km",
            purpose="the unit of every distance here and in the daily check-ins",
        ),
        Question("weekly_distance", "About how far do you run in a week?", NUMBER, min=0, max=300),
        Question(
            "distance_change",
            "Compared with two weeks ago, how has your weekly distance changed?",
            CHOICE,
            choices=(
                ("same_or_less", "About the same, or less"),
                ("up_to_10", "Up a little (up to 10% more)"),
                ("up_10_30", "Up clearly (10% to 30% more)"),
                ("over_30", "Up a lot (more than 30% more)"),
            ),
        ),
        Question(
            "shoes",
            "Your running shoes",
            CHOICE,
            choices=(
                ("fitted", "Fitted in a running shop, or with insoles made for me, and not worn out"),
                ("off_the_shelf", "Bought off the shelf, and not worn out"),
                ("worn", "Well worn: over about 600 km (400 miles), or the soles look flattened"),
                ("unknown", "I don't know"),
            ),
        ),
        Question(
            "strength_training",
            "How often do you do strength or core training?",
            CHOICE,
            choices=(
                ("none", "Never"),
                ("under_weekly", "Less than once a week"),
                ("weekly_1_2", "Once or twice a week"),
                ("weekly_3_plus", "Three times a week or more"),
            ),
        ),
        Question(
            "sitting_hours",
            "Hours a day you sit at work or at a computer",
            NUMBER,
            min=0,
            max=24,
            unit="hours",
        ),
        Question("driving_hours", "Hours a day you spend driving", NUMBER, min=0, max=24, unit="hours"),
        Question(
            "breaks",
            "How often do you get up from sitting?",
            CHOICE,
            choices=(
                ("every_30", "Every 30 minutes or more often"),
                ("hourly", "About once an hour"),
                ("every_2h", "Every two hours or so"),
                ("rarely", "Rarely; I can sit for hours"),
            ),
        ),
        Question(
            "lumbar_support",
            "Does your chair or car seat support the curve of your lower back?",
            CHOICE,
            choices=(("yes", "Yes"), ("partly", "Partly, or only one of them"), ("no", "No")),
        ),
        Question(
            "screen_height",
            "Where is your screen when you work?",
            CHOICE,
            choices=(
                ("eye_level", "At eye level"),
                ("below", "Below eye level, I look down"),
                ("laptop", "On a laptop without a stand"),
                ("none", "I don't work at a screen"),
            ),
        ),
    ),
)

PAIN_SECTION = Section(
    code="pain",
    title="Your pain",
    intro="Where it hurts, how much, and what makes it better or worse.",
    questions=(
        Question("pain_areas", "Where do you feel pain? Tick all that apply.", MULTI, choices=PAIN_AREAS),
        Question(
            "pain_now",
            "Your pain right now, from 0 (none) to 10 (the worst you can imagine)",
            INT,
            min=0,
            max=10,
            widget=SCALE,
        ),
        Question(
            "pain_duration",
            "How long has this pain lasted?",
            CHOICE,
            choices=(
                ("under_1w", "Less than a week"),
                ("1_6w", "1 to 6 weeks"),
                ("6_12w", "6 to 12 weeks"),
                ("over_12w", "More than 12 weeks"),
            ),
        ),
        Question(
            "trend",
            "Overall, how is the pain changing?",
            CHOICE,
            choices=(("better", "Getting better"), ("same", "About the same"), ("worse", "Getting worse")),
        ),
        Question(
            "home_care_weeks",
            "For how many weeks have you tried home care (stretching, exercise, rest, heat)?",
            INT,
            min=0,
            max=104,
            unit="weeks",
            help="Enter 0 if you have not tried any yet.",
        ),
        Question(
            "daily_impact",
            "Does the pain stop you doing everyday things (work, chores, sleep)?",
            CHOICE,
            choices=(("no", "No"), ("some", "Some things, sometimes"), ("yes", "Yes, often")),
        ),
        Question(
            "run_pain_change",
            "After your most recent run, how did your pain compare with before it?",
            CHOICE,
            choices=(
                ("no_recent_run", "I have not run in the last week"),
                ("same_or_better", "The same or better"),
                ("slightly_worse", "A little worse (about 1 point)"),
                ("much_worse", "Clearly worse (2 points or more)"),
                ("worse_next_morning", "Still worse the next morning"),
            ),
        ),
        Question(
            "first_episode",
            "This is the first time I have had back pain",
            BOOL,
            required=False,
        ),
        Question(
            "pain_when",
            "When does it hurt? Tick all that apply.",
            MULTI,
            required=False,
            choices=(
                ("during_runs", "During runs"),
                ("sitting", "When sitting for a while"),
                ("bending", "When bending forward"),
                ("arching", "When standing tall or leaning back"),
                ("morning_stiffness", "In the morning: stiff for more than 30 minutes, easing as I get going"),
                ("night", "At night: it wakes me up"),
            ),
        ),
        Question(
            "pain_eases",
            "What eases it? Tick all that apply.",
            MULTI,
            required=False,
            choices=(
                ("moving", "Walking or moving about"),
                ("rest", "Resting"),
                ("changing_position", "Changing position"),
                ("anti_inflammatories", "Anti-inflammatory tablets (such as ibuprofen), within a day or two"),
                ("nothing", "Nothing seems to help"),
            ),
        ),
    ),
)

# Asked only when an earlier answer calls for them (answers.SKIPS): night pain that nothing
# eases, and pain for over 12 weeks (could it be inflammatory back pain?).
MORE_PAIN = Section(
    code="more_pain",
    title="A little more about your pain",
    intro="Your answers so far call for a few more questions.",
    questions=(
        Question(
            "night_position",
            "You said the pain wakes you at night and nothing eases it. At night, does changing position ease it?",
            CHOICE,
            choices=(
                ("eases", "Yes, changing position eases it"),
                ("constant", "No, it stays the same whatever position I am in"),
            ),
        ),
        Question(
            "pain_began_age",
            "How old were you when this back pain first began?",
            CHOICE,
            choices=(("under_35", "Under 35"), ("35_44", "35 to 44"), ("45_plus", "45 or over")),
        ),
        Question(
            "inflammatory_signs",
            "Do any of these apply to you? Tick any that do.",
            MULTI,
            required=False,
            choices=(
                ("late_night", "The pain wakes me in the second half of the night"),
                ("psoriasis", "Psoriasis (a skin condition), now or in the past"),
                ("bowel", "Crohn's disease or ulcerative colitis"),
                ("eye", "Inflammation of the eye (uveitis or iritis)"),
                ("joints", "Swollen joints, or pain where a tendon meets the bone (such as the heel) with no injury"),
                (
                    "relative",
                    "A parent, brother, sister or child with spondyloarthritis (such as ankylosing spondylitis)",
                ),
            ),
        ),
    ),
)

OUTLOOK = Section(
    code="outlook",
    title="How you feel about it",
    intro="How people feel about their pain changes how fast it settles. There are no wrong answers.",
    questions=(
        Question(
            "worry",
            "How much does the pain worry you?",
            CHOICE,
            choices=(("none", "Not at all"), ("some", "A little"), ("much", "Quite a lot"), ("very", "Very much")),
        ),
        Question(
            "feelings",
            "Tick any that are true for you.",
            MULTI,
            choices=(
                ("fear_activity", "I think being active or running could damage my back"),
                ("never_better", "I feel this pain may never really go away"),
                ("low_mood", "The pain often leaves me feeling low or flat"),
                ("struggling", "I am struggling to cope with the pain"),
                ("none", "None of these"),
            ),
        ),
    ),
)

SELF_TESTS = Section(
    code="checks",
    title="Quick movement checks",
    intro=(
        "Short checks at home find tight or weak areas better than questions can. Each one "
        "is optional: skip any that hurt or that you cannot do safely. Stop a check if it "
        "causes sharp pain."
    ),
    questions=(
        Question(
            "hip_flexor_test",
            "Hip-front check: lie on your back at the end of a bed with your legs hanging off. "
            "Hug one knee to your chest. Does the other thigh lift up off the bed? Then swap sides.",
            CHOICE,
            illustration="hip-front-check",
            choices=(
                ("flat", "No, the other thigh stays down on both sides"),
                ("one_side", "Yes, on one side"),
                ("both_sides", "Yes, on both sides"),
                *SELF_TEST_OPT_OUT,
            ),
        ),
        Question(
            "hamstring_test",
            "Back-of-thigh check: stand with straight knees and slowly reach down towards your toes. "
            "How far do you reach comfortably?",
            CHOICE,
            illustration="toe-reach-check",
            choices=(
                ("past_toes", "Past my toes, palms near the floor"),
                ("toes", "My fingertips touch my toes"),
                ("shins", "Only to my shins"),
                ("knees", "Only to about my knees"),
                *SELF_TEST_OPT_OUT,
            ),
        ),
        Question(
            "hip_control_test",
            "Hip control check: in front of a mirror, stand on one leg and bend that knee into a "
            "slow quarter squat, five times, then swap legs. Does your hip drop to the side or "
            "your knee fall inwards?",
            CHOICE,
            illustration="single-leg-squat-check",
            choices=(
                ("steady", "No, I stay level and the knee points forward"),
                ("one_side", "Yes, on one side"),
                ("both_sides", "Yes, on both sides"),
                *SELF_TEST_OPT_OUT,
            ),
        ),
        Question(
            "plank_seconds",
            "Front plank: on forearms and toes, body in a straight line. How many seconds can you "
            "hold it with good form?",
            INT,
            min=0,
            max=600,
            unit="seconds",
            required=False,
            illustration="front-plank-check",
            help="Leave empty to skip. Enter 0 if you could not hold the position.",
        ),
        Question(
            "side_plank_left_seconds",
            "Side plank on your left forearm: how many seconds?",
            INT,
            min=0,
            max=600,
            unit="seconds",
            required=False,
            illustration="side-plank-check",
            help="Leave empty to skip.",
        ),
        Question(
            "side_plank_right_seconds",
            "Side plank on your right forearm: how many seconds?",
            INT,
            min=0,
            max=600,
            unit="seconds",
            required=False,
            help="Leave empty to skip.",
        ),
        Question(
            "wall_head",
            "Wall check: stand with heels, buttocks and shoulders against a wall. Can the back of "
            "your head touch the wall without tipping your chin up?",
            CHOICE,
            illustration="wall-check",
            choices=(
                ("touches", "Yes, easily"),
                ("not_touching", "No, or only by tipping my chin up"),
                *SELF_TEST_OPT_OUT,
            ),
        ),
        Question(
            "wall_low_back",
            "Still against the wall: slide a hand into the gap behind your lower back. What do you find?",
            CHOICE,
            choices=(
                ("hand_fits", "My flat hand just fits"),
                ("large_gap", "A large gap: my fist or forearm fits"),
                ("no_gap", "Hardly any gap: my back is flat against the wall"),
                *SELF_TEST_OPT_OUT,
            ),
        ),
        Question(
            "knee_to_wall_cm",
            "Ankle check: facing a wall, foot flat, bend your knee to touch the wall. What is the "
            "furthest your big toe can be from the wall with your heel still down (in centimetres)?",
            NUMBER,
            min=0,
            max=30,
            unit="cm",
            required=False,
            illustration="knee-to-wall-check",
            help="Leave empty to skip. About 10 cm or more is typical.",
        ),
    ),
)


def is_blank(value: Any) -> bool:
    """An answer left empty: no value, empty text or nothing ticked."""
    return value is None or value == "" or value == []


SECTIONS: tuple[Section, ...] = (START, WARNING, WEEK, PAIN_SECTION, MORE_PAIN, OUTLOOK, SELF_TESTS)
SECTIONS_BY_CODE = {s.code: s for s in SECTIONS}
QUESTIONS: dict[str, Question] = {q.code: q for s in SECTIONS for q in s.questions}
SECTION_OF: dict[str, str] = {q.code: s.code for s in SECTIONS for q in s.questions}

# Codes of an earlier version whose question a newer code asks again, more precisely: a
# sign the earlier assessment triaged under the old code is the same sign at a check-in.
REPLACED_BY = {"both_legs": "both_legs_nerve", "thoracic_pain": "thoracic_constant"}


def as_dict() -> dict[str, Any]:
    """The whole questionnaire as plain data (for `manage.py questionnaire --json`)."""
    return {"version": QUESTIONNAIRE_VERSION, "sections": [s.as_dict() for s in SECTIONS]}


# --- Every version, for answers stored under an earlier one ---------------------------


@dataclass(frozen=True)
class Definition:
    """One version of the questionnaire: what its answers' codes meant."""

    version: str
    sections: tuple[Section, ...]
    # Sections and questions that a completed answer set may lack (what the skip rules leave out).
    may_be_absent: frozenset[str] = frozenset()

    @property
    def questions(self) -> dict[str, Question]:
        return {q.code: q for s in self.sections for q in s.questions}


def archived_versions() -> tuple[str, ...]:
    """The earlier versions kept as data, oldest first."""
    return tuple(sorted(p.stem for p in ARCHIVE.glob("*.json")))


@cache
def definition(version: str) -> Definition | None:
    """The questionnaire a stored assessment was answered with; None for an unknown version.

    The current version comes from this module, earlier ones from their archived JSON (with
    what a complete answer set of theirs may lack). For the current version that set comes
    from the skip rules: `answers.MAY_BE_ABSENT`.
    """
    if version == QUESTIONNAIRE_VERSION:
        return Definition(version, SECTIONS)
    path = ARCHIVE / f"{version}.json"
    if version not in archived_versions():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return Definition(
        data["version"],
        tuple(Section.from_dict(s) for s in data["sections"]),
        frozenset(data.get("may_be_absent", ())),
    )


@cache
def label_of(code: str) -> str:
    """A question's words in the newest version that has the code (check-ins stored before a
    question was renamed keep their code)."""
    if code in QUESTIONS:
        return QUESTIONS[code].label
    for version in reversed(archived_versions()):
        questions = definition(version).questions
        if code in questions:
            return questions[code].label
    return code
