"""The questionnaire: sections, questions, choices and ranges, in our own words.

This module is the single source of truth: the web forms are generated from it,
`answers.validate_answers()` checks answers from any source (web or JSON) against it,
and `python manage.py questionnaire --json` prints it. Pure Python (no Django), and
definitions only: it imports nothing else of the project.

Bump QUESTIONNAIRE_VERSION whenever a question, a choice or a scoring rule
changes meaning: stored assessments keep the version they were answered with.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

QUESTIONNAIRE_VERSION = "2026.11.1"

# Question types
BOOL = "bool"  # a tick box; True or False
CHOICE = "choice"  # one code from `choices`
MULTI = "multi"  # a list of codes from `choices`
INT = "int"  # a whole number within [min, max]
NUMBER = "number"  # a decimal number within [min, max]
TEXT = "text"  # free text up to `max_length` characters

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

    def choice_codes(self) -> set[str]:
        return {code for code, _ in self.choices}

    def choice_label(self, code: str) -> str:
        return dict(self.choices).get(code, code)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "label": self.label, "type": self.type, "required": self.required}
        if self.help:
            data["help"] = self.help
        if self.choices:
            data["choices"] = [{"code": c, "label": label} for c, label in self.choices]
        if self.min is not None:
            data["min"] = self.min
        if self.max is not None:
            data["max"] = self.max
        if self.max_length is not None:
            data["max_length"] = self.max_length
        if self.unit:
            data["unit"] = self.unit
        return data


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    intro: str
    questions: tuple[Question, ...] = field(default_factory=tuple)
    # Questions shown together under one legend (a <fieldset>); the rest stand alone.
    group_legend: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "title": self.title,
            "intro": self.intro,
            "questions": [q.as_dict() for q in self.questions],
        }


AGE_BANDS = (
    ("18_29", "18 to 29"),
    ("30_39", "30 to 39"),
    ("40_49", "40 to 49"),
    ("50_59", "50 to 59"),
    ("60_69", "60 to 69"),
    ("70_plus", "70 or over"),
)
AGE_50_PLUS = {"50_59", "60_69", "70_plus"}

PAIN_AREAS = (
    ("lower_back_centre", "Lower back, in the middle"),
    ("lower_back_one_side", "Lower back, more on one side"),
    ("upper_back", "Upper back"),
    ("neck", "Neck"),
    ("buttock", "Buttock"),
    ("back_of_thigh", "Back of the thigh"),
    ("front_of_hip", "Front of the hip or groin"),
    ("knee", "Knee"),
    ("calf", "Calf"),
    ("below_knee", "Pain, pins and needles or tingling that travels below the knee"),
)

AGREE_SCALE = (
    ("disagree", "Not true for me"),
    ("unsure", "Partly true"),
    ("agree", "True for me"),
)

CONSENT = Section(
    code="consent",
    title="Before you start",
    intro=(
        "This check takes about 8 minutes. It gives self-care guidance for back pain in "
        "runners: it is not a diagnosis and it does not replace a health professional. "
        "If you agree, we store your answers and your result so that you can come back to "
        "them through a private link. We do not ask for your name or email address. You can "
        "delete your answers at any time from your result page."
    ),
    questions=(
        Question(
            "consent",
            "I understand this is self-care guidance, not a diagnosis, and I agree that my "
            "answers and result are stored.",
            BOOL,
        ),
    ),
)

ABOUT = Section(
    code="about",
    title="About you",
    intro="A couple of details that change what we look out for. This check is made for adults.",
    questions=(
        Question("age_band", "Your age", CHOICE, choices=AGE_BANDS),
        Question(
            "nickname",
            "A nickname for your result (optional)",
            TEXT,
            help="Only so you recognise your result. Please do not use your real full name.",
            required=False,
            max_length=40,
        ),
    ),
)

RUNNING = Section(
    code="running",
    title="Your running",
    intro="Think about a typical week over the last month.",
    questions=(
        Question("runs_per_week", "How many runs do you do in a week?", INT, min=0, max=14),
        Question(
            "distance_unit",
            "Do you count distance in kilometres or miles?",
            CHOICE,
            choices=(("km", "Kilometres"), ("mi", "Miles")),
        ),
        Question(
            "weekly_distance",
            "About how far do you run in a week?",
            NUMBER,
            min=0,
            max=300,
            help="In the unit you chose above.",
        ),
        Question(
            "longest_run",
            "How long was your longest single run in the last month?",
            NUMBER,
            min=0,
            max=200,
            help="In the unit you chose above.",
        ),
        Question(
            "surface",
            "Where do you run most?",
            CHOICE,
            choices=(
                ("road", "Road or pavement"),
                ("trail", "Trails or grass"),
                ("track", "Running track"),
                ("treadmill", "Treadmill"),
                ("mixed", "A mix"),
            ),
        ),
        Question(
            "shoe_type",
            "What kind of running shoes do you wear?",
            CHOICE,
            choices=(
                ("off_the_shelf", "Bought off the shelf"),
                ("fitted", "Fitted in a specialist running shop"),
                ("custom", "With custom insoles or orthotics"),
            ),
        ),
        Question(
            "shoe_wear",
            "Roughly how worn are they?",
            CHOICE,
            choices=(
                ("new", "Fairly new (under about 300 km / 200 miles)"),
                ("some", "Some wear (300 to 600 km / 200 to 400 miles)"),
                ("worn", "Well worn (over 600 km / 400 miles, or the soles look flattened)"),
                ("unknown", "I don't know"),
            ),
        ),
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
            "warm_up",
            "Do you warm up before you run?",
            CHOICE,
            choices=(("never", "Rarely or never"), ("sometimes", "Sometimes"), ("always", "Almost always")),
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
    ),
)

SITTING = Section(
    code="sitting",
    title="Sitting and driving",
    intro="Long spells of sitting or driving often go with back pain. Think of a usual working day.",
    questions=(
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

PAIN = Section(
    code="pain",
    title="Your pain",
    intro="Tell us where it hurts, how much, and what makes it better or worse.",
    questions=(
        Question("pain_areas", "Where do you feel pain? Tick all that apply.", MULTI, choices=PAIN_AREAS),
        Question(
            "pain_now",
            "Your pain right now, from 0 (none) to 10 (the worst you can imagine)",
            INT,
            min=0,
            max=10,
        ),
        Question("pain_worst_week", "Your worst pain in the last 7 days, from 0 to 10", INT, min=0, max=10),
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
            "pain_when",
            "When does it hurt? Tick all that apply.",
            MULTI,
            required=False,
            choices=(
                ("during_runs", "During runs"),
                ("after_runs", "After runs"),
                ("sitting", "When sitting for a while"),
                ("bending", "When bending forward"),
                ("arching", "When standing tall or leaning back"),
                ("mornings", "In the morning"),
                ("night", "At night"),
            ),
        ),
        Question(
            "pain_eases",
            "What eases it? Tick all that apply.",
            MULTI,
            required=False,
            choices=(
                ("rest", "Resting"),
                ("moving", "Walking or moving about"),
                ("stretching", "Stretching"),
                ("heat", "Heat or a warm bath"),
                ("changing_position", "Changing position"),
                ("nothing", "Nothing seems to help"),
            ),
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
            "daily_impact",
            "Does the pain stop you doing everyday things (work, chores, sleep)?",
            CHOICE,
            choices=(("no", "No"), ("some", "Some things, sometimes"), ("yes", "Yes, often")),
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
            "trend",
            "Overall, how is the pain changing?",
            CHOICE,
            choices=(("better", "Getting better"), ("same", "About the same"), ("worse", "Getting worse")),
        ),
        Question("first_episode", "This is the first time I have had back pain", BOOL, required=False),
    ),
)

WARNING = Section(
    code="warning",
    title="Warning signs",
    intro=(
        "These questions look for signs that need a doctor rather than home care. Most "
        "runners tick none of them. Please answer carefully."
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
        Question("both_legs", "Pain, numbness, tingling or weakness in both legs", BOOL, required=False),
        Question(
            "leg_weakness",
            "Weakness in a leg that is severe (for example the foot slaps or drags) or getting worse",
            BOOL,
            required=False,
        ),
        Question(
            "leg_numbness",
            "Numbness or tingling in one leg that has lasted more than a week",
            BOOL,
            required=False,
        ),
        Question("fever_unwell", "A fever, or feeling generally unwell, along with the pain", BOOL, required=False),
        Question("weight_loss", "Losing weight without trying", BOOL, required=False),
        Question("cancer_history", "Having had cancer at any time", BOOL, required=False),
        Question(
            "night_pain",
            "Pain at night or at rest that does not ease when you change position",
            BOOL,
            required=False,
        ),
        Question("thoracic_pain", "Pain mainly between the shoulder blades", BOOL, required=False),
        Question(
            "immune_drugs",
            "A weakened immune system (for example from treatment), or injecting drugs",
            BOOL,
            required=False,
        ),
        Question(
            "osteoporosis_steroids",
            "Osteoporosis (thin bones), or taking steroid tablets for several months",
            BOOL,
            required=False,
        ),
        Question("no_warning_signs", "None of these apply to me", BOOL, required=False),
        Question(
            "recent_fall",
            "Did the pain start after a fall or an accident?",
            CHOICE,
            choices=(
                ("none", "No"),
                ("minor", "After a minor fall or knock"),
                ("serious", "After a serious accident (for example a car crash or a fall from a height)"),
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
        Question("fear_activity", "I think being active or running could damage my back", CHOICE, choices=AGREE_SCALE),
        Question("never_better", "I feel this pain may never really go away", CHOICE, choices=AGREE_SCALE),
        Question(
            "low_mood",
            "Lately, has the pain left you feeling low or flat?",
            CHOICE,
            choices=(("rarely", "Rarely or never"), ("sometimes", "Sometimes"), ("often", "Much of the time")),
        ),
        Question(
            "bother",
            "How much is the pain getting in the way of your life at the moment?",
            CHOICE,
            choices=(
                ("hardly", "Hardly at all"),
                ("somewhat", "Somewhat"),
                ("a_lot", "A lot"),
                ("takes_over", "It takes over my days"),
            ),
        ),
        Question(
            "coping",
            "How are you coping with the pain?",
            CHOICE,
            choices=(("well", "Well"), ("mostly", "Mostly fine"), ("struggling", "I am struggling")),
        ),
    ),
)

SELF_TESTS = Section(
    code="selftests",
    title="Quick movement checks",
    intro=(
        "Six short checks at home find tight or weak areas better than questions can. Each one "
        "is optional: skip any that hurt or that you cannot do safely. Stop a check if it "
        "causes sharp pain."
    ),
    questions=(
        Question(
            "hip_flexor_test",
            "Hip-front check: lie on your back at the end of a bed with your legs hanging off. "
            "Hug one knee to your chest. Does the other thigh lift up off the bed? Then swap sides.",
            CHOICE,
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
            help="Leave empty to skip. About 10 cm or more is typical.",
        ),
    ),
)


def is_blank(value: Any) -> bool:
    """An answer left empty: no value, empty text or nothing ticked."""
    return value is None or value == "" or value == []


SECTIONS: tuple[Section, ...] = (CONSENT, ABOUT, RUNNING, SITTING, PAIN, WARNING, OUTLOOK, SELF_TESTS)
SECTIONS_BY_CODE = {s.code: s for s in SECTIONS}
QUESTIONS: dict[str, Question] = {q.code: q for s in SECTIONS for q in s.questions}
SECTION_OF: dict[str, str] = {q.code: s.code for s in SECTIONS for q in s.questions}


def as_dict() -> dict[str, Any]:
    """The whole questionnaire as plain data (for `manage.py questionnaire --json`)."""
    return {"version": QUESTIONNAIRE_VERSION, "sections": [s.as_dict() for s in SECTIONS]}
