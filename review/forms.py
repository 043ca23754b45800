"""The admin's forms: a clinician's review, an exercise of the library, a change to a runner's plan."""

import hashlib

from django import forms

from assessments.models import Assessment
from assessments.scoring import ACUTE_FLARE, CAUTION_WORDS
from programs import builder
from programs.models import CAUTION_CHOICES, IMBALANCE_CHOICES, Exercise
from review.tailoring import RESET_DOSAGE


class ReviewForm(forms.ModelForm):
    """The review fields, and a guard so that two clinicians saving at once never lose a note."""

    seen = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Assessment
        fields = ["clinician_notes", "follow_up", "reviewed"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seen"].initial = review_stamp(self.instance)

    def clean(self):
        cleaned = super().clean()
        seen = self.data.get(self.add_prefix("seen"))
        if seen and self.instance.pk:
            # The review as stored now, locked until this save ends (the admin's change form runs
            # in a transaction), against the one this page was opened with.
            current = Assessment.objects.select_for_update().get(pk=self.instance.pk)
            if seen != review_stamp(current):
                who = f"{current.reviewed_by} saved a review" if current.reviewed_by else "the review changed"
                raise forms.ValidationError(
                    f"While you were writing, {who} (a colleague, or a check-in that raised an alert), so yours was "
                    "not saved. Your text is still in the boxes below: copy it, reload the page to see the "
                    "latest, then merge and save."
                )
        return cleaned


def review_stamp(assessment) -> str:
    fields = (assessment.clinician_notes, assessment.follow_up, assessment.reviewed, assessment.reviewed_at)
    return hashlib.sha256(repr(fields).encode()).hexdigest()[:16]


class LinesField(forms.CharField):
    """One item per line: browsers send CRLF line breaks, the library file has LF; the same
    text must not look changed (that would mark a library exercise customised)."""

    widget = forms.Textarea

    def to_python(self, value):
        text = super().to_python(value)
        return "\n".join(line.strip() for line in text.splitlines() if line.strip())


class ExerciseAdminForm(forms.ModelForm):
    """Lists stored as JSON are edited as ticked boxes, so only known codes can be saved."""

    targets = forms.MultipleChoiceField(
        choices=IMBALANCE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False, label="Targets"
    )
    equipment = forms.MultipleChoiceField(
        choices=Exercise.Equipment.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    cautions = forms.MultipleChoiceField(
        choices=CAUTION_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The builder never chooses this exercise for a runner with one of these flags.",
    )

    steps = LinesField(help_text="One step per line, in order.")
    cues = LinesField(required=False, help_text="One cue per line: what it should feel like.")
    mistakes = LinesField(required=False, help_text="One common mistake per line.")

    class Meta:
        model = Exercise
        fields = [
            "name", "slug", "clinic", "kind", "region", "targets", "equipment", "steps", "cues", "mistakes",
            "sets", "reps", "hold_seconds", "per_side", "rest_seconds", "minutes", "easier", "harder", "cautions",
            "gentle", "warm_up", "customised",
        ]  # fmt: skip

    reason = forms.CharField(
        label="Why (needed when you remove a caution)",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the change, with your name and the time.",
    )

    def removed_cautions(self) -> list[str]:
        """The cautions this save would take away (each one lets the exercise into more plans)."""
        before = set(self.initial.get("cautions") or []) if self.instance.pk else set()
        return sorted(before - set(self.cleaned_data.get("cautions") or []))

    def clean(self):
        cleaned = super().clean()
        removed = self.removed_cautions()
        if removed and not cleaned.get("reason", "").strip():
            words = "; ".join(CAUTION_WORDS.get(code, code) for code in removed)
            self.add_error(
                "reason",
                f"You are removing a caution ({words}): the plans would then offer this exercise to runners with "
                "that flag. Say why it is safe for them, or keep the caution.",
            )
        return cleaned

    def clean_equipment(self):
        equipment = self.cleaned_data["equipment"]
        if "none" in equipment and len(equipment) > 1:
            raise forms.ValidationError("'No equipment' cannot go with other equipment.")
        return equipment or ["none"]


class TailorForm(forms.Form):
    """One change to a runner's plan, from one of the tailoring page's small forms (the button
    pressed says which). Checked against the plan as it is now (`review.tailoring.TailorPlan`)."""

    action = forms.ChoiceField(choices=[(a.value, a.value) for a in builder.Adjust] + [(RESET_DOSAGE, RESET_DOSAGE)])
    exercise = forms.CharField(required=False, max_length=80, label="Exercise")
    sets = forms.IntegerField(required=False, min_value=0, max_value=1000)
    reps = forms.IntegerField(required=False, min_value=0, max_value=1000, label="Repetitions")
    hold_seconds = forms.IntegerField(required=False, min_value=0, max_value=1000, label="Hold (seconds)")
    minutes = forms.IntegerField(required=False, min_value=0, max_value=1000)
    reason = forms.CharField(required=False, max_length=1000, label="Why")
    note = forms.CharField(required=False, max_length=500, label="Note to the runner")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan

    def clean(self):
        cleaned = super().clean()
        if self.plan.refusal:
            raise forms.ValidationError(self.plan.refusal)
        if not self.errors:
            cleaned["reason"] = cleaned.get("reason", "").strip()
            getattr(self, f"check_{cleaned['action']}")(cleaned)
        return cleaned

    def chosen_exercise(self, cleaned, in_plan: bool | None = None) -> builder.ExerciseSpec:
        """The exercise the change is about; `in_plan`: it must be in the plan (True) or not (False)."""
        e = self.plan.by_slug.get(cleaned.get("exercise") or "")
        if e is None:
            raise forms.ValidationError({"exercise": "Choose an exercise of the library."})
        if in_plan is True and e.slug not in self.plan.in_plan:
            raise forms.ValidationError({"exercise": f"“{e.name}” is not in the plan."})
        if in_plan is False and e.slug in self.plan.in_plan:
            raise forms.ValidationError({"exercise": f"“{e.name}” is in the plan already."})
        return e

    def check_leave_out(self, cleaned) -> None:
        self.chosen_exercise(cleaned, in_plan=True)

    def check_put_back(self, cleaned) -> None:
        e = self.chosen_exercise(cleaned)
        if e.slug not in self.plan.tailoring.left_out:
            raise forms.ValidationError({"exercise": f"“{e.name}” was not left out."})

    def check_dosage(self, cleaned) -> None:
        e = self.chosen_exercise(cleaned, in_plan=True)
        values = [cleaned.get(name) for name in ("sets", "reps", "hold_seconds", "minutes")]
        if errors := builder.clinic_dosage_errors(e, *values):
            raise forms.ValidationError(errors)

    def check_reset_dosage(self, cleaned) -> None:
        e = self.chosen_exercise(cleaned, in_plan=True)
        if e.slug not in self.plan.tailoring.dosages:
            raise forms.ValidationError({"exercise": f"“{e.name}” already has the plan's own dosage."})

    def check_pause(self, cleaned) -> None:
        if self.plan.tailoring.paused:
            raise forms.ValidationError("The plan is paused already.")

    def check_resume(self, cleaned) -> None:
        if not self.plan.tailoring.paused:
            raise forms.ValidationError("The plan is not paused.")

    def check_note(self, cleaned) -> None:
        cleaned["note"] = cleaned.get("note", "").strip()
        if cleaned["note"] == self.plan.tailoring.note:
            raise forms.ValidationError({"note": "This is the note the runner sees already."})

    def check_add(self, cleaned) -> None:
        """An exercise whose cautions match the runner's lasting flags goes in only with the
        clinician's reason, which then covers those cautions. A flare-up is never overridden: it
        passes in a day or two, and the exercise waits for it to pass (the builder's rule)."""
        e = self.chosen_exercise(cleaned, in_plan=False)
        if e.slug in self.plan.tailoring.left_out:
            raise forms.ValidationError({"exercise": f"“{e.name}” was left out: put it back instead."})
        unsafe = builder.unsafe_cautions(e, self.plan.program.flags) - {ACUTE_FLARE}
        if unsafe and not cleaned["reason"]:
            words = "; ".join(CAUTION_WORDS.get(code, code) for code in sorted(unsafe))
            raise forms.ValidationError(
                {
                    "reason": f"“{e.name}” has a caution that matches this runner ({words}), so the plan leaves it "
                    "out. Say why it is safe for them to add it anyway, or choose another exercise."
                }
            )
        cleaned["overrides"] = sorted(unsafe)
