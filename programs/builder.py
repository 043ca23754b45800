"""The programme builder: a result, the exercise library and the check-ins in, a 4-week plan out.

Pure Python like the scoring engine: plain data in (the stored result dict, the
library as `ExerciseSpec`s, `CheckInSpec`s), dataclasses out, no ORM, no request.
The same inputs always give the same programme.

What it decides comes from the tables below: the week's pattern, the dosage
progression, and the check-in rules that turn a day into a rest day, limit the plan
to gentle movement, or stop it. Safety first, in this order:
1. an emergency (at the assessment or a warning sign at a check-in) stops all exercise;
2. "see a professional" (from the result or raised by check-ins) limits the plan to
   gentle movement and says how soon to book;
3. an exercise whose caution matches one of the runner's flags is never chosen;
4. a rest day replaces training with easy walking, sitting breaks and gentle movement.
Every day, exercise and change carries the reasons behind it, in plain words.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from assessments.questionnaire import REPLACED_BY, label_of
from assessments.scoring import (
    ACUTE_FLARE,
    CATALOGUE_BY_CODE,
    EMERGENCY,
    POSSIBLE,
    ROUTINE,
    SELF_CARE,
    URGENT,
    WHEN_TO_ACT,
)

STRETCH = "stretch"
STRENGTH = "strength"
MOBILITY = "mobility"
ACTIVITY = "activity"
KINDS = (STRETCH, STRENGTH, MOBILITY, ACTIVITY)
LOOSENING = (STRETCH, MOBILITY)  # the "stretch" side of a balanced routine

DONE_ALL, DONE_SOME, DONE_NONE = "all", "some", "none"
NO_RUN, RUN_PAIN_NONE, RUN_PAIN_DURING, RUN_PAIN_AFTER = "no_run", "no_pain", "during", "after"
PAINFUL_RUN = (RUN_PAIN_DURING, RUN_PAIN_AFTER)

# Programme states, most restrictive first.
STOPPED = "stopped"  # an emergency: no exercise at all
GENTLE = "gentle"  # see a professional: gentle movement only
FULL = "full"  # the tailored plan

# Kinds of day.
TRAINING = "training"
EASY = "easy"
REST = "rest"
GENTLE_DAY = "gentle"
STOPPED_DAY = "stopped"


# --- Input ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ExerciseSpec:
    slug: str
    name: str
    kind: str
    region: str
    targets: tuple[str, ...]
    steps: tuple[str, ...]
    cues: tuple[str, ...]
    mistakes: tuple[str, ...]
    sets: int
    reps: int | None
    hold_seconds: int | None
    per_side: bool
    rest_seconds: int
    minutes: int
    easier: str | None = None
    harder: str | None = None
    equipment: tuple[str, ...] = ()
    cautions: tuple[str, ...] = ()
    warm_up: bool = False
    gentle: bool = False

    @classmethod
    def from_values(cls, values: dict[str, Any]) -> ExerciseSpec:
        """From stored values (the model's fields or a library-file row): text fields hold one item
        a line, lists become tuples, variants are slugs."""
        lines = {name: tuple(line.strip() for line in (values[name] or "").splitlines() if line.strip())
                 for name in ("steps", "cues", "mistakes")}  # fmt: skip
        lists = {name: tuple(values[name] or ()) for name in ("targets", "equipment", "cautions")}
        return cls(**{name: values[name] for name in cls.__dataclass_fields__} | lines | lists)


@dataclass(frozen=True)
class CheckInSpec:
    day: date
    pain: int  # 0-10
    routine_done: str = DONE_ALL
    run: str = NO_RUN
    distance: float | None = None
    warning_signs: tuple[str, ...] = ()


# --- Dosage ------------------------------------------------------------------------------

# What the library may hold, per kind (CLINICAL.md "Dosage ranges"; a little wider so a
# clinician can tailor). (low, high) inclusive; None: must be empty.
DOSAGE_LIMITS: dict[str, dict[str, tuple[int, int] | None]] = {
    STRETCH: {"sets": (1, 4), "reps": None, "hold_seconds": (15, 60), "minutes": (1, 10)},
    STRENGTH: {"sets": (1, 5), "reps": (5, 20), "hold_seconds": (5, 60), "minutes": (1, 10)},
    MOBILITY: {"sets": (1, 3), "reps": (3, 20), "hold_seconds": (5, 60), "minutes": (1, 10)},
    ACTIVITY: {"sets": (1, 1), "reps": None, "hold_seconds": None, "minutes": (5, 60)},
}
REST_SECONDS = (0, 180)


def dosage_errors(e: ExerciseSpec) -> dict[str, list[str]]:
    """What is wrong with an exercise's dosage, by field; empty when it is fine."""
    limits = DOSAGE_LIMITS.get(e.kind)
    if limits is None:
        return {"kind": [f"Choose one of: {', '.join(KINDS)}."]}
    errors: dict[str, list[str]] = {}
    for name in ("sets", "reps", "hold_seconds", "minutes"):
        value, bounds = getattr(e, name), limits[name]
        if bounds is None:
            if value is not None:
                errors[name] = [f"A {e.kind} exercise has no {name.replace('_', ' ')}: leave it empty."]
        elif value is not None and not bounds[0] <= value <= bounds[1]:
            errors[name] = [f"For a {e.kind} exercise this must be from {bounds[0]} to {bounds[1]}."]
    if e.kind == STRETCH and e.hold_seconds is None:
        errors.setdefault("hold_seconds", []).append("A stretch needs a hold time.")
    if e.kind in (STRENGTH, MOBILITY):
        if e.reps is None and e.hold_seconds is None:
            errors.setdefault("reps", []).append("Give either repetitions or a hold time.")
        if e.reps is not None and e.hold_seconds is not None:
            errors.setdefault("hold_seconds", []).append("Give either repetitions or a hold time, not both.")
    if e.rest_seconds is not None and not REST_SECONDS[0] <= e.rest_seconds <= REST_SECONDS[1]:
        errors["rest_seconds"] = [f"Rest must be from {REST_SECONDS[0]} to {REST_SECONDS[1]} seconds."]
    return errors


@dataclass(frozen=True)
class Dosage:
    sets: int
    reps: int | None
    hold_seconds: int | None
    per_side: bool
    rest_seconds: int
    minutes: int

    @property
    def text(self) -> str:
        if self.reps is None and self.hold_seconds is None:
            return f"{self.minutes} minutes"
        amount = f"hold {self.hold_seconds} s" if self.hold_seconds else f"{self.reps} repetitions"
        sets = "1 set" if self.sets == 1 else f"{self.sets} sets"
        side = ", each side" if self.per_side else ""
        rest = f", rest {self.rest_seconds} s between sets" if self.rest_seconds and self.sets > 1 else ""
        return f"{sets}: {amount}{side}{rest}"


# How the dosage rises with each week's step (step 0 is the library's dosage), and where
# it stops: stretches to a 30 s hold (CLINICAL.md: 20-30 s), strength to 15 repetitions
# or a 30 s hold. The sets stay as they are, so the routine stays about 10-20 minutes.
# At step 3 the harder variant replaces the exercise, at its own starting dosage, when
# there is one the runner's flags allow.
PROGRESSION = {
    # kind: (hold seconds added per step, repetitions added per step, hold cap, reps cap)
    STRETCH: (5, 0, 30, 0),
    STRENGTH: (5, 2, 30, 15),
    MOBILITY: (5, 2, 30, 15),
    ACTIVITY: (0, 0, 0, 0),
}
ACTIVITY_MINUTES_PER_STEP, ACTIVITY_MINUTES_CAP = 5, 30
HARDER_VARIANT_STEP = 3
SECONDS_PER_REP = 3  # a slow, controlled repetition


def dosage_at(e: ExerciseSpec, step: int) -> Dosage:
    """The exercise's dosage after `step` weekly rises (0 = the library's own)."""
    add_hold, add_reps, hold_cap, reps_cap = PROGRESSION[e.kind]
    if e.kind == ACTIVITY:
        minutes = min(max(e.minutes, ACTIVITY_MINUTES_CAP), e.minutes + ACTIVITY_MINUTES_PER_STEP * step)
        return Dosage(1, None, None, False, 0, minutes)
    hold = min(max(e.hold_seconds, hold_cap), e.hold_seconds + add_hold * step) if e.hold_seconds else None
    reps = min(max(e.reps, reps_cap), e.reps + add_reps * step) if e.reps else None
    # The library's minutes include getting into position and resting; add the extra work only.
    sides = 2 if e.per_side else 1
    work, base = (
        e.sets * sides * (h or (r or 0) * SECONDS_PER_REP) for h, r in ((hold, reps), (e.hold_seconds, e.reps))
    )
    minutes = e.minutes + round((work - base) / 60)
    return Dosage(e.sets, reps, hold, e.per_side, e.rest_seconds, minutes)


# --- The plan's shape ---------------------------------------------------------------------

PROGRAM_WEEKS = 4
DAYS_PER_WEEK = 7
# Two easy days a week (walking and gentle movement), never two hard days in a row at the end.
WEEK_PATTERN = (TRAINING, TRAINING, EASY, TRAINING, TRAINING, TRAINING, EASY)
TOP_COVERED = 3  # the strongest contributors the routine must cover
MIN_EXERCISES, MAX_EXERCISES = 4, 6
MAX_GENTLE_EXERCISES = 4
ROUTINE_MINUTES = (10, 20)  # warm-up included; the top is checked at the plan's peak dosage (week 4)
GENTLE_MINUTES = 12
WARM_UP_EXERCISES = 2
EASY_DAY_EXTRAS = 2  # gentle exercises suggested beside the walk on easy and rest days

# With no clear contributor, a general routine for runners: trunk and hip strength,
# hip-front mobility (CLINICAL.md "Runners").
GENERAL_FOCUS = ("weak_trunk", "weak_glutes", "tight_hip_flexors")
# Which side of the routine an imbalance asks for first.
FIRST_KIND = {
    "tight_hip_flexors": STRETCH,
    "weak_glutes": STRENGTH,
    "tight_hamstrings": STRETCH,
    "weak_trunk": STRENGTH,
    "anterior_pelvic_tilt": STRETCH,
    "flat_back": STRENGTH,
    "one_sided_pelvis": STRENGTH,
    "desk_posture": STRETCH,
    "tight_calves": STRETCH,
    "tight_piriformis": STRETCH,
}

SITTING_BREAKS = (
    "When you sit, stand up and move for a minute every 30 to 45 minutes, and keep the curve of your lower back "
    "supported."
)
EASY_ACTIVITY = "Walk easily for 15 to 20 minutes, or cycle or swim gently. No running hard today."
REST_ACTIVITY = "Skip today's run. An easy walk, gentle cycling or swimming is better than staying still."
CUT_RUNNING = (
    "Cut your running by about a third next week (shorter, easier runs), and build back up by no more than "
    "about 10% a week once runs stop hurting."
)


# --- Output -------------------------------------------------------------------------------


@dataclass
class Entry:
    slug: str
    name: str
    kind: str
    dosage: Dosage
    dosage_text: str
    why: list[str]
    variant: str = "standard"  # or "harder" (the week-4 progression)


@dataclass
class Day:
    number: int  # 1-28
    date: date
    week: int
    kind: str  # training / easy / rest / gentle / stopped
    title: str
    warm_up: list[Entry]
    exercises: list[Entry]
    minutes: int
    reasons: list[str] = field(default_factory=list)  # why the day is not a plain training day
    suggestions: list[str] = field(default_factory=list)
    adapted: bool = False  # changed by a check-in or a flag of the result


@dataclass
class Week:
    number: int
    days: list[Day]
    step: int  # dosage step (0: the library's dosage)
    note: str = ""


@dataclass
class Notice:
    """A change the check-ins made, shown with its reasons."""

    day: date
    code: str
    level: str  # emergency / see_professional / rest / advice
    title: str
    text: str
    reasons: list[str]


@dataclass
class Focus:
    code: str
    label: str
    score: int | None  # None for the general routine
    covered: bool


@dataclass
class Program:
    status: str  # stopped / gentle / full, as of `as_of`
    as_of: date  # the day the programme was built for (today)
    tier: str  # the result's tier, or the one a check-in raised
    when_to_act: str
    reasons: list[str]  # why the programme is stopped or gentle
    start: date
    today: Day | None
    weeks: list[Week]
    focus: list[Focus]
    notices: list[Notice]
    flags: list[str]  # caution flags in force today
    exercises: list[ExerciseSpec]  # every exercise the plan uses, for its instructions
    advice: list[dict[str, Any]]
    finished: bool = False  # today is after the last day of the plan

    @property
    def days(self) -> list[Day]:
        return [day for week in self.weeks for day in week.days]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Check-in rules -------------------------------------------------------------------------

PAIN_REST_AT = 7  # pain at a check-in that makes the day a rest day
PAIN_RISE_REST = 2  # points above the start that make the day a rest day
MEANINGFUL_DROP_POINTS, MEANINGFUL_DROP_SHARE = 2, 0.3  # CLINICAL.md "not improving"
SUGGEST_PHYSIO_WEEKS, SEE_PROFESSIONAL_WEEKS = 2, 6
SETTLED_PAIN = 1  # pain at or below this counts as settled: no "not improving" flag
CARRY_DAYS = 1  # a check-in's pain also decides the next day, until the next check-in


@dataclass(frozen=True)
class Context:
    start: date
    start_pain: int
    weeks_before: int  # weeks of home care before the assessment
    known_signs: frozenset[str] = frozenset()  # warning signs the assessment already triaged


def day_month(d: date) -> str:
    """A date as the pages say it: "27 November"."""
    return f"{d.day} {d:%B}"


def known_signs(result: dict) -> frozenset[str]:
    """The answers behind the result's triage: signs a check-in cannot report as new (under
    their current code, for a result stored before a question was asked more precisely)."""
    codes = {code for reason in result["triage_reasons"] for code in reason["answers"]}
    return frozenset(codes | {REPLACED_BY[code] for code in codes if code in REPLACED_BY})


def _improved(ctx: Context, pain: int) -> bool:
    drop = ctx.start_pain - pain
    return (
        pain <= SETTLED_PAIN
        or drop >= MEANINGFUL_DROP_POINTS
        or (drop > 0 and drop >= MEANINGFUL_DROP_SHARE * ctx.start_pain)
    )


def _weeks_of_care(ctx: Context, on: date) -> float:
    return ctx.weeks_before + (on - ctx.start).days / 7


def _sign_words(codes: Iterable[str]) -> str:
    return "; ".join(label_of(c).rstrip(".").lower() for c in codes)


# Rules on the check-ins so far (oldest first, at least one). Each gives its reasons, or
# nothing when it does not hold. "Lasting" rules hold from the day they first held to the
# end of the plan; the others hold on the day of the check-in and the next (CARRY_DAYS).
@dataclass(frozen=True)
class CheckInRule:
    code: str
    level: str  # emergency / see_professional / rest / advice
    lasting: bool
    title: str
    text: str
    reasons: Callable[[Sequence[CheckInSpec], Context], list[str]]


def _new_warning_sign(history, ctx):
    # A sign the assessment already triaged (say, night pain behind an urgent result) is not new.
    return [
        f"at your check-in on {day_month(c.day)} you reported: {_sign_words(new)}"
        for c in history
        if (new := [code for code in c.warning_signs if code not in ctx.known_signs])
    ][-1:]


def _pain_high(history, ctx):
    c = history[-1]
    return [f"your pain was {c.pain}/10 at your check-in on {day_month(c.day)}"] if c.pain >= PAIN_REST_AT else []


def _pain_up(history, ctx):
    c = history[-1]
    if c.pain - ctx.start_pain >= PAIN_RISE_REST:
        return [f"your pain rose from {ctx.start_pain}/10 at the start to {c.pain}/10 on {day_month(c.day)}"]
    return []


def _painful_runs(history, ctx):
    runs = [c for c in history if c.run != NO_RUN]
    if len(runs) >= 2 and history[-1] is runs[-1] and all(c.run in PAINFUL_RUN for c in runs[-2:]):
        return [f"your back hurt with your runs on {day_month(runs[-2].day)} and {day_month(runs[-1].day)}"]
    return []


def _worse_than_start(history, ctx):
    # One bad day (pain up 2) is a rest day (see _pain_up); worse at two check-ins in a row
    # is a trend that needs a professional's look.
    # Pain that has settled (SETTLED_PAIN or less) is never "worse", even from a start of 0 (prevention).
    last = history[-2:]
    if len(last) == 2 and all(c.pain > max(ctx.start_pain, SETTLED_PAIN) for c in last):
        return [
            f"your pain at your last two check-ins ({last[0].pain}/10 and {last[1].pain}/10) "
            f"was higher than at the start ({ctx.start_pain}/10)"
        ]
    return []


def _not_improving_for(weeks: int):
    def rule(history, ctx):
        c = history[-1]
        care = _weeks_of_care(ctx, c.day)
        if care >= weeks and not _improved(ctx, c.pain):
            return [
                f"after about {math.floor(care)} weeks of home care your pain is {c.pain}/10, "
                f"against {ctx.start_pain}/10 at the start: less than a 2-point (or 30%) improvement"
            ]
        return []

    return rule


CHECK_IN_RULES: tuple[CheckInRule, ...] = (
    # Any warning sign re-triages at once (CLINICAL.md): the plan stops.
    CheckInRule(
        "new_warning_sign",
        EMERGENCY,
        True,
        "Stop the exercises and get medical help now",
        WHEN_TO_ACT[EMERGENCY],
        _new_warning_sign,
    ),
    CheckInRule(
        "worse_than_start",
        ROUTINE,
        True,
        "Book an appointment with a professional",
        WHEN_TO_ACT[ROUTINE] + " Until then, the plan keeps to gentle movement.",
        _worse_than_start,
    ),
    CheckInRule(
        "not_improving",
        ROUTINE,
        True,
        "Book an appointment with a professional",
        WHEN_TO_ACT[ROUTINE] + " Until then, the plan keeps to gentle movement.",
        _not_improving_for(SEE_PROFESSIONAL_WEEKS),
    ),
    CheckInRule(
        "pain_high",
        REST,
        False,
        "Today is a rest day",
        REST_ACTIVITY,
        _pain_high,
    ),
    CheckInRule(
        "pain_up",
        REST,
        False,
        "Today is a rest day",
        REST_ACTIVITY,
        _pain_up,
    ),
    CheckInRule(
        "painful_runs",
        REST,
        False,
        "Rest today and run less next week",
        CUT_RUNNING,
        _painful_runs,
    ),
    CheckInRule(
        "suggest_physio",
        "advice",
        True,
        "Consider seeing a physiotherapist",
        "Your pain has not clearly improved yet. A physiotherapist can check what is going on and adjust "
        "your exercises; keep going with the plan meanwhile.",
        _not_improving_for(SUGGEST_PHYSIO_WEEKS),
    ),
)
SEE_PROFESSIONAL_RULES = ("worse_than_start", "not_improving")


# --- Choosing exercises -----------------------------------------------------------------------


def allowed(e: ExerciseSpec, flags: Iterable[str]) -> bool:
    """An exercise is allowed when none of its cautions matches a flag."""
    return not set(e.cautions) & set(flags)


def _loosening(e: ExerciseSpec) -> bool:
    return e.kind in LOOSENING


@dataclass(frozen=True)
class Choice:
    spec: ExerciseSpec
    why: tuple[str, ...]
    covers: tuple[str, ...] = ()  # the focus imbalances it is there for


@dataclass(frozen=True)
class Routine:
    warm_up: tuple[Choice, ...]
    main: tuple[Choice, ...]
    easy: tuple[Choice, ...]  # for easy and rest days
    walk: Choice | None


def _focus_of(result: dict) -> list[tuple[str, str, int | None]]:
    top = [(i["code"], i["label"], i["score"]) for i in result.get("imbalances", []) if i["score"] >= POSSIBLE]
    if top:
        return top[:TOP_COVERED]
    return [(code, CATALOGUE_BY_CODE[code].label, None) for code in GENERAL_FOCUS]


def _why(code: str, label: str, score: int | None) -> str:
    if score is None:
        return f"part of a general routine for runners ({label.lower()}): your answers point at no clear imbalance"
    # Worded for pain and for prevention alike.
    return f"for {label.lower()}, one of the imbalances your answers point at most ({score} out of 100)"


def choose_routine(result: dict, library: Sequence[ExerciseSpec], flags: frozenset[str], gentle: bool) -> Routine:
    """The exercises of a training day, a warm-up and the easy-day options, for these flags."""
    focus = _focus_of(result)
    focus_codes = [code for code, _, _ in focus]
    safe = sorted((e for e in library if allowed(e, flags) and (e.gentle or not gentle)), key=lambda e: e.slug)
    pool = [e for e in safe if not e.warm_up and e.kind != ACTIVITY]
    budget = GENTLE_MINUTES if gentle else ROUTINE_MINUTES[1]
    most = MAX_GENTLE_EXERCISES if gentle else MAX_EXERCISES

    warm_up = tuple(
        Choice(e, ("gets your hips and back warm before the routine",))
        for e in sorted((e for e in safe if e.warm_up), key=lambda e: (e.minutes, e.slug))[:WARM_UP_EXERCISES]
    )
    chosen: list[ExerciseSpec] = []
    why: dict[str, list[str]] = {}
    by_slug = {e.slug: e for e in library}

    def cost(e: ExerciseSpec) -> int:
        """Minutes at the plan's peak dosage, so that week 4 stays within the time budget too."""
        if gentle:
            return e.minutes
        harder = by_slug.get(e.harder) if e.harder else None
        return max(dosage_at(e, HARDER_VARIANT_STEP).minutes, harder.minutes if harder else 0)

    def minutes(peak: bool = True) -> int:
        return sum(c.spec.minutes for c in warm_up) + sum(cost(e) if peak else e.minutes for e in chosen)

    def rank(e: ExerciseSpec, kind: str | None):
        return (kind is not None and e.kind != kind, -sum(code in e.targets for code in focus_codes), e.minutes, e.slug)

    def family(e: ExerciseSpec) -> str:
        """The easiest exercise of its progression chain (easier -> harder -> ...)."""
        seen = {e.slug}
        while e.easier in by_slug and e.easier not in seen:
            e = by_slug[e.easier]
            seen.add(e.slug)
        return e.slug

    def variant_of_chosen(e: ExerciseSpec) -> bool:
        """An easier or harder version of an exercise already in the routine: one of a chain is enough."""
        return family(e) in {family(c) for c in chosen}

    def pick(code: str, loosening: bool | None, within_budget: bool) -> ExerciseSpec | None:
        """The best exercise for `code` on one side of the routine (a true stretch before mobility)."""
        candidates = [
            e
            for e in pool
            if code in e.targets
            and e not in chosen
            and not variant_of_chosen(e)
            and (loosening is None or _loosening(e) == loosening)
            and (not within_budget or minutes() + cost(e) <= budget)
        ]
        kind = None if loosening is None else STRETCH if loosening else STRENGTH
        return min(candidates, key=lambda e: rank(e, kind), default=None)

    def add(e: ExerciseSpec) -> None:
        chosen.append(e)
        why[e.slug] = [_why(code, label, score) for code, label, score in focus if code in e.targets]

    # 1. Every focus imbalance first, strongest first, on the side it asks for (or any side).
    for code, _, _ in focus:
        first = FIRST_KIND[code] in LOOSENING
        if any(code in e.targets for e in chosen):
            continue
        e = pick(code, first, False) or pick(code, None, False)
        if e and len(chosen) < most:
            add(e)
    # 2. Balance: the other side for each focus imbalance, within the time budget.
    for code, _, _ in focus:
        if len(chosen) >= most:
            break
        sides = {_loosening(e) for e in chosen if code in e.targets}
        for side in (True, False):
            if side not in sides and len(chosen) < most:
                e = pick(code, side, True)
                if e:
                    add(e)
    # 3. Up to the minimum count and time: the less represented side first, then the next contributors.
    extra = focus_codes + [i["code"] for i in result.get("imbalances", []) if i["code"] not in focus_codes]
    extra += [code for code in GENERAL_FOCUS if code not in extra]
    while (
        not gentle and len(chosen) < most and (len(chosen) < MIN_EXERCISES or minutes(peak=False) < ROUTINE_MINUTES[0])
    ):
        loosening = sum(map(_loosening, chosen)) <= len(chosen) / 2
        e = next((e for code in extra if (e := pick(code, loosening, True) or pick(code, None, True))), None)
        if e is None and len(chosen) < MIN_EXERCISES:
            # The minimum count comes before the time budget: the shortest safe exercise left.
            left = [e for e in pool if e not in chosen and not variant_of_chosen(e)]
            e = min(left, key=lambda e: (cost(e), _loosening(e) != loosening, e.slug), default=None)
        if e is None:
            break
        chosen.append(e)
        covered = [label.lower() for code, label, _ in focus if code in e.targets]
        targets = [CATALOGUE_BY_CODE[t].label.lower() for t in e.targets if t in CATALOGUE_BY_CODE]
        why[e.slug] = (
            [_why(code, label, score) for code, label, score in focus if code in e.targets]
            if covered
            else [f"rounds out the routine: helps with {' and '.join(targets[:2]) or 'general fitness'}"]
        )

    # Strength before stretching: the stretches end the routine as a cool-down.
    order = {MOBILITY: 0, STRENGTH: 1, STRETCH: 2}
    if gentle:
        # Until a professional has checked, the contributors wait (the result page says so too).
        why = {
            slug: ["gentle movement that keeps you active until a professional has checked your back"] for slug in why
        }
    main = tuple(
        Choice(e, tuple(why[e.slug]), tuple(code for code in focus_codes if code in e.targets))
        for e in sorted(chosen, key=lambda e: (order.get(e.kind, 3), chosen.index(e)))
    )

    easy_pool = [e for e in pool if e.gentle]
    easy = sorted(easy_pool, key=lambda e: rank(e, None))[:EASY_DAY_EXTRAS]
    walk = next((e for e in safe if e.kind == ACTIVITY), None)
    return Routine(
        warm_up=warm_up,
        main=main,
        easy=tuple(Choice(e, ("gentle movement that keeps you loose on an easy day",)) for e in easy),
        walk=Choice(walk, ("staying active helps back pain settle",)) if walk else None,
    )


# --- Building the plan ---------------------------------------------------------------------------


def _entry(
    choice: Choice, step: int, library: dict[str, ExerciseSpec], flags, gentle: bool, taken: Iterable[str] = ()
) -> Entry:
    """An exercise at a week's dosage step; from HARDER_VARIANT_STEP its harder variant, when
    the flags allow it, the routine does not already have it, and it does the same job (the
    same side of the routine, every focus imbalance the exercise is there for)."""
    e, why = choice.spec, list(choice.why)
    if step >= HARDER_VARIANT_STEP and not gentle and e.harder in library and e.harder not in taken:
        harder = library[e.harder]
        same_job = _loosening(harder) == _loosening(e) and set(choice.covers) <= set(harder.targets)
        if allowed(harder, flags) and not harder.warm_up and same_job:
            dosage = dosage_at(harder, 0)
            why = why + [f"week 4: the harder version of “{e.name}”, as you have built up to it"]
            return Entry(harder.slug, harder.name, harder.kind, dosage, dosage.text, why, "harder")
    dosage = dosage_at(e, step)
    return Entry(e.slug, e.name, e.kind, dosage, dosage.text, why)


def _result_flags(result: dict) -> frozenset[str]:
    # No default: a result without its flags must never reach the exercises (see migration 0002).
    return frozenset(flag["code"] for flag in result["flags"])


def _flare_in(ctx: Context, check_in: CheckInSpec) -> bool:
    """A check-in that shows a flare-up: high pain, pain well up from the start, or a painful run."""
    return (
        check_in.pain >= PAIN_REST_AT or check_in.pain - ctx.start_pain >= PAIN_RISE_REST or check_in.run in PAINFUL_RUN
    )


def build_program(
    result: dict,
    library: Sequence[ExerciseSpec],
    start: date,
    check_ins: Sequence[CheckInSpec] = (),
    *,
    start_pain: int,
    weeks_before: int = 0,
    today: date | None = None,
) -> Program:
    """Build the 4-week programme for a stored result (`Result.as_dict()`).

    `library` is the exercise library, `start` the day of the assessment (day 1),
    `check_ins` the runner's check-ins, `start_pain` the pain (0-10) at the assessment
    and `weeks_before` the weeks of home care before it. Check-ins after `today` (or
    before the start) are ignored. Deterministic: the same inputs give the same plan.
    """
    today = today or start
    ctx = Context(start, start_pain, weeks_before, known_signs(result))
    by_slug = {e.slug: e for e in library}
    history = sorted({c.day: c for c in check_ins if start <= c.day <= today}.values(), key=lambda c: c.day)
    result_flags = _result_flags(result)
    result_tier = result["tier"]

    # Events from the check-ins: each rule on the history up to each check-in.
    notices: list[Notice] = []
    lasting_from: dict[str, tuple[date, list[str]]] = {}
    passing: dict[date, list[tuple[CheckInRule, list[str]]]] = {}
    for i, c in enumerate(history):
        so_far = history[: i + 1]
        for rule in CHECK_IN_RULES:
            if rule.lasting and rule.code in lasting_from:
                continue
            reasons = rule.reasons(so_far, ctx)
            if not reasons:
                continue
            if rule.lasting:
                lasting_from[rule.code] = (c.day, reasons)
            else:
                passing.setdefault(c.day, []).append((rule, reasons))
            notices.append(Notice(c.day, rule.code, rule.level, rule.title, rule.text, reasons))
    # "Consider a physio" is only worth saying while the plan is not already limited.
    raised = [code for code in SEE_PROFESSIONAL_RULES if code in lasting_from]
    if raised or result_tier != SELF_CARE:
        notices = [n for n in notices if n.code != "suggest_physio"]

    def latest_on(d: date) -> CheckInSpec | None:
        earlier = [c for c in history if c.day <= d]
        return earlier[-1] if earlier else None

    def state_on(d: date) -> tuple[str, str, list[str]]:
        """(status, tier, reasons) on day d."""
        if result_tier == EMERGENCY:
            return STOPPED, EMERGENCY, [r["text"] for r in result.get("triage_reasons", [])]
        if "new_warning_sign" in lasting_from and lasting_from["new_warning_sign"][0] <= d:
            return STOPPED, EMERGENCY, lasting_from["new_warning_sign"][1]
        if result_tier in (URGENT, ROUTINE):
            return GENTLE, result_tier, [r["text"] for r in result.get("triage_reasons", [])]
        held = [lasting_from[c] for c in raised if lasting_from[c][0] <= d]
        if held:
            return GENTLE, ROUTINE, [reason for _, reasons in held for reason in reasons]
        return FULL, SELF_CARE, []

    routines: dict[tuple[frozenset[str], bool], Routine] = {}

    def routine_for(flags: frozenset[str], gentle: bool) -> Routine:
        key = (flags, gentle)
        if key not in routines:
            routines[key] = choose_routine(result, library, flags, gentle)
        return routines[key]

    def flags_on(d: date) -> frozenset[str]:
        # A flare-up, by the latest check-in (for its day and the next) or, before any, by the assessment.
        latest = latest_on(d)
        if latest is None:
            flare = ACUTE_FLARE in result_flags
        else:
            flare = (d - latest.day).days <= CARRY_DAYS and _flare_in(ctx, latest)
        return frozenset(result_flags - {ACUTE_FLARE} | ({ACUTE_FLARE} if flare else set()))

    def rest_reasons(d: date, number: int) -> list[str]:
        reasons: list[str] = []
        if number == 1 and result.get("rest_day"):
            reasons += [r["text"] for r in result.get("rest_day_reasons", [])]
        for offset in range(CARRY_DAYS + 1):
            for rule, why in passing.get(d - timedelta(days=offset), []):
                if rule.level == REST and (offset == 0 or latest_on(d).day == d - timedelta(days=offset)):
                    reasons += why
        return list(dict.fromkeys(reasons))

    # Dosage steps: one up each week, unless last week says hold.
    weeks: list[Week] = []
    step = 0
    for w in range(PROGRAM_WEEKS):
        week_start = start + timedelta(days=w * DAYS_PER_WEEK)
        note = ""
        if w > 0:
            last_week = [c for c in history if week_start - timedelta(days=DAYS_PER_WEEK) <= c.day < week_start]
            unfinished = [c for c in last_week if c.routine_done != DONE_ALL]
            rests = [n for n in notices if n.level == REST and week_start - timedelta(days=7) <= n.day < week_start]
            if last_week and len(unfinished) * 2 > len(last_week):
                note = (
                    f"The dosage stays as last week's: you finished the routine on {len(last_week) - len(unfinished)} "
                    f"of your {len(last_week)} check-ins last week."
                )
            elif rests:
                note = "The dosage stays as last week's: last week had a rest day for pain."
            else:
                step += 1
        days = []
        for i in range(DAYS_PER_WEEK):
            number = w * DAYS_PER_WEEK + i + 1
            d = start + timedelta(days=number - 1)
            days.append(
                _day(number, d, w + 1, step, state_on(d), flags_on(d), rest_reasons(d, number), routine_for, by_slug)
            )
        weeks.append(Week(w + 1, days, step, note))

    status, tier, reasons = state_on(today)
    all_days = [day for week in weeks for day in week.days]
    today_day = next((day for day in all_days if day.date == today), None)
    finished = today_day is None and today > start
    if finished:
        # After the 4 weeks: the last week's routine goes on, under the same rules (rest days,
        # gentle only, stop), so that what the check-ins say still shows on the day.
        number = (today - start).days + 1
        today_day = _day(
            number, today, PROGRAM_WEEKS, step, (status, tier, reasons), flags_on(today),
            rest_reasons(today, number), routine_for, by_slug,
        )  # fmt: skip
    flags = flags_on(today)
    # The instructions cover what is still to come, as the runner's state is today.
    to_come = [day for day in all_days if day.date > today] + ([today_day] if today_day else [])
    used = {
        e.slug
        for day in to_come
        for e in day.warm_up + day.exercises
        if allowed(by_slug[e.slug], flags) and (status == FULL or by_slug[e.slug].gentle)
    }
    base = routine_for(flags - {ACUTE_FLARE}, status == GENTLE)
    covered = {code for e in base.main for code in e.spec.targets}
    focus = [Focus(code, label, score, code in covered) for code, label, score in _focus_of(result)]
    if status == STOPPED:
        weeks = [] if result_tier == EMERGENCY else weeks
    return Program(
        status=status,
        as_of=today,
        tier=tier,
        # The result's own words when the plan keeps its tier (a pregnancy sign: maternity care first).
        when_to_act=(result.get("when_to_act") or WHEN_TO_ACT[tier]) if tier == result_tier else WHEN_TO_ACT[tier],
        reasons=reasons,
        start=start,
        today=today_day,
        weeks=weeks,
        focus=focus,
        notices=notices,
        flags=sorted(flags),
        exercises=sorted((by_slug[s] for s in used), key=lambda e: e.name),
        advice=[] if status == STOPPED else list(result.get("advice", [])),
        finished=finished,
    )


def _day(number, d, week, step, state, flags, rest_reasons, routine_for, by_slug) -> Day:
    status, tier, state_reasons = state
    if status == STOPPED:
        return Day(
            number, d, week, STOPPED_DAY, "No exercises: get medical help first", [], [], 0, state_reasons, [], True
        )
    gentle = status == GENTLE
    routine = routine_for(flags, gentle)
    walk = [_entry(routine.walk, 0, by_slug, flags, True)] if routine.walk else []
    easy = [_entry(c, 0, by_slug, flags, True) for c in routine.easy]
    if rest_reasons:
        return Day(
            number, d, week, REST, "Rest day: easy walking and gentle movement", [], walk + easy,
            sum(e.dosage.minutes for e in walk + easy), rest_reasons, [REST_ACTIVITY, SITTING_BREAKS], True,
        )  # fmt: skip
    if WEEK_PATTERN[(number - 1) % DAYS_PER_WEEK] == EASY:
        return Day(
            number, d, week, EASY, "Easy day: walking and gentle movement", [], walk + easy,
            sum(e.dosage.minutes for e in walk + easy), [], [EASY_ACTIVITY, SITTING_BREAKS],
        )  # fmt: skip
    warm_up = [_entry(c, 0, by_slug, flags, True) for c in routine.warm_up]
    taken = {c.spec.slug for c in routine.main}
    main = [_entry(c, 0 if gentle else step, by_slug, flags, gentle, taken) for c in routine.main]
    minutes = sum(e.dosage.minutes for e in warm_up + main)
    if gentle:
        return Day(
            number, d, week, GENTLE_DAY, "Gentle movement only", warm_up, main, minutes, state_reasons,
            [SITTING_BREAKS], False,
        )  # fmt: skip
    adapted = ACUTE_FLARE in flags
    reasons = ["a flare-up: exercises that could strain your back are left out today"] if adapted else []
    return Day(number, d, week, TRAINING, f"Week {week} routine", warm_up, main, minutes, reasons, [], adapted)
