"""The admin's forms: a clinician's review, and an exercise of the library."""

import hashlib

from django import forms

from assessments.models import Assessment
from assessments.scoring import CAUTION_WORDS
from programs.models import CAUTION_CHOICES, IMBALANCE_CHOICES, Exercise


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
