"""Answers: checking them against the questionnaire, which questions apply, plain words.

Pure Python. `validate_answers()` is the one gate for answers from any source (the web
forms, the `score` command): whatever passes it can be scored and stored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from assessments import questionnaire as qn
from assessments.scoring import EMERGENCY, URGENT, has_nerve_signs, triage

Answers = dict[str, Any]

WARNING_SIGNS = tuple(q.code for q in qn.WARNING.questions if q.type == qn.BOOL and q.code != "no_warning_signs")


class AnswerError(ValueError):
    """Answers that do not fit the questionnaire; `errors` maps a code to its message."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        super().__init__("; ".join(f"{code}: {msg}" for code, msg in errors.items()))


# --- Which questions apply ------------------------------------------------------------


def has_emergency_sign(a: Answers) -> bool:
    return triage(a)[0] == EMERGENCY


@dataclass(frozen=True)
class Skip:
    """A section or a question that is not asked when `when` holds for the answers so far."""

    what: str
    when: Callable[[Answers], bool]
    why: str


SKIPS: tuple[Skip, ...] = (
    # Red flags win: the emergency message comes straight after the warning signs.
    Skip(qn.OUTLOOK.code, has_emergency_sign, "an emergency sign needs care before anything else"),
    Skip(
        qn.SELF_TESTS.code,
        lambda a: triage(a)[0] in (EMERGENCY, URGENT),
        "movement checks wait until a doctor has seen you",
    ),
    # Planks and single-leg squats on a day of high pain: a flare, not a fair test.
    Skip(
        qn.SELF_TESTS.code,
        lambda a: a.get("pain_now", 0) >= 7,
        "movement checks wait for a calmer day: your pain is 7 or more right now",
    ),
    # A standing toe touch loads the spine in flexion and stretches an irritated nerve.
    Skip(
        "hamstring_test",
        has_nerve_signs,
        "we left out the toe-reach check because you told us about pain or tingling going into the leg",
    ),
)


# With an emergency sign ticked, nothing else on the warning page may hold the runner
# back from the "seek care now" message: these answers are then optional.
EXCUSED_BY_EMERGENCY = frozenset({"recent_fall"})


def excused(answers: Answers) -> frozenset[str]:
    """Required questions that may be left unanswered, given these answers."""
    return EXCUSED_BY_EMERGENCY if has_emergency_sign(answers) else frozenset()


def skipped(answers: Answers) -> dict[str, str]:
    """The sections and questions not asked, given the answers so far, with why."""
    not_asked: dict[str, str] = {}
    for skip in SKIPS:
        if skip.what not in not_asked and skip.when(answers):
            not_asked[skip.what] = skip.why  # the first reason in the table is the one given
    return not_asked


# --- Checking answers -------------------------------------------------------------------


def _check_value(q: qn.Question, value: Any) -> tuple[Any, str | None]:
    """Return (normalised value, error message or None) for one answer."""
    if q.type == qn.BOOL:
        if isinstance(value, bool):
            return value, None
        return value, "must be true or false"
    if q.type == qn.CHOICE:
        if isinstance(value, str) and value in q.choice_codes():
            return value, None
        return value, f"must be one of: {', '.join(sorted(q.choice_codes()))}"
    if q.type == qn.MULTI:
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return value, "must be a list of choice codes"
        unknown = [v for v in value if v not in q.choice_codes()]
        if unknown:
            return value, f"unknown choice(s) {', '.join(unknown)}"
        # Keep the questionnaire's order and drop repeats, so results are stable.
        return [c for c, _ in q.choices if c in value], None
    if q.type in (qn.INT, qn.NUMBER):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value, "must be a number"
        # Range first: comparing never overflows, even for a 400-digit integer from JSON.
        if value != value or not (q.min <= value <= q.max):  # NaN never passes
            return value, f"must be between {q.min:g} and {q.max:g}"
        if q.type == qn.INT and not float(value).is_integer():
            return value, "must be a whole number"
        return (int(value) if q.type == qn.INT else float(value)), None
    if q.type == qn.TEXT:
        if not isinstance(value, str):
            return value, "must be text"
        if "\x00" in value:
            return value, "must not contain null characters"
        if q.max_length is not None and len(value) > q.max_length:
            return value, f"must be at most {q.max_length} characters"
        return value.strip(), None
    raise AssertionError(f"unknown question type {q.type}")  # pragma: no cover


def validate_answers(answers: Any) -> Answers:
    """Check answers against the questionnaire and return them normalised.

    Raises AnswerError naming every problem: unknown codes, wrong types, values out
    of range or not among the choices, missing required answers, and answers that
    contradict each other. Optional answers may be left out or given as null, and so
    may the questions that `skipped()` leaves out for these answers.
    """
    if not isinstance(answers, dict):
        raise AnswerError({"answers": "must be an object mapping question codes to answers"})
    errors: dict[str, str] = {}
    clean: Answers = {}
    for code, value in answers.items():
        q = qn.QUESTIONS.get(code)
        if q is None:
            errors[code] = "unknown question code"
            continue
        if qn.is_blank(value):
            continue
        normalised, error = _check_value(q, value)
        if error:
            errors[code] = error
        else:
            clean[code] = normalised

    not_asked = skipped(clean) if not errors else {}
    optional_now = excused(clean)
    for q in qn.QUESTIONS.values():
        if not q.required or q.code in clean or q.code in errors or q.code in optional_now:
            continue
        if q.code in not_asked or qn.SECTION_OF[q.code] in not_asked:
            continue
        errors[q.code] = "tick at least one area" if q.type == qn.MULTI else "an answer is required"
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


CROSS_RULES: tuple[CrossRule, ...] = (
    CrossRule(
        qn.RUNNING.code,
        "weekly_distance",
        lambda a: a.get("runs_per_week") == 0 and a.get("weekly_distance", 0) > 0,
        "you said you do no runs in a week, so the weekly distance should be 0",
    ),
    CrossRule(
        qn.SITTING.code,
        "driving_hours",
        lambda a: a.get("sitting_hours", 0) + a.get("driving_hours", 0) > 24,
        "sitting and driving together cannot be more than 24 hours a day",
    ),
    CrossRule(
        qn.PAIN.code,
        "pain_worst_week",
        lambda a: "pain_now" in a and "pain_worst_week" in a and a["pain_worst_week"] < a["pain_now"],
        "the worst pain of the last 7 days cannot be lower than your pain right now",
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


def describe(code: str, value: Any) -> str:
    """An answer in plain words, for the result page and the admin."""
    q = qn.QUESTIONS[code]
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


def describe_answers(answers: Answers) -> dict[str, str]:
    """Every answer in plain words, with distances in the runner's own unit."""
    words = {code: describe(code, value) for code, value in answers.items() if code in qn.QUESTIONS}
    unit = "miles" if answers.get("distance_unit") == "mi" else "km"
    for code in ("weekly_distance", "longest_run"):
        if code in answers:
            words[code] = f"{answers[code]:g} {unit}"
    return words
