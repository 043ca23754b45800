"""A clinician tailors a runner's plan (the review page's "Tailor the plan"): what the page
shows, and each change saved as a PlanAdjustment, the plan's log. The builder applies them
within its safety rules (programs.builder: `tailoring_on`, `DayMaker.added`)."""

from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone

from assessments.models import Assessment
from assessments.scoring import ACUTE_FLARE, CAUTION_WORDS, EMERGENCY
from programs import builder
from programs.models import PlanAdjustment, library_specs, library_version, plan_inputs, program_for, tailoring_inputs
from programs.presenters import KIND_WORDS, adjustment_words

RESET_DOSAGE = "reset_dosage"  # the form's action for "back to the plan's dosage" (a DOSAGE without one)


def change_log(assessment) -> list[dict]:
    """Every change the clinic made to the plan, newest first, with who and when."""
    return [
        {"at": a.at, "who": a.username, "what": adjustment_words(a)} for a in reversed(assessment.adjustments.all())
    ]


def caution_words(codes) -> str:
    return "; ".join(CAUTION_WORDS.get(code, code) for code in sorted(codes))


@dataclass
class TailorPlan:
    """One runner's plan as the tailoring page works on it: today's plan with the clinic's
    adjustments, the exercises this runner's plan may use (the shared library and the clinic's own)."""

    assessment: Assessment

    @cached_property
    def library(self) -> list[builder.ExerciseSpec]:
        return library_specs(library_version(), self.assessment.clinic_id)

    @cached_property
    def by_slug(self) -> dict[str, builder.ExerciseSpec]:
        return {e.slug: e for e in self.library}

    def __post_init__(self):
        # The clinic's changes, read once: for the plan, the plan without its pause, and the log.
        prefetch_related_objects([self.assessment], "adjustments")

    @cached_property
    def check_ins(self) -> list:
        return list(self.assessment.check_ins.all())

    @cached_property
    def program(self) -> builder.Program:
        return program_for(self.assessment, self.check_ins, self.library)

    @property
    def tailoring(self) -> builder.Tailoring:
        return self.program.tailoring

    @property
    def refusal(self) -> str:
        """Why this plan cannot be tailored ("" when it can)."""
        if self.assessment.triage == EMERGENCY:
            return "There is no plan to tailor: the result was an emergency."
        if self.assessment.clinic_id is None:
            return (
                "The runner started from the home page, not from a clinic's invite link: no clinic tailors their plan."
            )
        return ""

    @cached_property
    def unpaused(self) -> builder.Program:
        """The plan as it would be without the pause: what a paused plan's tailoring works on."""
        if not self.tailoring.paused:
            return self.program
        inputs = plan_inputs(self.assessment, self.check_ins) | tailoring_inputs(self.assessment)
        inputs["adjustments"] = [
            a for a in inputs["adjustments"] if a.action not in (builder.Adjust.PAUSE, builder.Adjust.RESUME)
        ]
        return builder.build_program(library=self.library, today=self.program.as_of, **inputs)

    @cached_property
    def in_plan(self) -> list[str]:
        """The exercises of the plan from today on, as built (the builder's and the clinic's; of a
        paused plan, as it will be when it resumes)."""
        program = self.unpaused
        days = [d for d in program.days if d.date >= program.as_of] or program.days
        if program.today and program.today not in days:
            days.append(program.today)
        slugs = dict.fromkeys(e.slug for d in days for e in d.warm_up + d.exercises)
        slugs.update(dict.fromkeys(self.tailoring.added))
        return [s for s in slugs if s in self.by_slug]

    def dosage_now(self, slug: str) -> builder.Dosage | None:
        """The exercise's dosage today, or on its next day in the plan (None: on no day from today)."""
        program = self.unpaused
        for day in [program.today, *(d for d in program.days if d.date > program.as_of)]:
            for e in (day.warm_up + day.exercises) if day else ():
                if e.slug == slug:
                    return e.dosage
        values = self.tailoring.dosages.get(slug)
        return builder.clinic_dosage(self.by_slug[slug], values) if values else None

    def dosage_values(self, slug: str) -> dict:
        """What the dosage form starts from: the clinic's dosage, or the plan's own now."""
        if values := self.tailoring.dosages.get(slug):
            names = ("sets", "reps", "hold_seconds", "minutes")
            return {k: v for k, v in zip(names, values, strict=True) if v is not None}
        dosage = self.dosage_now(slug)
        if dosage is None:
            return {}
        values = {
            "sets": dosage.sets,
            "reps": dosage.reps,
            "hold_seconds": dosage.hold_seconds,
            "minutes": dosage.minutes,
        }
        return {k: v for k, v in values.items() if v is not None}

    def rows(self, sent: dict | None = None) -> list[dict]:
        """Each exercise of the plan, then those left out: what it is, its dosage, what the clinic
        changed. `sent`: dosage values just sent and refused, by slug, shown again."""
        t = self.tailoring
        rows = []
        for slug in [*self.in_plan, *sorted(t.left_out - set(self.in_plan))]:
            e = self.by_slug.get(slug)
            if e is None:
                continue
            left_out = slug in t.left_out
            waits = []
            if slug in t.added:
                if unsafe := builder.unsafe_cautions(e, self.program.flags, t):
                    waits.append(f"left out while the runner has: {caution_words(unsafe)}")
                if self.program.status == builder.GENTLE and not e.gentle:
                    waits.append("waits while the plan is gentle only (not a gentle exercise)")
            rows.append(
                {
                    "slug": slug,
                    "name": e.name,
                    "kind": KIND_WORDS.get(e.kind, e.kind),
                    "left_out": left_out,
                    "added": slug in t.added,
                    "override": caution_words(t.covers.get(slug, ())) if slug in t.added else "",
                    "dosage": ""
                    if left_out
                    else getattr(self.dosage_now(slug), "text", "on no day of the plan from today"),
                    "clinic_dosage": slug in t.dosages,
                    "waits": waits,
                    "sent": slug in (sent or {}),
                    "fields": dosage_fields(e, (sent or {}).get(slug) or self.dosage_values(slug)),
                }
            )
        return rows

    def addable(self) -> list[dict]:
        """The exercises the clinician may add: not in the plan, the clinic's own first; each says
        whether it needs a reason (a caution matching the runner's flags today)."""
        t = self.tailoring
        taken = set(self.in_plan) | set(t.added) | t.left_out  # a left-out one is put back, not added
        options = []
        for e in sorted(self.library, key=lambda e: e.name):
            if e.slug in taken:
                continue
            unsafe = builder.unsafe_cautions(e, self.program.flags)
            label = f"{e.name} ({KIND_WORDS.get(e.kind, e.kind).lower()})"
            if unsafe - {ACUTE_FLARE}:
                label += f": needs a reason (caution: {caution_words(unsafe - {ACUTE_FLARE})})"
            elif unsafe:
                label += ": waits until the flare-up passes"
            options.append({"slug": e.slug, "label": label, "unsafe": bool(unsafe)})
        return options

    def history(self) -> list[dict]:
        return change_log(self.assessment)


def dosage_fields(e: builder.ExerciseSpec, values: dict) -> list[dict]:
    """The dosage fields a clinician sets for an exercise (its own form), with the library's limits
    and the values to show (the clinic's dosage, or what was just sent)."""
    limits = builder.DOSAGE_LIMITS[e.kind]
    if e.kind == builder.ACTIVITY:
        names = [("minutes", "Minutes")]
    else:
        names = [("sets", "Sets")]
        if e.reps is not None:
            names.append(("reps", "Repetitions"))
        if e.hold_seconds is not None:
            names.append(("hold_seconds", "Hold (seconds)"))
    return [
        {"name": name, "label": label, "min": limits[name][0], "max": limits[name][1], "value": values.get(name, "")}
        for name, label in names
    ]


def save_adjustment(plan: TailorPlan, user, cleaned: dict) -> tuple[PlanAdjustment, str]:
    """Record one change (the form's cleaned data) and what to tell the clinician."""
    action = cleaned["action"]
    e = plan.by_slug.get(cleaned.get("exercise") or "")
    adjustment = PlanAdjustment(
        assessment=plan.assessment,
        day=timezone.localdate(),
        user=user,
        username=user.get_username(),
        action=builder.Adjust.DOSAGE if action == RESET_DOSAGE else action,
        exercise=e.slug if e else "",
        exercise_name=e.name if e else "",
        reason=cleaned.get("reason", ""),
        overrides=sorted(cleaned.get("overrides", ())),
        note=cleaned.get("note", "") if action == builder.Adjust.NOTE else "",
    )
    if action == builder.Adjust.DOSAGE:
        for name in ("sets", "reps", "hold_seconds", "minutes"):
            setattr(adjustment, name, cleaned.get(name))
        if e.kind == builder.ACTIVITY:
            adjustment.sets = None
    with transaction.atomic():
        # Locked, so that two clinicians pausing and resuming at once leave the queue as the log says.
        Assessment.objects.select_for_update().only("pk").get(pk=plan.assessment.pk)
        adjustment.save()
        if action in (builder.Adjust.PAUSE, builder.Adjust.RESUME):
            log = [a.as_spec() for a in PlanAdjustment.objects.filter(assessment=plan.assessment)]
            paused = builder.tailoring_on(log, adjustment.day).paused
            Assessment.objects.filter(pk=plan.assessment.pk).update(plan_paused=paused)
    said = f"Saved: {adjustment_words(adjustment)}."
    if action == builder.Adjust.ADD and plan.program.status == builder.GENTLE and not e.gentle:
        said += " While the plan is gentle only, it waits: it is not a gentle exercise."
    if action == builder.Adjust.ADD and ACUTE_FLARE in builder.unsafe_cautions(e, plan.program.flags):
        said += " It waits until the runner's flare-up passes (its caution)."
    return adjustment, said
