"""Assessments in the admin: the clinician's review queue, one assessment in plain words, exports.

Scoped by ClinicScopedAdmin: a clinician sees the assessments of their own clinics only,
in every list, filter, search, page, action and export. What the runner answered and what
the engine computed are shown, never edited; the form holds the review fields only.
"""

import hashlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.views.main import ChangeList
from django.db.models.constants import LOOKUP_SEP
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.html import format_html

from assessments import exports, fhir
from assessments.models import REFERENCE_LENGTH, URGENCY, Assessment, looks_like_reference
from assessments.presenters import present_answers
from assessments.scoring import EMERGENCY, ROUTINE, SELF_CARE, URGENT
from clinics.admin import ClinicScopedAdmin
from clinics.models import AccessRecord, Clinic
from clinics.permissions import clinic_ids
from programs.models import latest_check_in_day
from programs.presenters import present_review

# The badge says the tier in words; the colour (and a symbol) only repeat it.
BADGES = {
    EMERGENCY: ("badge-emergency", "!!", "Emergency"),
    URGENT: ("badge-urgent", "!", "Urgent"),
    ROUTINE: ("badge-routine", "i", "See a professional"),
    SELF_CARE: ("badge-self-care", "✓", "Self-care"),
}


def triage_words(assessment) -> str:
    """The triage as the queue and the front page say it; a check-in's warning sign comes first."""
    if assessment.warning_sign_day:
        return f"Emergency: warning sign at check-in of {assessment.warning_sign_day:%d %b}"
    return BADGES[assessment.tier][2]


class TriageFilter(admin.SimpleListFilter):
    title = "triage"
    parameter_name = "tier"

    def lookups(self, request, model_admin):
        return [(tier, BADGES[tier][2]) for tier in URGENCY]

    def queryset(self, request, queryset):
        return queryset.filter(tier=self.value()) if self.value() else queryset


class FlagFilter(admin.SimpleListFilter):
    title = "flag"
    parameter_name = "flag"
    FLAGS = {
        "check_in_sign": ("Warning sign at a check-in", {"warning_sign_day__isnull": False}),
        "rest_day": ("Rest day", {"rest_day": True}),
        # The same definition as Assessment.needs_professional, the column and the CSV.
        "see_professional": ("See a professional (any tier)", {"urgency__lte": URGENCY[ROUTINE]}),
        "none": ("No flag", {"rest_day": False, "urgency": URGENCY[SELF_CARE]}),
    }

    def lookups(self, request, model_admin):
        return [(code, label) for code, (label, _) in self.FLAGS.items()]

    def queryset(self, request, queryset):
        if self.value() in self.FLAGS:
            return queryset.filter(**self.FLAGS[self.value()][1])
        return queryset


class ClinicFilter(admin.SimpleListFilter):
    """Only the user's own clinics are offered (a superuser sees all, and "no clinic")."""

    title = "clinic"
    parameter_name = "clinic"
    NONE = "none"

    def lookups(self, request, model_admin):
        ids = clinic_ids(request)
        clinics = Clinic.objects.all() if ids is None else Clinic.objects.filter(pk__in=ids)
        choices = [(str(c.pk), c.name) for c in clinics]
        if ids is None:
            choices.append((self.NONE, "No clinic (started from the home page)"))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value == self.NONE:
            return queryset.filter(clinic__isnull=True)
        if value:
            # Only a clinic this filter offers: anything else (another clinic's id, a made-up
            # value) matches nothing rather than failing.
            offered = {code for code, _ in self.lookup_choices}
            return queryset.filter(clinic_id=int(value)) if value in offered else queryset.none()
        return queryset


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
                    f"While you were writing, {who} (a colleague, or a check-in with a warning sign), so yours was "
                    "not saved. Your text is still in the boxes below: copy it, reload the page to see the "
                    "latest, then merge and save."
                )
        return cleaned


def review_stamp(assessment) -> str:
    fields = (assessment.clinician_notes, assessment.follow_up, assessment.reviewed, assessment.reviewed_at)
    return hashlib.sha256(repr(fields).encode()).hexdigest()[:16]


class ReviewQueue(ChangeList):
    def get_results(self, request):
        # No column shows the stored answers or result: the page of rows leaves those large JSON
        # fields in the database. Actions and exports start from get_queryset(), with every field.
        self.queryset = self.queryset.defer("answers", "result")
        super().get_results(request)


@admin.register(Assessment)
class AssessmentAdmin(ClinicScopedAdmin):
    change_form_template = "admin/assessments/assessment/change_form.html"
    list_display = (
        "created",
        "clinic",
        "runner",
        "triage_badge",
        "rest_day",
        "see_a_professional",
        "top_imbalance",
        "pain_now",
        "latest_check_in",
        "reviewed",
    )
    list_display_links = ("created", "runner")
    list_filter = (TriageFilter, FlagFilter, "reviewed", "follow_up", ClinicFilter, "top_imbalance")
    list_select_related = ("clinic",)
    date_hierarchy = "created"
    # Unreviewed first, then the most urgent, then the newest.
    ordering = ("reviewed", "urgency", "-created")
    search_fields = ("nickname",)
    search_help_text = "Search by nickname, or by the reference (the first characters of the runner's link)."
    show_full_result_count = False
    list_per_page = 50
    # The runner's page is reached by their private link only, never from the admin.
    view_on_site = False
    actions = ("mark_reviewed", "export_csv", "export_fhir")
    form = ReviewForm
    fieldsets = (
        # "seen" (the hidden guard) is drawn by the template: in a fieldset it got a label
        # pointing at a hidden input, which is invalid HTML.
        ("Review", {"fields": ("clinician_notes", "follow_up", "reviewed", "reviewed_by", "reviewed_at")}),
    )
    readonly_fields = ("reviewed_by", "reviewed_at")

    # --- list ---

    def get_changelist(self, request, **kwargs):
        return ReviewQueue

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(latest_check_in=latest_check_in_day())

    def get_search_results(self, request, queryset, search_term):
        filtered = queryset
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if looks_like_reference(term):
            # Within the filters already chosen, and the reference only: never more of the token,
            # or a search could spell out a runner's private link one character at a time.
            queryset |= filtered.filter(token__startswith=term)
        return queryset, may_have_duplicates

    def lookup_allowed(self, lookup, value, request=None):
        # The private token is never a filter in the address either (?token__startswith=...).
        if lookup.split(LOOKUP_SEP)[0] == "token":
            return False
        return super().lookup_allowed(lookup, value, request)

    @admin.display(description="Runner", ordering="nickname")
    def runner(self, obj):
        return f"{obj.nickname or '(no nickname)'} · {obj.reference}"

    @admin.display(description="Triage", ordering="urgency")
    def triage_badge(self, obj):
        css, symbol, _ = BADGES[EMERGENCY if obj.warning_sign_day else obj.tier]
        words = triage_words(obj)
        return format_html(
            '<span class="triage-badge {}"><span aria-hidden="true">{}</span> {}</span>', css, symbol, words
        )

    @admin.display(description="See a professional", boolean=True, ordering="urgency")
    def see_a_professional(self, obj):
        return obj.needs_professional

    @admin.display(description="Latest check-in", ordering="latest_check_in", empty_value="none")
    def latest_check_in(self, obj):
        return obj.latest_check_in

    # --- one assessment ---

    def has_add_permission(self, request):
        return False  # assessments come from runners only

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Assessments to review", **(extra_context or {})})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Only when the page is shown (opened, or a review sent back with an error): the object the
        # admin already loaded and checked, nothing built for a review that saves and redirects.
        if request.method == "GET":
            # Health data: every opening is on record (see the access records).
            AccessRecord.record(request.user, AccessRecord.Action.OPENED, obj)
        context.update(
            present_review(obj),
            title="Review an assessment",
            answer_sections=present_answers(obj.answers, obj.questionnaire_version),
        )
        if request.user.is_superuser:
            context["access_records"] = list(obj.access_records.all()[:20])
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        # Only the review is written: what the runner said and what the engine computed stay as stored.
        if "reviewed" in form.changed_data:
            obj.reviewed_by, obj.reviewed_at = (request.user, timezone.now()) if obj.reviewed else (None, None)
        obj.save(update_fields=["clinician_notes", "follow_up", "reviewed", "reviewed_by", "reviewed_at"])

    # --- actions ---

    @admin.action(description="Mark the selected assessments reviewed", permissions=["change"])
    def mark_reviewed(self, request, queryset):
        to_mark = list(queryset.filter(reviewed=False).order_by().values_list("pk", flat=True))
        now = timezone.now()
        marked = Assessment.objects.filter(pk__in=to_mark).update(
            reviewed=True, reviewed_by=request.user, reviewed_at=now
        )
        LogEntry.objects.log_actions(
            request.user.pk,
            Assessment.objects.filter(pk__in=to_mark).only("pk", "created"),
            CHANGE,
            [{"changed": {"fields": ["reviewed"]}}],
        )
        self.message_user(
            request,
            f"{marked} assessment{'s' if marked != 1 else ''} marked reviewed."
            if marked
            else "The selected assessments were already reviewed.",
            messages.SUCCESS if marked else messages.INFO,
        )

    def record_export(self, request, queryset, action):
        """Which runners' data left the site: their references, or the list's filters when "all" were."""
        count = queryset.count()
        if request.POST.get(helpers.ACTION_CHECKBOX_NAME) and request.POST.get("select_across") != "1":
            tokens = queryset.order_by().values_list("token", flat=True)
            details = "Selected: " + ", ".join(sorted(token[:REFERENCE_LENGTH] for token in tokens))
        else:
            details = f"All that matched the list's filters: {request.GET.urlencode() or 'none'}"
        AccessRecord.record(request.user, action, count=count, details=details)

    @admin.action(description="Export the selected assessments as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        self.record_export(request, queryset, AccessRecord.Action.EXPORTED_CSV)
        response = StreamingHttpResponse(exports.csv_lines(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="assessments-{timezone.localdate():%Y-%m-%d}.csv"'
        return response

    @admin.action(description="Export the selected assessments as FHIR R4 (JSON)", permissions=["view"])
    def export_fhir(self, request, queryset):
        self.record_export(request, queryset, AccessRecord.Action.EXPORTED_FHIR)
        base = request.build_absolute_uri("/")
        response = StreamingHttpResponse(fhir.bundle_chunks(queryset, base), content_type="application/fhir+json")
        response["Content-Disposition"] = (
            f'attachment; filename="assessments-fhir-{timezone.localdate():%Y-%m-%d}.json"'
        )
        return response
