from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from clinics.admin import ClinicScopedAdmin
from clinics.models import AccessRecord
from programs.models import CAUTION_CHOICES, IMBALANCE_CHOICES, CheckIn, Exercise


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
            "name", "slug", "kind", "region", "targets", "equipment", "steps", "cues", "mistakes", "sets", "reps",
            "hold_seconds", "per_side", "rest_seconds", "minutes", "easier", "harder", "cautions", "gentle",
            "warm_up", "customised",
        ]  # fmt: skip

    def clean_equipment(self):
        equipment = self.cleaned_data["equipment"]
        if "none" in equipment and len(equipment) > 1:
            raise forms.ValidationError("'No equipment' cannot go with other equipment.")
        return equipment or ["none"]


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    form = ExerciseAdminForm
    list_display = ("name", "kind", "region", "target_list", "gentle", "warm_up", "minutes", "source")
    list_filter = ("kind", "region", "gentle", "warm_up", "customised")
    search_fields = ("name", "slug")
    list_select_related = ("easier", "harder")
    # Plain selects for the easier and harder exercise: the library is small, and the
    # autocomplete picker's box had no accessible name (axe: aria-input-field-name).
    readonly_fields = ("from_library", "updated")
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "region", "targets", "equipment")}),
        ("Instructions", {"fields": ("steps", "cues", "mistakes")}),
        ("Dosage", {"fields": ("sets", "reps", "hold_seconds", "per_side", "rest_seconds", "minutes")}),
        ("Progression", {"fields": ("easier", "harder")}),
        ("Safety and use", {"fields": ("cautions", "gentle", "warm_up")}),
        ("Library", {"fields": ("from_library", "customised", "updated")}),
    )

    @admin.display(description="Targets")
    def target_list(self, obj):
        labels = dict(IMBALANCE_CHOICES)
        return ", ".join(labels.get(code, code) for code in obj.targets) or "—"

    @admin.display(description="Source")
    def source(self, obj):
        if not obj.from_library:
            return "Added in the admin"
        return "Library file, changed here" if obj.customised else "Library file"

    def save_model(self, request, obj, form, change):
        # A library exercise changed here is kept by `load_exercises` from now on.
        if change and obj.from_library and form.has_changed() and form.changed_data != ["customised"]:
            obj.customised = True
        super().save_model(request, obj, form, change)


@admin.register(CheckIn)
class CheckInAdmin(ClinicScopedAdmin):
    """The runners' daily check-ins, read-only: what a runner reported is never changed here."""

    clinic_lookup = "assessment__clinic"
    list_display = ("day", "runner", "pain_now", "routine_done", "run", "has_warning_sign")
    list_filter = ("routine_done", "run")
    list_select_related = ("assessment",)
    date_hierarchy = "day"
    ordering = ("-day", "-pk")
    show_full_result_count = False
    readonly_fields = ("assessment_link", "day", "pain_now", "routine_done", "run", "distance", "warning_signs", "note")
    fields = readonly_fields

    @admin.display(description="Runner", ordering="assessment__nickname")
    def runner(self, obj):
        return f"{obj.assessment.nickname or '(no nickname)'} · {obj.assessment.reference}"

    @admin.display(description="Assessment")
    def assessment_link(self, obj):
        url = reverse("admin:assessments_assessment_change", args=[obj.assessment_id])
        return format_html('<a href="{}">{}</a>', url, self.runner(obj))

    @admin.display(description="New warning sign", boolean=True)
    def has_warning_sign(self, obj):
        return bool(obj.warning_signs)

    def get_queryset(self, request):
        # The list shows the runner's nickname and reference, not their stored answers and result.
        return super().get_queryset(request).defer("assessment__answers", "assessment__result")

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The object the admin already loaded and checked: every opening is on record.
        AccessRecord.record(request.user, AccessRecord.Action.OPENED_CHECK_IN, obj.assessment)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
