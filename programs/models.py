"""The exercise library and the runner's daily check-ins.

The programme itself is never stored: `programs.builder.build_program` derives it
from the assessment's result, the library and the check-ins, so it always follows
the latest check-in and the latest library.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models, transaction
from django.db.models import Q
from django.utils import timezone

from assessments import scoring
from assessments.answers import WARNING_SIGNS
from assessments.models import URGENCY, Assessment
from programs import builder

IMBALANCE_CHOICES = [(i.code, i.label) for i in scoring.CATALOGUE]
LIBRARY_CACHE_SECONDS = 3600
CAUTION_CHOICES = [(code, words[:1].upper() + words[1:]) for code, words in scoring.CAUTION_WORDS.items()]


class Exercise(models.Model):
    class Kind(models.TextChoices):
        STRETCH = builder.STRETCH, "Stretch"
        STRENGTH = builder.STRENGTH, "Strength"
        MOBILITY = builder.MOBILITY, "Mobility"
        ACTIVITY = builder.ACTIVITY, "Activity"

    class Region(models.TextChoices):
        LOWER_BACK = "lower_back", "Lower back"
        HIPS = "hips", "Hips"
        BUTTOCKS = "buttocks", "Buttocks"
        THIGHS = "thighs", "Thighs"
        CALVES = "calves", "Calves and ankles"
        TRUNK = "trunk", "Trunk"
        UPPER_BACK = "upper_back", "Upper back"
        NECK = "neck", "Neck"
        WHOLE_BODY = "whole_body", "Whole body"

    class Equipment(models.TextChoices):
        NONE = "none", "No equipment"
        MAT = "mat", "Mat"
        WALL = "wall", "Wall"
        CHAIR = "chair", "Chair"
        BAND = "band", "Resistance band"
        FOAM_ROLLER = "foam_roller", "Foam roller"

    slug = models.SlugField(max_length=80, unique=True, help_text="A stable name: the library file matches on it.")
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    region = models.CharField(max_length=20, choices=Region.choices)
    targets = models.JSONField(default=list, blank=True, help_text="Imbalance codes of the scoring catalogue.")
    steps = models.TextField(help_text="One step per line, in order.")
    cues = models.TextField(blank=True, help_text="One cue per line: what it should feel like.")
    mistakes = models.TextField(blank=True, help_text="One common mistake per line.")

    # Dosage (CLINICAL.md "Dosage ranges"); the builder raises it week by week within DOSAGE_LIMITS.
    sets = models.PositiveSmallIntegerField(default=2)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    per_side = models.BooleanField(default=False, help_text="Done on the left and on the right.")
    rest_seconds = models.PositiveSmallIntegerField(default=30)
    minutes = models.PositiveSmallIntegerField(help_text="Estimated minutes for the whole dosage.")

    easier = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The easier variant."
    )
    harder = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="The harder variant."
    )
    equipment = models.JSONField(default=list, blank=True)
    cautions = models.JSONField(
        default=list, blank=True, help_text="Never chosen for a runner with one of these flags."
    )
    warm_up = models.BooleanField(default=False, help_text="Part of the short warm-up before a routine.")
    gentle = models.BooleanField(default=False, help_text="Safe in a flare-up and while waiting to see a professional.")

    # Empty: the shared library every plan draws on (library editors change it). A clinic: one of
    # the clinic's own, seen by its clinicians and offered to its runners' plans only.
    clinic = models.ForeignKey(
        "clinics.Clinic",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="exercises",
        help_text="Empty: the shared library. A clinic: only its clinicians see it and only its runners' plans use it.",
    )
    # Exercises from the library file; one a clinician changed is no longer overwritten by it.
    from_library = models.BooleanField(default=False, editable=False)
    customised = models.BooleanField(
        default=False, help_text="Changed in the admin: `load_exercises` leaves it as it is."
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        # Changing the shared library (clinic empty) takes this besides change_exercise: its
        # cautions keep unsafe exercises out of every clinic's plans (the Library editors group).
        permissions = [("edit_library", "Can change the shared exercise library")]
        constraints = [
            models.CheckConstraint(condition=Q(sets__gte=1, sets__lte=5), name="exercise_sets_range"),
            models.CheckConstraint(
                condition=Q(reps__isnull=True) | Q(hold_seconds__isnull=True), name="exercise_reps_or_hold"
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = builder.dosage_errors(self.as_spec())
        unknown = set(self.targets or ()) - {code for code, _ in IMBALANCE_CHOICES}
        if unknown:
            errors.setdefault("targets", []).append(f"Unknown imbalance codes: {', '.join(sorted(unknown))}.")
        unknown = set(self.cautions or ()) - set(scoring.CAUTION_WORDS)
        if unknown:
            errors.setdefault("cautions", []).append(f"Unknown caution tags: {', '.join(sorted(unknown))}.")
        unknown = set(self.equipment or ()) - set(self.Equipment.values)
        if unknown:
            errors.setdefault("equipment", []).append(f"Unknown equipment: {', '.join(sorted(unknown))}.")
        if not self.steps.strip():
            errors.setdefault("steps", []).append("Write at least one step.")
        for field in ("easier", "harder"):
            other = getattr(self, field)
            if other is not None and self.pk is not None and other.pk == self.pk:
                errors.setdefault(field, []).append("An exercise cannot be its own variant.")
        if self.easier_id and self.easier_id == self.harder_id:
            errors.setdefault("harder", []).append("The easier and the harder variant must differ.")
        if errors:
            raise ValidationError(errors)

    def as_spec(self) -> builder.ExerciseSpec:
        """The plain data the builder works on (variants by slug, read from the loaded objects)."""
        fields = (field.name for field in self._meta.concrete_fields if field.name != "clinic")
        values = {name: getattr(self, name) for name in fields}
        values["easier"] = self.easier.slug if self.easier_id else None
        values["harder"] = self.harder.slug if self.harder_id else None
        return builder.ExerciseSpec.from_values(values)


class ExerciseChange(models.Model):
    """A change to the exercise library made in the admin: who, when, what (each field before and
    after) and, when a caution was removed, why. Kept when the exercise or the user is deleted."""

    class Action(models.TextChoices):
        ADDED = "added", "Added"
        CHANGED = "changed", "Changed"
        DELETED = "deleted", "Deleted"

    exercise = models.ForeignKey(Exercise, on_delete=models.SET_NULL, null=True, related_name="changes")
    slug = models.SlugField(max_length=80, help_text="The exercise's slug, kept when it is deleted.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept if the user account is deleted.")
    at = models.DateTimeField(default=timezone.now, db_index=True)
    action = models.CharField(max_length=10, choices=Action.choices)
    changes = models.JSONField(default=dict, blank=True, help_text="Each changed field: [before, after].")
    reason = models.TextField(blank=True, help_text="Why: required when a caution is removed.")

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.username} {self.get_action_display().lower()} {self.slug} ({self.at:%Y-%m-%d %H:%M})"


def library_version() -> str:
    """Changes whenever an exercise is added, changed or deleted (one small query)."""
    table = connection.ops.quote_name(Exercise._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX(updated) FROM {table}")  # noqa: S608 (the model's table)
        return version_of(*cursor.fetchone())


def version_of(count: int, latest) -> str:
    """A short version from a table's size and latest change, as the database gives them (a
    datetime or its text, depending on the database): a cache key only."""
    return f"{count}-{hashlib.sha256(str(latest).encode()).hexdigest()[:16]}"


def library_specs(version: str | None = None, clinic_id: int | None = None) -> list[builder.ExerciseSpec]:
    """The library as builder input for a runner of `clinic_id` (none: started from the home
    page): the shared exercises and that clinic's own. Kept in the cache under its version, so
    that an edit in the admin (from any process) is seen at the next request."""
    version = version or library_version()

    def load():
        exercises = Exercise.objects.select_related("easier", "harder").order_by("slug")
        return [(e.clinic_id, e.as_spec()) for e in exercises]

    entries = cache.get_or_set(f"exercise-library:{version}", load, LIBRARY_CACHE_SECONDS)
    return [spec for owner, spec in entries if owner is None or owner == clinic_id]


class CheckIn(models.Model):
    class Done(models.TextChoices):
        ALL = builder.DONE_ALL, "All of it"
        SOME = builder.DONE_SOME, "Some of it"
        NONE = builder.DONE_NONE, "None of it"

    class RunPain(models.TextChoices):
        NO_RUN = builder.NO_RUN, "I did not run today"
        NONE = builder.RUN_PAIN_NONE, "I ran, with no back pain"
        DURING = builder.RUN_PAIN_DURING, "I ran, and it hurt during the run"
        AFTER = builder.RUN_PAIN_AFTER, "I ran, and it hurt after the run"

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="check_ins")
    day = models.DateField()
    pain_now = models.PositiveSmallIntegerField(validators=[MinValueValidator(0), MaxValueValidator(10)])
    routine_done = models.CharField(max_length=10, choices=Done.choices)
    run = models.CharField(max_length=10, choices=RunPain.choices, default=builder.NO_RUN)
    distance = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(200)],
        help_text="In the unit the runner chose in the questionnaire.",
    )
    warning_signs = models.JSONField(default=list, blank=True, help_text="Warning-sign codes ticked at this check-in.")
    note = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "check-in"
        ordering = ["assessment", "day"]
        # The admin's list of check-ins: its default order (newest day first) and each sortable
        # column, with the id that breaks ties in the same direction (read forwards or backwards).
        indexes = [
            models.Index(fields=["day", "id"], name="check_in_by_day"),
            models.Index(fields=["pain_now", "id"], name="check_in_by_pain"),
            models.Index(fields=["routine_done", "id"], name="check_in_by_routine_done"),
            models.Index(fields=["run", "id"], name="check_in_by_run"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "day"], name="one_check_in_per_day"),
            models.CheckConstraint(condition=Q(pain_now__lte=10), name="check_in_pain_range"),
        ]

    def __str__(self):
        return f"Check-in {self.day:%Y-%m-%d} (pain {self.pain_now}/10)"

    def clean(self):
        unknown = set(self.warning_signs or ()) - set(WARNING_SIGNS)
        if unknown:
            raise ValidationError({"warning_signs": f"Unknown warning signs: {', '.join(sorted(unknown))}."})

    def as_spec(self) -> builder.CheckInSpec:
        return builder.CheckInSpec(
            day=self.day,
            pain=self.pain_now,
            routine_done=self.routine_done,
            run=self.run,
            distance=float(self.distance) if self.distance is not None else None,
            warning_signs=tuple(self.warning_signs or ()),
        )


class Tick(models.Model):
    """An exercise of the plan the runner ticked done on a day (on the Today page).

    The ticks say how much of the day's routine was done: a check-in of that day takes its
    "routine done" from them (`builder.done_from_ticks`) instead of asking.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ticks")
    day = models.DateField()
    exercise = models.SlugField(max_length=80, help_text="The exercise's slug in the library.")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "day", "exercise"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "day", "exercise"], name="one_tick_per_exercise_and_day"),
        ]

    def __str__(self):
        return f"Done {self.day:%Y-%m-%d}: {self.exercise}"


class PlanAdjustment(models.Model):
    """A clinician's change to a runner's plan, kept as it was made: who, when and what. The plan
    follows them in order (`builder.tailoring_on`), each from its day on, so none is ever edited
    or deleted: undoing one is another change (put back, take out, resume, a new note)."""

    ACTION_WORDS = {
        builder.Adjust.LEAVE_OUT: "Left out",
        builder.Adjust.PUT_BACK: "Put back",
        builder.Adjust.ADD: "Added",
        builder.Adjust.DOSAGE: "Dosage",
        builder.Adjust.PAUSE: "Paused the plan",
        builder.Adjust.RESUME: "Resumed the plan",
        builder.Adjust.NOTE: "Note to the runner",
    }

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="adjustments")
    day = models.DateField(help_text="The change holds from this day of the plan on.")
    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    username = models.CharField(max_length=150, help_text="Kept if the user account is deleted.")
    action = models.CharField(max_length=10, choices=[(a.value, words) for a, words in ACTION_WORDS.items()])
    exercise = models.SlugField(max_length=80, blank=True, help_text="The exercise's slug.")
    exercise_name = models.CharField(max_length=80, blank=True, help_text="Kept if the exercise is deleted.")
    # A dosage of the clinic's (empty: back to the plan's own): the fields the exercise has.
    sets = models.PositiveSmallIntegerField(null=True, blank=True)
    reps = models.PositiveSmallIntegerField(null=True, blank=True)
    hold_seconds = models.PositiveSmallIntegerField(null=True, blank=True)
    minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # An added exercise whose cautions match the runner's flags: which ones, and why it is safe.
    overrides = models.JSONField(default=list, blank=True, help_text="Caution codes the reason covers.")
    reason = models.TextField(blank=True, max_length=1000)
    note = models.TextField(blank=True, max_length=500, help_text="Shown to the runner on their plan.")

    class Meta:
        verbose_name = "plan adjustment"
        ordering = ["assessment", "at", "pk"]
        indexes = [models.Index(fields=["assessment", "at", "id"], name="adjustment_by_assessment")]

    def __str__(self):
        return f"{self.username}: {self.get_action_display().lower()} {self.exercise_name} ({self.at:%Y-%m-%d})"

    def as_spec(self) -> builder.AdjustmentSpec:
        has_dosage = self.sets is not None or self.minutes is not None
        return builder.AdjustmentSpec(
            day=self.day,
            action=self.action,
            slug=self.exercise,
            dosage=(self.sets, self.reps, self.hold_seconds, self.minutes) if has_dosage else None,
            covers=tuple(self.overrides or ()),
            note=self.note,
        )


def assessment_with_plan_stamp(token: str, today) -> Assessment | None:
    """The assessment with all its plan pages change with, read in one query: its check-ins
    (how many, the latest change), today's ticks (how many, the newest: a tick is never
    changed, only added or deleted), the exercise library (`library_version`), and the clinic's
    adjustments (the newest: never changed, only added) and name.

    Written in SQL: built with the ORM's annotations the same query took longer to compose
    (about 1.5 ms) than the cached page takes to serve. The stored answers and result are left
    out (deferred): a page served from the cache does not need them.
    """
    q = connection.ops.quote_name
    check_ins, ticks, library, adjustments = (q(m._meta.db_table) for m in (CheckIn, Tick, Exercise, PlanAdjustment))
    clinics = q(Assessment._meta.get_field("clinic").related_model._meta.db_table)
    sql = f"""
        SELECT {Assessment.objects.light_columns("a")},
          (SELECT COUNT(*) FROM {check_ins} c WHERE c.assessment_id = a.id) AS check_in_count,
          (SELECT MAX(c.updated) FROM {check_ins} c WHERE c.assessment_id = a.id) AS check_in_latest,
          (SELECT COUNT(*) FROM {ticks} t WHERE t.assessment_id = a.id AND t.day = %s) AS tick_count,
          (SELECT MAX(t.id) FROM {ticks} t WHERE t.assessment_id = a.id AND t.day = %s) AS tick_latest,
          (SELECT COUNT(*) FROM {library}) AS library_count,
          (SELECT MAX(e.updated) FROM {library} e) AS library_latest,
          (SELECT MAX(p.id) FROM {adjustments} p WHERE p.assessment_id = a.id) AS adjustment_latest,
          (SELECT k.name FROM {clinics} k WHERE k.id = a.clinic_id) AS clinic_name
        FROM {q(Assessment._meta.db_table)} a WHERE a.token = %s
    """  # noqa: S608 (table and column names from the models; the values are parameters)
    return next(iter(Assessment.objects.raw(sql, [today, today, token])), None)


def plan_inputs(assessment, check_ins) -> dict:
    """What the builder needs besides the library: the result, day 1, the check-ins, the start."""
    return {
        "result": assessment.scoring_result,
        "start": timezone.localdate(assessment.created),
        "check_ins": [c.as_spec() for c in check_ins],
        # Unknown only after an emergency sign, when there is no plan to adapt.
        "start_pain": assessment.pain_now if assessment.pain_now is not None else 0,
        "weeks_before": assessment.answers.get("home_care_weeks", 0),
        "unit": assessment.answers.get("distance_unit", "km"),
    }


def tailoring_inputs(assessment) -> dict:
    """The clinic's adjustments of the plan (oldest first) and the clinic's name, for the builder."""
    name = getattr(assessment, "clinic_name", None)  # read with the plan stamp
    if name is None:
        name = assessment.clinic.name if assessment.clinic_id else ""
    return {"adjustments": [a.as_spec() for a in assessment.adjustments.all()], "tailored_by": name}


def program_for(assessment, check_ins, library, today=None):
    """The assessment's programme as of today (or the day given), with the clinic's adjustments."""
    return builder.build_program(
        library=library,
        today=today or timezone.localdate(),
        **plan_inputs(assessment, check_ins),
        **tailoring_inputs(assessment),
    )


def now_fields(assessment, check_ins: list[CheckIn], today) -> dict:
    """The runner's state now as the assessment keeps it for the queue (Assessment.latest_check_in...)."""
    latest = max(check_ins, key=lambda c: c.day, default=None)
    now = builder.plan_now(today=today, **plan_inputs(assessment, check_ins))
    return {
        "latest_check_in": latest.day if latest else None,
        "latest_pain": latest.pain_now if latest else None,
        "plan_status": now.status.value,
        "rest_until": now.rest_until,
        **check_in_counts(timezone.localdate(assessment.created), [(c.day, c.routine_done) for c in check_ins]),
    }


# The weeks of a plan that Assessment.check_in_weeks can mark (a positive small integer's bits).
COUNTED_WEEKS = 15


def check_in_counts(start, check_ins) -> dict:
    """The check-ins in numbers, as the assessment keeps them for the clinic's outcomes page:
    how many, how many with the whole or part of the routine done, and the weeks of the plan
    (from its first day, `start`) with a check-in, as bits (week 1 is bit 0). `check_ins` are
    (day, routine_done) pairs."""
    weeks = 0
    for day, _ in check_ins:
        week = (day - start).days // 7
        if 0 <= week < COUNTED_WEEKS:
            weeks |= 1 << week
    return {
        "check_ins_total": len(check_ins),
        "check_ins_done_all": sum(done == builder.DONE_ALL for _, done in check_ins),
        "check_ins_done_some": sum(done == builder.DONE_SOME for _, done in check_ins),
        "check_in_weeks": weeks,
    }


# What the clinicians' queue stores of an assessment's alert state, read under a lock at a check-in.
ALERT_FIELDS = ("urgency", "reviewed", "warning_sign_day", "plan_status")


def record_check_in(check_in: CheckIn, today=None) -> frozenset[str]:
    """After a check-in is saved (in its transaction): the new warning signs it reports (see
    record_warning_signs), and the runner's state now, which the clinicians' queue shows.

    The assessment's row is locked first, so that two check-ins saved at once (two tabs) each
    see the other: the state stored is the one all the check-ins give. A check-in that makes a
    self-care plan "gentle only, see a professional" (worse than at the start, not improving)
    puts the runner back in the queue, unreviewed, as a see-a-professional result."""
    with transaction.atomic():  # the caller's transaction, or one of its own
        return _record_check_in(check_in, today)


def _record_check_in(check_in: CheckIn, today) -> frozenset[str]:
    assessment = check_in.assessment
    locked = Assessment.objects.select_for_update().only(*ALERT_FIELDS).get(pk=assessment.pk)
    for name in ALERT_FIELDS:
        setattr(assessment, name, getattr(locked, name))
    new = record_warning_signs(check_in)
    fields = now_fields(assessment, list(assessment.check_ins.all()), today or timezone.localdate())
    raised = fields["plan_status"] == builder.GENTLE and assessment.plan_status == builder.FULL
    if raised and assessment.urgency > URGENCY[scoring.ROUTINE]:
        fields.update(urgency=URGENCY[scoring.ROUTINE], reviewed=False, reviewed_by=None, reviewed_at=None)
    Assessment.objects.filter(pk=assessment.pk).update(**fields)
    for name, value in fields.items():
        setattr(assessment, name, value)
    return new


def record_warning_signs(check_in: CheckIn) -> frozenset[str]:
    """The warning signs this check-in reports that the assessment had not already triaged.

    Any such sign stops the runner's plan (the builder's rule) and, here, sends the assessment
    back to the top of the clinicians' review queue, unreviewed, as an emergency.
    """
    assessment = check_in.assessment
    new = frozenset(check_in.warning_signs) - builder.known_signs(assessment.scoring_result)
    if new:
        day = max(filter(None, (assessment.warning_sign_day, check_in.day)))
        alert = {
            "urgency": URGENCY[scoring.EMERGENCY],
            "reviewed": False,
            "reviewed_by": None,
            "reviewed_at": None,
            "warning_sign_day": day,
        }
        Assessment.objects.filter(pk=assessment.pk).update(**alert)
        for name, value in alert.items():
            setattr(assessment, name, value)
    return new
