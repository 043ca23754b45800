"""The programme builder: a result, the exercise library and the check-ins in, a 4-week plan out.

Pure Python like the scoring engine: plain data in (the typed scoring `Result`, the
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

`build_program` runs named steps, each with its own function and tests: the events the
check-ins raise (`check_in_events`), the plan's state, flags and rest reasons on a day
(`PlanDays`), the week's dosage step (`week_steps`), the routine (`RoutinePicker`) and each
day (`Day`'s named constructors).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from assessments import thresholds as th
from assessments.questionnaire import REPLACED_BY, label_of
from assessments.scoring import (
    ACUTE_FLARE,
    CATALOGUE_BY_CODE,
    CAUTION_WORDS,
    POSSIBLE,
    WHEN_TO_ACT,
    AdviceItem,
    Result,
    Tier,
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


class PlanStatus(StrEnum):
    """The programme's state on a day, most restrictive first."""

    STOPPED = "stopped"  # an emergency: no exercise at all
    GENTLE = "gentle"  # see a professional: gentle movement only
    FULL = "full"  # the tailored plan


class DayKind(StrEnum):
    """A day of the plan (its own type and values: a gentle day is not the plan's gentle state)."""

    TRAINING = "training"
    EASY = "easy"
    REST = "rest"
    GENTLE = "gentle_day"
    STOPPED = "stopped_day"
    PAUSED = "paused_day"  # the clinic paused the plan


class Level(StrEnum):
    """What a check-in rule does when it holds."""

    EMERGENCY = "emergency"  # stops the plan
    SEE_PROFESSIONAL = "see_professional"  # gentle movement only, book an appointment
    REST = "rest"  # a rest day (the day of the check-in and the next)
    ADVICE = "advice"  # a word of advice, the plan unchanged


STOPPED, GENTLE, FULL = PlanStatus.STOPPED, PlanStatus.GENTLE, PlanStatus.FULL
TRAINING, EASY, REST = DayKind.TRAINING, DayKind.EASY, DayKind.REST
GENTLE_DAY, STOPPED_DAY, PAUSED_DAY = DayKind.GENTLE, DayKind.STOPPED, DayKind.PAUSED


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


# --- Input: the clinic's adjustments ------------------------------------------------------------


class Adjust(StrEnum):
    """A clinician's change to a runner's plan. The changes are kept in the order they were made;
    the plan on a day follows those made up to that day (`tailoring_on`)."""

    LEAVE_OUT = "leave_out"  # an exercise out of every day (one the clinic added: taken out again too)
    PUT_BACK = "put_back"  # a left-out exercise back, for the builder to choose again
    ADD = "add"  # an exercise into the routine of training and gentle days (its overrides never a flare-up)
    DOSAGE = "dosage"  # a dosage of the clinic's, the same every week (none: the plan's own again)
    PAUSE = "pause"  # no routine until the clinic resumes it
    RESUME = "resume"
    NOTE = "note"  # a short note to the runner (empty: none)


@dataclass(frozen=True)
class AdjustmentSpec:
    day: date  # the change holds from this day on
    action: str  # an Adjust
    slug: str = ""  # the exercise (LEAVE_OUT, PUT_BACK, ADD, DOSAGE)
    dosage: tuple[int, int | None, int | None, int | None] | None = None  # sets, reps, hold s, minutes (activity)
    covers: tuple[str, ...] = ()  # ADD: the cautions the clinician's override reason covers
    note: str = ""


@dataclass
class Tailoring:
    """The clinic's adjustments in force on a day."""

    by: str = ""  # the clinic's name, for "Adjusted by ..."
    left_out: frozenset[str] = frozenset()
    added: tuple[str, ...] = ()
    dosages: dict[str, tuple[int, int | None, int | None, int | None]] = field(default_factory=dict)  # by slug
    covers: dict[str, frozenset[str]] = field(default_factory=dict)  # an added exercise's overridden cautions
    paused: bool = False
    note: str = ""
    since: date | None = None  # the day of the latest change

    @property
    def adjusted(self) -> bool:
        return bool(self.left_out or self.added or self.dosages or self.paused or self.note)


def tailoring_on(adjustments: Iterable[AdjustmentSpec], d: date, by: str = "") -> Tailoring:
    """The adjustments made up to day d (oldest first), folded into what holds on it."""
    left_out: set[str] = set()
    added: dict[str, None] = {}  # in the order they were added
    dosages: dict[str, tuple] = {}
    covers: dict[str, frozenset[str]] = {}
    paused, note, since = False, "", None
    for a in adjustments:
        if a.day > d:
            continue
        since = a.day
        if a.action == Adjust.LEAVE_OUT:  # out of the plan, the builder's choice or the clinic's
            left_out.add(a.slug)
            if a.slug in added:  # taken out again, with what came with it
                added.pop(a.slug)
                covers.pop(a.slug, None)
                dosages.pop(a.slug, None)
        elif a.action == Adjust.PUT_BACK:
            left_out.discard(a.slug)
        elif a.action == Adjust.ADD:
            left_out.discard(a.slug)
            added[a.slug] = None
            # A flare-up comes and goes day by day: no reason given once covers the next one.
            covers[a.slug] = frozenset(a.covers) - {ACUTE_FLARE}
        elif a.action == Adjust.DOSAGE:
            if a.dosage is None:
                dosages.pop(a.slug, None)
            else:
                dosages[a.slug] = a.dosage
        elif a.action in (Adjust.PAUSE, Adjust.RESUME):
            paused = a.action == Adjust.PAUSE
        elif a.action == Adjust.NOTE:
            note = a.note.strip()
    return Tailoring(
        by=by, left_out=frozenset(left_out), added=tuple(added), dosages=dosages, covers=covers, paused=paused,
        note=note, since=since,
    )  # fmt: skip


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


def a_or_an(word: str) -> str:
    return f"{'an' if word[:1] in 'aeiou' else 'a'} {word}"


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
                errors[name] = [
                    f"{a_or_an(e.kind).capitalize()} exercise has no {name.replace('_', ' ')}: leave it empty."
                ]
        elif value is not None and not bounds[0] <= value <= bounds[1]:
            errors[name] = [f"For {a_or_an(e.kind)} exercise this must be from {bounds[0]} to {bounds[1]}."]
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


def clinic_dosage(e: ExerciseSpec, values: tuple[int, int | None, int | None, int | None]) -> Dosage:
    """The dosage a clinician set for an exercise: (sets, repetitions, hold seconds, minutes), the
    minutes given for an activity only, else worked out as `dosage_at` does."""
    sets, reps, hold, minutes = values
    if e.kind == ACTIVITY:
        return Dosage(1, None, None, False, 0, minutes or e.minutes)
    sides = 2 if e.per_side else 1
    work, base = (
        n * sides * (h or (r or 0) * SECONDS_PER_REP)
        for n, h, r in ((sets, hold, reps), (e.sets, e.hold_seconds, e.reps))
    )
    return Dosage(sets, reps, hold, e.per_side, e.rest_seconds, max(1, e.minutes + round((work - base) / 60)))


def clinic_dosage_errors(
    e: ExerciseSpec, sets: int | None, reps: int | None, hold: int | None, minutes: int | None
) -> dict[str, list[str]]:
    """What is wrong with a clinician's dosage for an exercise, by field: the library's limits for
    its kind (DOSAGE_LIMITS), and the exercise's own form (minutes of an activity; repetitions or a
    hold, as the exercise has them)."""
    errors: dict[str, list[str]] = {}

    def need(name, value, wanted, words):
        if wanted and value is None:
            errors.setdefault(name, []).append(f"Give the {words}.")
        elif not wanted and value is not None:
            errors.setdefault(name, []).append(f"“{e.name}” has no {words}: leave it empty.")

    activity = e.kind == ACTIVITY
    need("minutes", minutes, activity, "minutes")
    need("sets", sets, not activity, "sets")
    need("reps", reps, not activity and e.reps is not None, "repetitions")
    need("hold_seconds", hold, not activity and e.hold_seconds is not None, "hold time in seconds")
    if errors:
        return errors
    changed = {"minutes": minutes} if activity else {"sets": sets, "reps": reps, "hold_seconds": hold}
    return dosage_errors(replace(e, **changed))


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
    f"When you sit, stand up and move for a minute every {th.SITTING_BREAK_MINUTES[0]} to "
    f"{th.SITTING_BREAK_MINUTES[1]} minutes, and keep the curve of your lower back supported."
)
EASY_ACTIVITY = "Walk easily for 15 to 20 minutes, or cycle or swim gently. No running hard today."
PAUSED_ACTIVITY = "Stay active with easy walking, and ask your clinic before you start the exercises again."
REST_ACTIVITY = "Skip today's run. An easy walk, gentle cycling or swimming is better than staying still."
HOLD_VOLUME = (
    "Keep this week's distance the same as last week's, then add no more than about 10% a week: fast jumps "
    "in distance go with more running injuries."
)
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

    @classmethod
    def of(cls, spec: ExerciseSpec, dosage: Dosage, why: list[str], variant: str = "standard") -> Entry:
        """An exercise of the library at a dosage, with why it is there."""
        return cls(spec.slug, spec.name, spec.kind, dosage, dosage.text, why, variant)


@dataclass(kw_only=True)
class Day:
    """A day of the plan. Made by the named constructors below, one per kind of day."""

    number: int  # 1-28 (more after the plan, when its last week goes on)
    date: date
    week: int
    kind: DayKind
    title: str
    warm_up: list[Entry] = field(default_factory=list)
    exercises: list[Entry] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # why the day is not a plain training day
    suggestions: list[str] = field(default_factory=list)
    adapted: bool = False  # changed by a check-in or a flag of the result

    @property
    def minutes(self) -> int:
        return sum(e.dosage.minutes for e in self.warm_up + self.exercises)

    @classmethod
    def stopped(cls, *, number: int, date: date, week: int, reasons: list[str]) -> Day:
        return cls(
            number=number, date=date, week=week, kind=DayKind.STOPPED,
            title="No exercises: get medical help first", reasons=reasons, adapted=True,
        )  # fmt: skip

    @classmethod
    def paused(cls, *, number: int, date: date, week: int, by: str) -> Day:
        return cls(
            number=number, date=date, week=week, kind=DayKind.PAUSED,
            title=f"Plan paused by {by or 'your clinic'}: no routine for now",
            reasons=[f"{by or 'your clinic'} paused your plan"], suggestions=[PAUSED_ACTIVITY, SITTING_BREAKS],
            adapted=True,
        )  # fmt: skip

    @classmethod
    def rest(cls, *, number: int, date: date, week: int, options: list[Entry], reasons: list[str]) -> Day:
        return cls(
            number=number, date=date, week=week, kind=DayKind.REST,
            title="Rest day: easy walking and gentle movement", exercises=options, reasons=reasons,
            suggestions=[REST_ACTIVITY, SITTING_BREAKS], adapted=True,
        )  # fmt: skip

    @classmethod
    def easy(cls, *, number: int, date: date, week: int, options: list[Entry]) -> Day:
        return cls(
            number=number, date=date, week=week, kind=DayKind.EASY,
            title="Easy day: walking and gentle movement", exercises=options,
            suggestions=[EASY_ACTIVITY, SITTING_BREAKS],
        )  # fmt: skip

    @classmethod
    def gentle(
        cls, *, number: int, date: date, week: int, warm_up: list[Entry], exercises: list[Entry], reasons: list[str]
    ) -> Day:
        return cls(
            number=number, date=date, week=week, kind=DayKind.GENTLE, title="Gentle movement only",
            warm_up=warm_up, exercises=exercises, reasons=reasons, suggestions=[SITTING_BREAKS],
        )  # fmt: skip

    @classmethod
    def training(
        cls, *, number: int, date: date, week: int, warm_up: list[Entry], exercises: list[Entry], flare: bool
    ) -> Day:
        reasons = ["a flare-up: exercises that could strain your back are left out today"] if flare else []
        return cls(
            number=number, date=date, week=week, kind=DayKind.TRAINING, title=f"Week {week} routine",
            warm_up=warm_up, exercises=exercises, reasons=reasons, adapted=flare,
        )  # fmt: skip


def done_from_ticks(day: Day, ticked: Iterable[str]) -> str:
    """How much of a day's routine was done, from the exercises the runner ticked on it.

    All of it when every exercise of the day (warm-up included) is ticked, none when none is;
    ticks of exercises the day does not hold (the plan changed since) do not count.
    """
    planned = {entry.slug for entry in day.warm_up + day.exercises}
    done = planned & set(ticked)
    if planned and done == planned:
        return DONE_ALL
    return DONE_SOME if done else DONE_NONE


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
    level: Level
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
    status: PlanStatus  # as of `as_of`
    as_of: date  # the day the programme was built for (today)
    tier: Tier  # the result's tier, or the one a check-in raised
    when_to_act: str
    reasons: list[str]  # why the programme is stopped or gentle
    start: date
    today: Day | None
    weeks: list[Week]
    focus: list[Focus]
    notices: list[Notice]
    flags: list[str]  # caution flags in force today
    exercises: list[ExerciseSpec]  # every exercise the plan uses, for its instructions
    advice: list[AdviceItem]
    finished: bool = False  # today is after the last day of the plan
    tailoring: Tailoring = field(default_factory=Tailoring)  # the clinic's adjustments in force today

    @property
    def days(self) -> list[Day]:
        return [day for week in self.weeks for day in week.days]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- Check-in rules -------------------------------------------------------------------------

CARRY_DAYS = 1  # a check-in's pain also decides the next day, until the next check-in


@dataclass(frozen=True)
class Context:
    start: date
    start_pain: int
    weeks_before: int  # weeks of home care before the assessment
    known_signs: frozenset[str] = frozenset()  # warning signs the assessment already triaged
    unit: str = "km"  # of the distances reported at check-ins


def day_month(d: date) -> str:
    """A date as the pages say it: "27 November"."""
    return f"{d.day} {d:%B}"


def known_signs(result: Result) -> frozenset[str]:
    """The answers behind the result's triage: signs a check-in cannot report as new (under
    their current code, for a result stored before a question was asked more precisely)."""
    codes = {code for reason in result.triage_reasons for code in reason.answers}
    return frozenset(codes | {REPLACED_BY[code] for code in codes if code in REPLACED_BY})


def improved(ctx: Context, pain: int) -> bool:
    """Settled, or a meaningful improvement from the start: 2 points or 30% (CLINICAL.md)."""
    drop = ctx.start_pain - pain
    return (
        pain <= th.SETTLED_PAIN
        or drop >= th.MEANINGFUL_DROP_POINTS
        or (drop > 0 and drop >= th.MEANINGFUL_DROP_SHARE * ctx.start_pain)
    )


BETTER, SAME, WORSE = "better", "same", "worse"


def pain_change(start: int, latest: int) -> str:
    """Pain from the start to a check-in: BETTER for a meaningful improvement (2 points or 30%
    down, CLINICAL.md), WORSE when up by PAIN_RISE_REST or more (the rise that makes a rest day),
    SAME in between."""
    drop = start - latest
    if drop >= th.MEANINGFUL_DROP_POINTS or (drop > 0 and drop >= th.MEANINGFUL_DROP_SHARE * start):
        return BETTER
    if -drop >= th.PAIN_RISE_REST:
        return WORSE
    return SAME


def _weeks_of_care(ctx: Context, on: date) -> float:
    return ctx.weeks_before + (on - ctx.start).days / 7


def _sign_words(codes: Iterable[str]) -> str:
    return "; ".join(label_of(c).rstrip(".").lower() for c in codes)


def weekly_distance(history: Sequence[CheckInSpec], ending: date) -> float:
    """The distance run in the 7 days up to `ending`, from the check-ins."""
    return sum(c.distance or 0 for c in history if ending - timedelta(days=6) <= c.day <= ending)


# Rules on the check-ins so far (oldest first, at least one). Each gives its reasons, or
# nothing when it does not hold. "Lasting" rules hold from the day they first held to the
# end of the plan; the others hold on the day of the check-in and the next (CARRY_DAYS).
@dataclass(frozen=True)
class CheckInRule:
    code: str
    level: Level
    lasting: bool
    title: str
    text: str
    reasons: Callable[[Sequence[CheckInSpec], Context], list[str]]
    holds_dosage: bool = False  # a rest day for pain: next week's dosage stays as it was


def _new_warning_sign(history, ctx):
    # A sign the assessment already triaged (say, night pain behind an urgent result) is not new.
    return [
        f"at your check-in on {day_month(c.day)} you reported: {_sign_words(new)}"
        for c in history
        if (new := [code for code in c.warning_signs if code not in ctx.known_signs])
    ][-1:]


def _pain_high(history, ctx):
    c = history[-1]
    if c.pain >= th.FLARE_PAIN:
        return [f"your pain was {c.pain}/10 at your check-in on {day_month(c.day)}"]
    return []


def _pain_up(history, ctx):
    c = history[-1]
    if c.pain - ctx.start_pain >= th.PAIN_RISE_REST:
        return [f"your pain rose from {ctx.start_pain}/10 at the start to {c.pain}/10 on {day_month(c.day)}"]
    return []


def _painful_runs(history, ctx):
    runs = [c for c in history if c.run != NO_RUN]
    if len(runs) >= 2 and history[-1] is runs[-1] and all(c.run in PAINFUL_RUN for c in runs[-2:]):
        return [f"your back hurt with your runs on {day_month(runs[-2].day)} and {day_month(runs[-1].day)}"]
    return []


def _worse_than_start(history, ctx):
    # One bad day (pain up 2) is a rest day (see _pain_up); worse at 2 of the latest 3
    # check-ins is a trend that needs a professional's look. Pain that has settled is never
    # "worse", even from a start of 0 (prevention).
    latest = history[-th.WORSE_OF :]
    worse = [c for c in latest if c.pain > max(ctx.start_pain, th.SETTLED_PAIN)]
    if len(worse) >= th.WORSE_AT and history[-1] in worse:
        readings = ", ".join(f"{c.pain}/10" for c in latest)
        return [
            f"your pain was higher than at the start ({ctx.start_pain}/10) at {len(worse)} of your last "
            f"{len(latest)} check-ins ({readings})"
        ]
    return []


def _not_improving_for(weeks: int):
    def rule(history, ctx):
        c = history[-1]
        care = _weeks_of_care(ctx, c.day)
        if care >= weeks and not improved(ctx, c.pain):
            return [
                f"after about {math.floor(care)} weeks of home care your pain is {c.pain}/10, "
                f"against {ctx.start_pain}/10 at the start: less than a {th.MEANINGFUL_DROP_POINTS}-point "
                f"(or {round(100 * th.MEANINGFUL_DROP_SHARE)}%) improvement"
            ]
        return []

    return rule


def _load_jump(history, ctx):
    # The questionnaire's load rule, measured: the last 7 days against the 7 days two weeks
    # earlier, from the distances reported at check-ins (CLINICAL.md, "Runners").
    c = history[-1]
    earlier = c.day - timedelta(days=14)
    if not c.distance or earlier - timedelta(days=6) < ctx.start:
        return []  # only whole weeks of the plan compare
    now, before = weekly_distance(history, c.day), weekly_distance(history, earlier)
    if before <= 0 or now <= before * (1 + th.LOAD_JUMP_SHARE):
        return []
    more, limit = round(100 * (now / before - 1)), round(100 * th.LOAD_JUMP_SHARE)
    return [
        f"your check-ins add up to {now:g} {ctx.unit} in the 7 days to {day_month(c.day)}, against {before:g} "
        f"{ctx.unit} two weeks earlier: {more}% more (over {limit}%)"
    ]


CHECK_IN_RULES: tuple[CheckInRule, ...] = (
    # Any warning sign re-triages at once (CLINICAL.md): the plan stops.
    CheckInRule(
        "new_warning_sign",
        Level.EMERGENCY,
        True,
        "Stop the exercises and get medical help now",
        WHEN_TO_ACT[Tier.EMERGENCY],
        _new_warning_sign,
    ),
    CheckInRule(
        "worse_than_start",
        Level.SEE_PROFESSIONAL,
        True,
        "Book an appointment with a professional",
        WHEN_TO_ACT[Tier.ROUTINE] + " Until then, the plan keeps to gentle movement.",
        _worse_than_start,
    ),
    CheckInRule(
        "not_improving",
        Level.SEE_PROFESSIONAL,
        True,
        "Book an appointment with a professional",
        WHEN_TO_ACT[Tier.ROUTINE] + " Until then, the plan keeps to gentle movement.",
        _not_improving_for(th.SEE_PROFESSIONAL_WEEKS),
    ),
    CheckInRule("pain_high", Level.REST, False, "Today is a rest day", REST_ACTIVITY, _pain_high, holds_dosage=True),
    CheckInRule("pain_up", Level.REST, False, "Today is a rest day", REST_ACTIVITY, _pain_up, holds_dosage=True),
    CheckInRule(
        "painful_runs",
        Level.REST,
        False,
        "Rest today and run less next week",
        CUT_RUNNING,
        _painful_runs,
        holds_dosage=True,
    ),  # fmt: skip
    # A jump in running load holds the running, not the exercises.
    CheckInRule("load_jump", Level.REST, False, "Rest today and hold your weekly distance", HOLD_VOLUME, _load_jump),
    CheckInRule(
        "suggest_physio",
        Level.ADVICE,
        True,
        "Consider seeing a physiotherapist",
        "Your pain has not clearly improved yet. A physiotherapist can check what is going on and adjust "
        "your exercises; keep going with the plan meanwhile.",
        _not_improving_for(th.SUGGEST_PHYSIO_WEEKS),
    ),
)
HOLDS_DOSAGE = frozenset(rule.code for rule in CHECK_IN_RULES if rule.holds_dosage)


# --- Step 1: the events from the check-ins ---------------------------------------------------


def check_in_history(check_ins: Iterable[CheckInSpec], start: date, today: date) -> list[CheckInSpec]:
    """The check-ins that count, oldest first: one a day, from the start to today."""
    return sorted({c.day: c for c in check_ins if start <= c.day <= today}.values(), key=lambda c: c.day)


@dataclass
class Events:
    """What the check-ins raised: every notice; each lasting rule from the day it first held; each
    passing rule on the day it held."""

    notices: list[Notice] = field(default_factory=list)
    lasting: dict[str, tuple[date, list[str]]] = field(default_factory=dict)
    passing: dict[date, list[tuple[CheckInRule, list[str]]]] = field(default_factory=dict)

    def raised_on(self, d: date, level: Level) -> list[list[str]]:
        """The reasons of each lasting rule of `level` that holds on day d (in the rule table's order)."""
        held = [self.lasting.get(rule.code) for rule in CHECK_IN_RULES if rule.level == level and rule.lasting]
        return [reasons for since, reasons in filter(None, held) if since <= d]


def check_in_events(history: Sequence[CheckInSpec], ctx: Context, result_tier: Tier) -> Events:
    """Each rule on the history up to each check-in: the notices, and when each rule held.

    "Consider a physio" is only worth saying while the plan is not limited already (by the
    result or by a check-in)."""
    events = Events()
    for i, c in enumerate(history):
        for rule in CHECK_IN_RULES:
            if rule.lasting and rule.code in events.lasting:
                continue
            reasons = rule.reasons(history[: i + 1], ctx)
            if not reasons:
                continue
            if rule.lasting:
                events.lasting[rule.code] = (c.day, reasons)
            else:
                events.passing.setdefault(c.day, []).append((rule, reasons))
            events.notices.append(
                Notice(day=c.day, code=rule.code, level=rule.level, title=rule.title, text=rule.text, reasons=reasons)
            )
    limited = result_tier != Tier.SELF_CARE or any(
        rule.code in events.lasting for rule in CHECK_IN_RULES if rule.level == Level.SEE_PROFESSIONAL
    )
    if limited:
        events.notices = [n for n in events.notices if n.code != "suggest_physio"]
    return events


# --- Choosing exercises -----------------------------------------------------------------------


def allowed(e: ExerciseSpec, flags: Iterable[str]) -> bool:
    """An exercise is allowed when none of its cautions matches a flag."""
    return not set(e.cautions) & set(flags)


def unsafe_cautions(e: ExerciseSpec, flags: Iterable[str], tailoring: Tailoring | None = None) -> frozenset[str]:
    """The exercise's cautions that match the flags, less those a clinician's override reason covers
    (an exercise the clinic added, with a reason recorded): empty when the exercise may be done."""
    covered = tailoring.covers.get(e.slug, frozenset()) if tailoring and e.slug in tailoring.added else frozenset()
    return frozenset(set(e.cautions) & set(flags)) - covered


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


def focus_of(result: Result) -> list[tuple[str, str, int | None]]:
    """The imbalances the routine is for: the strongest possible ones, or a general routine."""
    top = [(i.code, i.label, i.score) for i in result.imbalances if i.score >= POSSIBLE]
    if top:
        return top[:TOP_COVERED]
    return [(code, CATALOGUE_BY_CODE[code].label, None) for code in GENERAL_FOCUS]


def _why(code: str, label: str, score: int | None) -> str:
    if score is None:
        return f"part of a general routine for runners ({label.lower()}): your answers point at no clear imbalance"
    # Worded for pain and for prevention alike.
    return f"for {label.lower()}, one of the imbalances your answers point at most ({score} out of 100)"


def variant_links(library: Sequence[ExerciseSpec]) -> tuple[dict[str, str], dict[str, str]]:
    """(easier, harder) version of each exercise, by slug, from the links of either side: a
    clinician may set only one side in the admin. A link to itself or to no exercise is none."""
    slugs = {e.slug for e in library}
    easier: dict[str, str] = {}
    harder: dict[str, str] = {}
    for e in library:  # each exercise's own links first...
        if e.easier in slugs and e.easier != e.slug:
            easier[e.slug] = e.easier
        if e.harder in slugs and e.harder != e.slug:
            harder[e.slug] = e.harder
    for e in library:  # ...then what the other side says
        if e.slug in easier:
            harder.setdefault(easier[e.slug], e.slug)
        if e.slug in harder:
            easier.setdefault(harder[e.slug], e.slug)
    return easier, harder


GENTLE_WHY = "gentle movement that keeps you active until a professional has checked your back"
MIN_GENTLE_EXERCISES = 2  # a gentle day is never empty: topped up with the library's gentle options


class RoutinePicker:
    """Chooses a training day's routine for these flags, in phases (the methods, in order):

    1. `cover_focus`: one exercise for each focus imbalance, strongest first, on the side it asks
       for first (a stretch or a strength exercise);
    2. `balance_sides`: the other side for each focus imbalance, within the time budget;
    3. `fill_to_minimum`: up to the minimum count and time, the less represented side first;
    4. `top_up_gentle`: a gentle routine is never empty (gentle mobility the library marks safe).

    Only the easiest version of an exercise that the flags allow is chosen: a harder variant comes
    with the weeks (`entry_for`), never on day 1. Never two versions of one exercise; the top of the
    time budget is checked at the plan's peak dosage (week 4).
    """

    def __init__(
        self,
        result: Result,
        library: Sequence[ExerciseSpec],
        flags: frozenset[str],
        gentle: bool,
        left_out: frozenset[str] = frozenset(),
    ):
        self.result, self.gentle = result, gentle
        self.focus = focus_of(result)
        self.focus_codes = [code for code, _, _ in self.focus]
        self.by_slug = {e.slug: e for e in library}
        self.easier, self.harder = variant_links(library)
        self.safe = sorted(
            (e for e in library if allowed(e, flags) and (e.gentle or not gentle) and e.slug not in left_out),
            key=lambda e: e.slug,
        )
        # The entry level: an exercise whose easier version this runner may do (or the clinic left
        # out: its harder version does not take its place on day 1) is not a starting point.
        below = {e.slug for e in self.safe} | left_out
        self.pool = [
            e for e in self.safe if not e.warm_up and e.kind != ACTIVITY and self.easier.get(e.slug) not in below
        ]
        self.budget = GENTLE_MINUTES if gentle else ROUTINE_MINUTES[1]
        self.most = MAX_GENTLE_EXERCISES if gentle else MAX_EXERCISES
        warm_ups = sorted((e for e in self.safe if e.warm_up), key=lambda e: (e.minutes, e.slug))
        self.warm_up = tuple(
            Choice(e, ("gets your hips and back warm before the routine",)) for e in warm_ups[:WARM_UP_EXERCISES]
        )
        self.chosen: list[ExerciseSpec] = []
        self.why: dict[str, list[str]] = {}
        self._routine: Routine | None = None

    # --- the phases ---

    def routine(self) -> Routine:
        """The routine, its phases run once."""
        if self._routine is None:
            self._routine = self._run_phases()
        return self._routine

    def _run_phases(self) -> Routine:
        self.cover_focus()
        self.balance_sides()
        if not self.gentle:
            self.fill_to_minimum()
        else:
            self.top_up_gentle()
        easy = sorted((e for e in self.pool if e.gentle), key=lambda e: self.rank(e, None))[:EASY_DAY_EXTRAS]
        walk = next((e for e in self.safe if e.kind == ACTIVITY), None)
        return Routine(
            warm_up=self.warm_up,
            main=self.ordered(),
            easy=tuple(Choice(e, ("gentle movement that keeps you loose on an easy day",)) for e in easy),
            walk=Choice(walk, ("staying active helps back pain settle",)) if walk else None,
        )

    def cover_focus(self) -> None:
        for code, _, _ in self.focus:
            if len(self.chosen) >= self.most or any(code in e.targets for e in self.chosen):
                continue
            e = self.pick(code, FIRST_KIND[code] in LOOSENING, within_budget=False) or self.pick(code, None, False)
            if e:
                self.add(e)

    def balance_sides(self) -> None:
        for code, _, _ in self.focus:
            sides = {_loosening(e) for e in self.chosen if code in e.targets}
            for side in (True, False):
                if side not in sides and len(self.chosen) < self.most and (e := self.pick(code, side, True)):
                    self.add(e)

    def fill_to_minimum(self) -> None:
        extra = self.focus_codes + [i.code for i in self.result.imbalances if i.code not in self.focus_codes]
        extra += [code for code in GENERAL_FOCUS if code not in extra]
        while len(self.chosen) < self.most and (
            len(self.chosen) < MIN_EXERCISES or self.minutes(peak=False) < ROUTINE_MINUTES[0]
        ):
            loosening = sum(map(_loosening, self.chosen)) <= len(self.chosen) / 2
            e = next(
                (e for code in extra if (e := self.pick(code, loosening, True) or self.pick(code, None, True))), None
            )
            if e is None and len(self.chosen) < MIN_EXERCISES:
                e = self.shortest_left(loosening)  # the minimum count comes before the time budget
            if e is None:
                return
            self.add(e, rounding_out=True)

    def top_up_gentle(self) -> None:
        left = sorted(
            (e for e in self.pool if e not in self.chosen and not self.variant_of_chosen(e)),
            key=lambda e: self.rank(e, None),
        )
        for e in left[: max(0, MIN_GENTLE_EXERCISES - len(self.chosen))]:
            self.add(e, rounding_out=True)

    def ordered(self) -> tuple[Choice, ...]:
        """Strength before stretching: the stretches end the routine as a cool-down."""
        order = {MOBILITY: 0, STRENGTH: 1, STRETCH: 2}
        chosen = sorted(self.chosen, key=lambda e: (order.get(e.kind, 3), self.chosen.index(e)))
        return tuple(
            Choice(
                e,
                # Until a professional has checked, the contributors wait (the result page says so too).
                (GENTLE_WHY,) if self.gentle else tuple(self.why[e.slug]),
                tuple(code for code in self.focus_codes if code in e.targets),
            )
            for e in chosen
        )

    # --- the helpers the phases share ---

    def cost(self, e: ExerciseSpec) -> int:
        """Minutes at the plan's peak dosage, so that week 4 stays within the time budget too."""
        if self.gentle:
            return e.minutes
        harder = self.by_slug.get(self.harder.get(e.slug, ""))
        return max(dosage_at(e, HARDER_VARIANT_STEP).minutes, harder.minutes if harder else 0)

    def minutes(self, peak: bool = True) -> int:
        return sum(c.spec.minutes for c in self.warm_up) + sum(self.cost(e) if peak else e.minutes for e in self.chosen)

    def rank(self, e: ExerciseSpec, kind: str | None):
        return (
            kind is not None and e.kind != kind,
            -sum(code in e.targets for code in self.focus_codes),
            e.minutes,
            e.slug,
        )

    def family(self, e: ExerciseSpec) -> str:
        """The easiest exercise of its progression chain (easier -> harder -> ...)."""
        slug, seen = e.slug, {e.slug}
        while (easier := self.easier.get(slug)) and easier not in seen:
            slug = easier
            seen.add(slug)
        return slug

    def variant_of_chosen(self, e: ExerciseSpec) -> bool:
        """An easier or harder version of an exercise already in the routine: one of a chain is enough."""
        return self.family(e) in {self.family(c) for c in self.chosen}

    def pick(self, code: str, loosening: bool | None, within_budget: bool) -> ExerciseSpec | None:
        """The best exercise for `code` on one side of the routine (a true stretch before mobility)."""
        candidates = [
            e
            for e in self.pool
            if code in e.targets
            and e not in self.chosen
            and not self.variant_of_chosen(e)
            and (loosening is None or _loosening(e) == loosening)
            and (not within_budget or self.minutes() + self.cost(e) <= self.budget)
        ]
        kind = None if loosening is None else STRETCH if loosening else STRENGTH
        return min(candidates, key=lambda e: self.rank(e, kind), default=None)

    def shortest_left(self, loosening: bool) -> ExerciseSpec | None:
        left = [e for e in self.pool if e not in self.chosen and not self.variant_of_chosen(e)]
        return min(left, key=lambda e: (self.cost(e), _loosening(e) != loosening, e.slug), default=None)

    def add(self, e: ExerciseSpec, rounding_out: bool = False) -> None:
        self.chosen.append(e)
        why = [_why(code, label, score) for code, label, score in self.focus if code in e.targets]
        if not why and rounding_out:
            targets = [CATALOGUE_BY_CODE[t].label.lower() for t in e.targets if t in CATALOGUE_BY_CODE]
            why = [f"rounds out the routine: helps with {' and '.join(targets[:2]) or 'general fitness'}"]
        self.why[e.slug] = why


def choose_routine(
    result: Result,
    library: Sequence[ExerciseSpec],
    flags: frozenset[str],
    gentle: bool,
    left_out: frozenset[str] = frozenset(),
) -> Routine:
    """The exercises of a training day, a warm-up and the easy-day options, for these flags,
    without those the clinic left out."""
    return RoutinePicker(result, library, flags, gentle, left_out).routine()


def entry_for(
    choice: Choice,
    step: int,
    flags: frozenset[str],
    *,
    harder: ExerciseSpec | None = None,
    harder_ready: bool = False,
    taken: Iterable[str] = (),
) -> Entry:
    """An exercise at a week's dosage step. From HARDER_VARIANT_STEP, once the runner is ready
    (`harder_ready`: the easier one done and pain not up, by the check-ins), its `harder` variant,
    when the flags allow it, the routine does not already have it, and it does the same job (the
    same side of the routine, every focus imbalance the exercise is there for)."""
    e, why = choice.spec, list(choice.why)
    if step >= HARDER_VARIANT_STEP and harder_ready and harder is not None and harder.slug not in taken:
        same_job = _loosening(harder) == _loosening(e) and set(choice.covers) <= set(harder.targets)
        if allowed(harder, flags) and not harder.warm_up and same_job:
            why = why + [f"week 4: the harder version of “{e.name}”, as you have built up to it"]
            return Entry.of(harder, dosage_at(harder, 0), why, variant="harder")
    return Entry.of(e, dosage_at(e, step), why)


# --- Step 2: the plan's state, flags and rest reasons on a day ---------------------------------


@dataclass(frozen=True)
class State:
    status: PlanStatus
    tier: Tier
    reasons: list[str]


def flare_in(ctx: Context, check_in: CheckInSpec) -> bool:
    """A check-in that shows a flare-up: high pain, pain well up from the start, or a painful run."""
    return (
        check_in.pain >= th.FLARE_PAIN
        or check_in.pain - ctx.start_pain >= th.PAIN_RISE_REST
        or check_in.run in PAINFUL_RUN
    )


@dataclass
class PlanDays:
    """What decides each day: the result, the check-ins and the events they raised."""

    result: Result
    ctx: Context
    history: list[CheckInSpec]
    events: Events
    adjustments: Sequence[AdjustmentSpec] = ()
    tailored_by: str = ""

    def tailoring_on(self, d: date) -> Tailoring:
        """The clinic's adjustments in force on day d."""
        return tailoring_on(self.adjustments, d, self.tailored_by)

    def latest_on(self, d: date) -> CheckInSpec | None:
        earlier = [c for c in self.history if c.day <= d]
        return earlier[-1] if earlier else None

    def state_on(self, d: date) -> State:
        """Stopped by an emergency (at the assessment or a check-in), gentle while a professional
        should look (the result's tier, or a check-in's), else the full plan."""
        triage_reasons = [r.text for r in self.result.triage_reasons]
        if self.result.tier == Tier.EMERGENCY:
            return State(STOPPED, Tier.EMERGENCY, triage_reasons)
        if stopped := self.events.raised_on(d, Level.EMERGENCY):
            return State(STOPPED, Tier.EMERGENCY, stopped[0])
        if self.result.tier in (Tier.URGENT, Tier.ROUTINE):
            return State(GENTLE, self.result.tier, triage_reasons)
        if held := self.events.raised_on(d, Level.SEE_PROFESSIONAL):
            return State(GENTLE, Tier.ROUTINE, [reason for reasons in held for reason in reasons])
        return State(FULL, Tier.SELF_CARE, [])

    def flags_on(self, d: date) -> frozenset[str]:
        """The result's caution flags, with a flare-up by the latest check-in (for its day and the
        next) or, before any check-in, by the assessment."""
        latest = self.latest_on(d)
        if latest is None:
            flare = ACUTE_FLARE in self.result.flag_codes
        else:
            flare = (d - latest.day).days <= CARRY_DAYS and flare_in(self.ctx, latest)
        return frozenset(self.result.flag_codes - {ACUTE_FLARE} | ({ACUTE_FLARE} if flare else set()))

    def rest_reasons(self, d: date, number: int) -> list[str]:
        """Why day d is a rest day: the result's reasons on day 1, a check-in's on its day and the
        next (unless a later check-in came in between)."""
        reasons = [r.text for r in self.result.rest_day_reasons] if number == 1 and self.result.rest_day else []
        for offset in range(CARRY_DAYS + 1):
            for rule, why in self.events.passing.get(d - timedelta(days=offset), []):
                if rule.level == Level.REST and (offset == 0 or self.latest_on(d).day == d - timedelta(days=offset)):
                    reasons += why
        return list(dict.fromkeys(reasons))

    def harder_waits(self, week_start: date) -> str:
        """Why the harder variants wait ("" when the runner is ready for them): with no check-ins
        they come in the week the plan names; with check-ins, once one says the whole routine was
        done and while the latest pain is not above the start."""
        before = [c for c in self.history if c.day < week_start]
        if before and not any(c.routine_done == DONE_ALL for c in before):
            return "The harder versions wait until a check-in says you did the whole routine."
        if before and before[-1].pain > self.ctx.start_pain:
            return (
                f"The harder versions wait: your pain at your last check-in ({before[-1].pain}/10) "
                f"was above the start ({self.ctx.start_pain}/10)."
            )
        return ""

    def harder_ready(self, week_start: date) -> bool:
        return not self.harder_waits(week_start)


# --- Step 3: the week's progression --------------------------------------------------------------


def week_steps(history: Sequence[CheckInSpec], notices: Sequence[Notice], start: date) -> list[tuple[int, str]]:
    """Each week's dosage step, with why it was held: one up each week, unless last week's
    check-ins finished the routine less than half the time, or had a rest day for pain."""
    steps: list[tuple[int, str]] = []
    step = 0
    for w in range(PROGRAM_WEEKS):
        week_start = start + timedelta(days=w * DAYS_PER_WEEK)
        last_start = week_start - timedelta(days=DAYS_PER_WEEK)
        last_week = [c for c in history if last_start <= c.day < week_start]
        unfinished = [c for c in last_week if c.routine_done != DONE_ALL]
        rests = [n for n in notices if n.code in HOLDS_DOSAGE and last_start <= n.day < week_start]
        note = ""
        if w == 0:
            steps.append((step, note))
            continue
        if last_week and len(unfinished) * 2 > len(last_week):
            note = (
                f"The dosage stays as last week's: you finished the routine on {len(last_week) - len(unfinished)} "
                f"of your {len(last_week)} check-ins last week."
            )
        elif rests:
            note = "The dosage stays as last week's: last week had a rest day for pain."
        else:
            step += 1
        steps.append((step, note))
    return steps


# --- Step 4: the days ------------------------------------------------------------------------------


@dataclass
class DayMaker:
    """Makes each day from the plan's state on it, with the routine its flags allow."""

    plan: PlanDays
    library: Sequence[ExerciseSpec]
    by_slug: dict[str, ExerciseSpec] = field(init=False)
    harder: dict[str, str] = field(init=False)  # each exercise's harder version, by slug
    routines: dict[tuple[frozenset[str], bool, frozenset[str]], Routine] = field(default_factory=dict, init=False)

    def __post_init__(self):
        self.by_slug = {e.slug: e for e in self.library}
        self.harder = variant_links(self.library)[1]

    def routine_for(self, flags: frozenset[str], gentle: bool, left_out: frozenset[str] = frozenset()) -> Routine:
        """The builder's routine for these flags, without the exercises the clinic left out."""
        key = (flags, gentle, left_out)
        if key not in self.routines:
            self.routines[key] = choose_routine(self.plan.result, self.library, flags, gentle, left_out)
        return self.routines[key]

    def day(self, number: int, d: date, week: int, step: int, state: State | None = None) -> Day:
        """Day d: stopped by an emergency (whatever the clinic changed), paused by the clinic, a
        rest, easy, gentle or training day, with the clinic's adjustments of that day."""
        state = state or self.plan.state_on(d)
        where = {"number": number, "date": d, "week": week}
        if state.status == STOPPED:
            return Day.stopped(**where, reasons=state.reasons)
        tailoring = self.plan.tailoring_on(d)
        if tailoring.paused:
            return Day.paused(**where, by=tailoring.by)
        flags = self.plan.flags_on(d)
        gentle = state.status == GENTLE
        routine = self.routine_for(flags, gentle, tailoring.left_out)

        def at(entries: list[Entry]) -> list[Entry]:
            return [self.clinic_dosage(e, tailoring, gentle) for e in entries]

        # The walk is an easy day's, a rest day's and a gentle day's: the lower dosage, as their options.
        walk = [self.clinic_dosage(entry_for(routine.walk, 0, flags), tailoring, True)] if routine.walk else []
        warm_up = at([entry_for(c, 0, flags) for c in routine.warm_up])
        if rest_reasons := self.plan.rest_reasons(d, number):
            return Day.rest(**where, options=walk + self.easy_options(routine, flags, tailoring), reasons=rest_reasons)
        if WEEK_PATTERN[(number - 1) % DAYS_PER_WEEK] == EASY:
            return Day.easy(**where, options=walk + self.easy_options(routine, flags, tailoring))
        if gentle:
            main = at([entry_for(c, 0, flags) for c in routine.main])
            added = self.added(tailoring, flags, gentle, 0, walk + warm_up + main)
            return Day.gentle(**where, warm_up=warm_up, exercises=walk + main + added, reasons=state.reasons)
        ready = self.plan.harder_ready(self.plan.ctx.start + timedelta(days=(week - 1) * DAYS_PER_WEEK))
        taken = {c.spec.slug for c in routine.main} | tailoring.left_out | set(tailoring.added)
        main = at(
            [
                # A dosage of the clinic's is for this exercise: no harder version replaces it.
                entry_for(c, step, flags, harder=None if c.spec.slug in tailoring.dosages else self.harder_of(c),
                          harder_ready=ready, taken=taken)
                for c in routine.main
            ]
        )  # fmt: skip
        added = self.added(tailoring, flags, gentle, step, warm_up + main)
        return Day.training(**where, warm_up=warm_up, exercises=main + added, flare=ACUTE_FLARE in flags)

    def easy_options(self, routine: Routine, flags: frozenset[str], tailoring: Tailoring) -> list[Entry]:
        return [self.clinic_dosage(entry_for(c, 0, flags), tailoring, True) for c in routine.easy]

    def clinic_dosage(self, entry: Entry, tailoring: Tailoring, gentle: bool = False) -> Entry:
        """The entry at the dosage the clinic set for it, if it did; on a gentle day (or an easy
        day's options) only when that is no more than the plan's own (in minutes)."""
        values = tailoring.dosages.get(entry.slug)
        if values is None:
            return entry
        dosage = clinic_dosage(self.by_slug[entry.slug], values)
        if gentle and dosage.minutes > entry.dosage.minutes:
            return entry
        return replace(
            entry,
            dosage=dosage,
            dosage_text=dosage.text,
            why=[*entry.why, f"dosage set by {tailoring.by or 'your clinic'}"],
        )

    def added(
        self, tailoring: Tailoring, flags: frozenset[str], gentle: bool, step: int, present: list[Entry]
    ) -> list[Entry]:
        """The exercises the clinic added, where the day allows them: the triage (gentle ones only
        while the plan is gentle) and the cautions still apply. One whose cautions match today's
        flags is left out for the day unless the clinician recorded why it is safe for them."""
        have = {e.slug for e in present}
        entries = []
        for slug in tailoring.added:
            e = self.by_slug.get(slug)
            if e is None or slug in have or unsafe_cautions(e, flags, tailoring) or (gentle and not e.gentle):
                continue
            why = f"added by {tailoring.by or 'your clinic'}"
            if checked := set(e.cautions) & tailoring.covers.get(slug, frozenset()):
                words = "; ".join(CAUTION_WORDS[code] for code in sorted(checked) if code in CAUTION_WORDS)
                why += f", who checked that it suits you despite its caution ({words})"
            entry = Entry.of(e, dosage_at(e, step), [why], variant="added")
            entries.append(self.clinic_dosage(entry, tailoring, gentle))
        return entries

    def harder_of(self, choice: Choice) -> ExerciseSpec | None:
        return self.by_slug.get(self.harder.get(choice.spec.slug, ""))


# --- Building the plan ---------------------------------------------------------------------------


def build_program(
    result: Result,
    library: Sequence[ExerciseSpec],
    start: date,
    check_ins: Sequence[CheckInSpec] = (),
    *,
    start_pain: int,
    weeks_before: int = 0,
    today: date | None = None,
    unit: str = "km",
    adjustments: Sequence[AdjustmentSpec] = (),
    tailored_by: str = "",
) -> Program:
    """Build the 4-week programme for a result.

    `library` is the exercise library, `start` the day of the assessment (day 1),
    `check_ins` the runner's check-ins, `start_pain` the pain (0-10) at the assessment,
    `weeks_before` the weeks of home care before it and `unit` that of the distances at
    check-ins. Check-ins after `today` (or before the start) are ignored. `adjustments` are
    the clinic's changes (`tailored_by`, its name), oldest first; each holds from its day on,
    within the same safety rules. Deterministic: the same inputs give the same plan.
    """
    today = today or start
    ctx = Context(start, start_pain, weeks_before, known_signs(result), unit)
    history = check_in_history(check_ins, start, today)
    events = check_in_events(history, ctx, result.tier)
    plan = PlanDays(result, ctx, history, events, adjustments, tailored_by)
    maker = DayMaker(plan, library)
    weeks = [
        plan_week(maker, w + 1, step, note) for w, (step, note) in enumerate(week_steps(history, events.notices, start))
    ]
    state, flags, tailoring = plan.state_on(today), plan.flags_on(today), plan.tailoring_on(today)
    today_day = next((day for week in weeks for day in week.days if day.date == today), None)
    finished = today_day is None and today > start
    if finished:
        # After the 4 weeks: the last week's routine goes on, under the same rules (rest days,
        # gentle only, stop), so that what the check-ins say still shows on the day.
        today_day = maker.day((today - start).days + 1, today, PROGRAM_WEEKS, weeks[-1].step, state)
    return Program(
        status=state.status,
        as_of=today,
        tier=state.tier,
        # The result's own words when the plan keeps its tier (a pregnancy sign: maternity care first).
        when_to_act=(result.when_to_act or WHEN_TO_ACT[state.tier])
        if state.tier == result.tier
        else WHEN_TO_ACT[state.tier],
        reasons=state.reasons,
        start=start,
        today=today_day,
        weeks=[] if result.tier == Tier.EMERGENCY else weeks,
        focus=plan_focus(result, maker, state, flags, tailoring),
        notices=events.notices,
        flags=sorted(flags),
        exercises=instructions(weeks, today_day, today, state, flags, maker.by_slug, tailoring),
        advice=[] if state.status == STOPPED else list(result.advice),
        finished=finished,
        tailoring=tailoring,
    )


@dataclass(frozen=True)
class Now:
    """The plan's state on a day without its exercises: what the clinicians' queue keeps."""

    status: PlanStatus
    rest_until: date | None  # the last of the rest days that include the day; None: no rest day


def plan_now(
    result: Result,
    start: date,
    check_ins: Sequence[CheckInSpec] = (),
    *,
    start_pain: int,
    weeks_before: int = 0,
    today: date,
    unit: str = "km",
) -> Now:
    """The state and rest days of `build_program(...)` on `today`, from the same rules, without
    choosing a single exercise (cheap enough to run at every check-in and for a million seeded
    assessments). Only a check-in changes it: a rest day it sets has its last day here."""
    ctx = Context(start, start_pain, weeks_before, known_signs(result), unit)
    history = check_in_history(check_ins, start, today)
    plan = PlanDays(result, ctx, history, check_in_events(history, ctx, result.tier))
    state = plan.state_on(today)
    rest_until = None
    if state.status != STOPPED:
        day = today
        while day <= today + timedelta(days=CARRY_DAYS) and plan.rest_reasons(day, (day - start).days + 1):
            rest_until, day = day, day + timedelta(days=1)
    return Now(state.status, rest_until)


def plan_week(maker: DayMaker, number: int, step: int, note: str) -> Week:
    """A week of days at its dosage step; in the week of the harder variants, why they wait, if they do."""
    start = maker.plan.ctx.start + timedelta(days=(number - 1) * DAYS_PER_WEEK)
    days = [
        maker.day((number - 1) * DAYS_PER_WEEK + i + 1, start + timedelta(days=i), number, step)
        for i in range(DAYS_PER_WEEK)
    ]
    if not note and step >= HARDER_VARIANT_STEP and any(d.kind == DayKind.TRAINING for d in days):
        note = maker.plan.harder_waits(start)
    return Week(number, days, step, note)


def plan_focus(
    result: Result, maker: DayMaker, state: State, flags: frozenset[str], tailoring: Tailoring
) -> list[Focus]:
    """The imbalances the routine is for, each said to be covered or not (by today's flags)."""
    base = maker.routine_for(flags - {ACUTE_FLARE}, state.status == GENTLE, tailoring.left_out)
    covered = {code for e in base.main for code in e.spec.targets}
    return [Focus(code, label, score, code in covered) for code, label, score in focus_of(result)]


def instructions(
    weeks: Sequence[Week],
    today_day: Day | None,
    today: date,
    state: State,
    flags: frozenset[str],
    by_slug: dict[str, ExerciseSpec],
    tailoring: Tailoring,
) -> list[ExerciseSpec]:
    """The exercises whose instructions the pages show: those still to come that the runner's
    state today allows (the clinic's additions with their recorded overrides)."""
    to_come = [day for week in weeks for day in week.days if day.date > today] + ([today_day] if today_day else [])
    used = {
        e.slug
        for day in to_come
        for e in day.warm_up + day.exercises
        if not unsafe_cautions(by_slug[e.slug], flags, tailoring) and (state.status == FULL or by_slug[e.slug].gentle)
    }
    return sorted((by_slug[s] for s in used), key=lambda e: e.name)
