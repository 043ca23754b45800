"""Answers: checking them against the questionnaire, which questions apply, plain words.

Pure Python. `validate_answers()` is the one gate for answers from any source (the web
forms, the `score` command): whatever passes it can be scored and stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assessments import questionnaire as qn
from assessments import thresholds as th
from assessments.scoring import EMERGENCY, URGENT, has_nerve_signs, is_prevention, tier_of

Answers = dict[str, Any]

WARNING_SIGNS = tuple(q.code for q in qn.WARNING.questions if q.type == qn.BOOL and q.code != "no_warning_signs")
# Signs that describe the pain itself: not asked of a runner with no pain.
PAIN_ONLY_SIGNS = (
    "serious_accident",
    "minor_fall",
    "fever_unwell",
    "weight_loss",
    "cancer_history",
    "night_pain",
    "thoracic_constant",
    "immune_drugs",
    "long_term_steroids",
    "osteoporosis",
)


UNDER_18_MESSAGE = "this check is made for adults (18 and over): please see a doctor or physiotherapist about back pain"


class AnswerError(ValueError):
    """Answers that do not fit the questionnaire; `errors` maps a code to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{code}: {msg}" for code, msg in errors.items()))


class UnderAgeError(AnswerError):
    """Answers of a runner under 18: the check is made for adults, so they are not scored."""

    def __init__(self):
        super().__init__({"age_band": UNDER_18_MESSAGE})


# --- Which questions apply ------------------------------------------------------------


def has_emergency_sign(a: Answers) -> bool:
    return tier_of(a) == EMERGENCY


def is_under_18(a: Answers) -> bool:
    return a.get("age_band") == qn.UNDER_18


def _pregnant_or_after_birth(a: Answers) -> bool:
    return a.get("pregnancy") in (qn.PREGNANT, qn.AFTER_BIRTH)


def _night_pain_unexplained(a: Answers) -> bool:
    """Woken at night, nothing eases it, and the night-pain warning sign not ticked: ask."""
    return "night" in a.get("pain_when", ()) and "nothing" in a.get("pain_eases", ()) and not a.get("night_pain")


@dataclass(frozen=True)
class Skip:
    """Sections or questions not asked when `when` holds for the answers so far.

    `when` may read only answers of sections before the ones it skips (asked_answers relies
    on it; tests/test_questionnaire.py checks it).

    `why` is shown to the runner where it helps ("" when the question simply does not
    concern them, such as pregnancy signs for a runner who is not pregnant).
    """

    what: tuple[str, ...]
    when: Callable[[Answers], bool]
    why: str = ""


AFTER_WARNING = (qn.WEEK.code, qn.PAIN_SECTION.code, qn.MORE_PAIN.code, qn.OUTLOOK.code, qn.SELF_TESTS.code)

SKIPS: tuple[Skip, ...] = (
    # Red flags win: the emergency message comes straight after the warning signs.
    Skip(AFTER_WARNING, has_emergency_sign, "an emergency sign needs care before anything else"),
    # A runner with no pain is asked no pain questions.
    Skip((qn.PAIN_SECTION.code, qn.MORE_PAIN.code, qn.OUTLOOK.code, *PAIN_ONLY_SIGNS), is_prevention),
    Skip(("pregnancy_signs",), lambda a: a.get("pregnancy") != qn.PREGNANT),
    # A first episode matters from 50 on (CLINICAL.md, routine tier).
    Skip(("first_episode",), lambda a: a.get("age_band") not in qn.AGE_50_PLUS),
    # Night pain that nothing eases: is it the urgent sign? Ask about changing position.
    Skip(("night_position",), lambda a: not _night_pain_unexplained(a)),
    # Pain for over 3 months: could it be inflammatory back pain (NICE NG65)?
    Skip(("pain_began_age", "inflammatory_signs"), lambda a: a.get("pain_duration") != "over_12w"),
    Skip(
        (qn.SELF_TESTS.code,),
        lambda a: tier_of(a) in (EMERGENCY, URGENT),
        "movement checks wait until a doctor has seen you",
    ),
    # Planks and single-leg squats on a day of high pain: a flare, not a fair test.
    Skip(
        (qn.SELF_TESTS.code,),
        lambda a: a.get("pain_now", 0) >= th.FLARE_PAIN,
        f"movement checks wait for a calmer day: your pain is {th.FLARE_PAIN} or more right now",
    ),
    # A standing toe touch loads the spine in flexion and stretches an irritated nerve.
    Skip(
        ("hamstring_test",),
        has_nerve_signs,
        "we left out the toe-reach check because you told us about pain or tingling going into the leg",
    ),
    # Our rule for pregnancy and the 6 months after a birth: no lying on the back or front.
    Skip(
        ("hip_flexor_test", "plank_seconds"),
        _pregnant_or_after_birth,
        "we left out the checks lying on your back or on your front, because you are pregnant or had a baby recently",
    ),
)


def skipped(answers: Answers) -> dict[str, str]:
    """The sections and questions not asked, given the answers so far, with why.

    A section whose every question is skipped is skipped too (with no reason of its own).
    """
    not_asked: dict[str, str] = {}
    for skip in SKIPS:
        if any(what not in not_asked for what in skip.what) and skip.when(answers):
            for what in skip.what:
                not_asked.setdefault(what, skip.why)  # the first reason in the table is the one given
    for section in qn.SECTIONS:
        if section.code not in not_asked and all(q.code in not_asked for q in section.questions):
            not_asked[section.code] = ""
    return not_asked


def is_asked(code: str, not_asked: dict[str, str]) -> bool:
    """Is question `code` asked, given `skipped()`?"""
    return code not in not_asked and qn.SECTION_OF[code] not in not_asked


# What a complete answer set may lack: anything a skip can leave out.
MAY_BE_ABSENT = frozenset(what for skip in SKIPS for what in skip.what)
MAY_BE_ABSENT |= {s.code for s in qn.SECTIONS if all(q.code in MAY_BE_ABSENT for q in s.questions)}


# --- The flow: which steps, in which order ------------------------------------------------
# One step per section. The runner's answers so far decide which steps and questions are
# asked; a step is complete once it was sent without errors and nothing it now asks is
# missing (an earlier answer may add a question to a step already done).


def asked_answers(answers: Answers) -> Answers:
    """The answers to the questions asked, given themselves.

    Answers kept from a question that no longer applies (the runner went back and changed
    an earlier answer, or a JSON file answers everything) are dropped. Whether a section or
    a question is asked depends only on the answers of earlier sections (the SKIPS table is
    written so), so the sections are walked in order, each judged by what was kept before it.
    """
    kept: Answers = {}
    not_asked, judged = skipped(kept), 0
    for section in qn.SECTIONS:
        if len(kept) != judged:  # new answers kept since the last judgement: judge again
            not_asked, judged = skipped(kept), len(kept)
        for q in section.questions:
            if q.code in answers and is_asked(q.code, not_asked):
                kept[q.code] = answers[q.code]
    return kept


class Flow:
    """What is asked, given the answers so far: worked out once, then read as often as needed.

    `answers` are those of the questions asked (asked_answers), `not_asked` says what is
    skipped and why (skipped), `steps` are the sections asked, in order. Read only.
    """

    def __init__(self, answers: Answers):
        self.answers = asked_answers(answers)
        self.not_asked = skipped(self.answers)
        self.steps = tuple(s for s in qn.SECTIONS if s.code not in self.not_asked)

    def questions(self, section: qn.Section) -> list[qn.Question]:
        return [q for q in section.questions if is_asked(q.code, self.not_asked)]


# --- Checking answers -------------------------------------------------------------------


# One checker per question type: (normalised value, error message or None).


def _check_bool(q: qn.Question, value: Any) -> tuple[Any, str | None]:
    return value, None if isinstance(value, bool) else "must be true or false"


def _check_choice(q: qn.Question, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, str) and value in q.choice_codes():
        return value, None
    return value, f"must be one of: {', '.join(sorted(q.choice_codes()))}"


def _check_multi(q: qn.Question, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return value, "must be a list of choice codes"
    unknown = [v for v in value if v not in q.choice_codes()]
    if unknown:
        return value, f"unknown choice(s) {', '.join(unknown)}"
    # Keep the questionnaire's order and drop repeats, so results are stable.
    return [c for c, _ in q.choices if c in value], None


def _check_number(q: qn.Question, value: Any) -> tuple[Any, str | None]:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value, "must be a number"
    # Range first: comparing never overflows, even for a 400-digit integer from JSON.
    if value != value or not (q.min <= value <= q.max):  # NaN never passes
        return value, f"must be between {q.min:g} and {q.max:g}"
    if q.type == qn.INT and not float(value).is_integer():
        return value, "must be a whole number"
    return (int(value) if q.type == qn.INT else float(value)), None


def _check_text(q: qn.Question, value: Any) -> tuple[Any, str | None]:
    if not isinstance(value, str):
        return value, "must be text"
    if "\x00" in value:
        return value, "must not contain null characters"
    if q.max_length is not None and len(value) > q.max_length:
        return value, f"must be at most {q.max_length} characters"
    return value.strip(), None


CHECKERS: dict[str, Callable[[qn.Question, Any], tuple[Any, str | None]]] = {
    qn.BOOL: _check_bool,
    qn.CHOICE: _check_choice,
    qn.MULTI: _check_multi,
    qn.INT: _check_number,
    qn.NUMBER: _check_number,
    qn.TEXT: _check_text,
}


def _well_formed(answers: dict) -> tuple[Answers, dict[str, str]]:
    """Each answer checked on its own: (the normalised ones, errors by code). Blank ones are left out."""
    clean: Answers = {}
    errors: dict[str, str] = {}
    for code, value in answers.items():
        q = qn.QUESTIONS.get(code)
        if q is None:
            errors[code] = "unknown question code"
        elif not qn.is_blank(value):
            normalised, error = CHECKERS[q.type](q, value)
            if error:
                errors[code] = error
            else:
                clean[code] = normalised
    return clean, errors


def _missing(clean: Answers, errors: dict[str, str]) -> dict[str, str]:
    """Required answers missing from the questions asked."""
    not_asked = skipped(clean)
    return {
        q.code: "tick at least one" if q.type == qn.MULTI else "an answer is required"
        for q in qn.QUESTIONS.values()
        if q.required and q.code not in clean and q.code not in errors and is_asked(q.code, not_asked)
    }


def validate_answers(answers: Any) -> Answers:
    """Check answers against the questionnaire and return them normalised.

    Raises AnswerError naming every problem: unknown codes, wrong types, values out
    of range or not among the choices, missing required answers, and answers that
    contradict each other. Optional answers may be left out or given as null, and so
    may the questions that `skipped()` leaves out for these answers; answers to those
    are dropped. The check is for adults: an under-18 age band is refused.
    """
    if not isinstance(answers, dict):
        raise AnswerError({"answers": "must be an object mapping question codes to answers"})
    clean, errors = _well_formed(answers)
    if is_under_18(clean):
        raise UnderAgeError
    # What was not asked is not kept: the stored answers are exactly what the runner was asked.
    # (What is asked is judged from the well-formed answers; the others are reported above.)
    clean = asked_answers(clean)
    errors |= _missing(clean, errors)
    if "consent" in clean and clean["consent"] is not True:
        errors["consent"] = "consent is needed before anything is stored"
    # Contradictions only within sections whose answers are each well-formed.
    broken_sections = {qn.SECTION_OF[code] for code in errors if code in qn.SECTION_OF}
    for section in qn.SECTIONS:
        if section.code not in broken_sections:
            for code, message in cross_check(clean, section=section.code).items():
                errors.setdefault(code, message)
    if errors:
        raise AnswerError(errors)
    return clean


@dataclass(frozen=True)
class CrossRule:
    """Answers of one section that cannot all be true; the message goes beside `code`."""

    section: str
    code: str
    broken: Callable[[Answers], bool]
    message: str


def _exclusive(code: str, only: str) -> Callable[[Answers], bool]:
    """Choice `only` ("none of these", "nothing helps") ticked together with another choice."""
    return lambda a: only in a.get(code, ()) and len(a[code]) > 1


CROSS_RULES: tuple[CrossRule, ...] = (
    CrossRule(
        qn.WEEK.code,
        "driving_hours",
        lambda a: a.get("sitting_hours", 0) + a.get("driving_hours", 0) > 24,
        "sitting and driving together cannot be more than 24 hours a day",
    ),
    CrossRule(
        qn.PAIN_SECTION.code,
        "pain_eases",
        _exclusive("pain_eases", "nothing"),
        "you ticked 'Nothing seems to help' and something that helps: please check",
    ),
    CrossRule(
        qn.OUTLOOK.code,
        "feelings",
        _exclusive("feelings", "none"),
        "you ticked 'None of these' and something else: please check",
    ),
    # An empty warning-sign list must be a choice, not a skipped question.
    CrossRule(
        qn.WARNING.code,
        "no_warning_signs",
        lambda a: not a.get("no_warning_signs") and not any(a.get(code) for code in WARNING_SIGNS),
        "tick the signs that apply to you, or tick 'None of these apply to me'",
    ),
    CrossRule(
        qn.WARNING.code,
        "no_warning_signs",
        # ...unless the sign is an emergency one: then the emergency wins, no questions asked.
        lambda a: (
            a.get("no_warning_signs") is True
            and any(a.get(code) for code in WARNING_SIGNS)
            and not has_emergency_sign(a)
        ),
        "you ticked a warning sign and also 'None of these apply to me': please check",
    ),
)


def cross_check(answers: Answers, section: str | None = None) -> dict[str, str]:
    """Contradictions between answers (of one section, or of all when section is None)."""
    errors: dict[str, str] = {}
    for rule in CROSS_RULES:
        if (section is None or rule.section == section) and rule.broken(answers):
            errors.setdefault(rule.code, rule.message)
    return errors


# --- Plain words ------------------------------------------------------------------------


def describe(code: str, value: Any, questions: dict[str, qn.Question] | None = None) -> str:
    """An answer in plain words, for the result page and the admin (`questions`: the
    version it was answered with; the current one by default)."""
    q = (questions or qn.QUESTIONS)[code]
    if qn.is_blank(value):
        return "Not answered"
    if q.type == qn.BOOL:
        return "Yes" if value else "No"
    if q.type == qn.CHOICE:
        return q.choice_label(value)
    if q.type == qn.MULTI:
        return "; ".join(q.choice_label(v) for v in value)
    if q.type in (qn.INT, qn.NUMBER):
        unit = q.unit[:-1] if value == 1 and q.unit.endswith("s") else q.unit  # "1 hour", "2 hours"
        return f"{value:g} {unit}".strip()
    return str(value)


def describe_answers(answers: Answers, questions: dict[str, qn.Question] | None = None) -> dict[str, str]:
    """Every answer in plain words, with distances in the runner's own unit."""
    questions = questions or qn.QUESTIONS
    words = {code: describe(code, value, questions) for code, value in answers.items() if code in questions}
    unit = "miles" if answers.get("distance_unit") == "mi" else "km"
    for code in ("weekly_distance", "longest_run"):  # longest_run: version 2026.11.1
        if code in answers:
            words[code] = f"{answers[code]:g} {unit}"
    return words
