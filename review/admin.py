"""Everything a clinician works with in the admin: the review queue and one assessment in plain
words, the check-ins, the exercise library, clinics, and the access record.

Runners' data is scoped by ClinicScopedAdmin (review.scoping): a clinician sees the assessments of
their own clinics only, in every list, filter, search, page, action and export. What the runner
answered and what the engine computed are shown, never edited; the form holds the review fields
only.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.main import SEARCH_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.db.models.constants import LOOKUP_SEP
from django.http import FileResponse, Http404, HttpResponseRedirect, StreamingHttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join

from assessments.models import REFERENCE_LENGTH, Assessment, looks_like_reference
from assessments.presenters import present_answers
from clinics.models import AccessRecord, Clinic
from clinics.permissions import clinic_ids
from programs.models import IMBALANCE_CHOICES, CheckIn, Exercise, ExerciseChange
from review import exports, fhir, jobs
from review.filters import ClinicFilter, FlagFilter, TriageFilter
from review.forms import ExerciseAdminForm, ReviewForm, TailorForm
from review.models import ExportJob
from review.paginators import CappedCountAdmin, SteadyOrderChangeList
from review.presenters import (
    BADGES,
    PLAN_TODAY_WORDS,
    pain_words,
    plan_today,
    present_review,
    queue_tier,
    triage_words,
)
from review.scoping import ClinicScopedAdmin
from review.tailoring import TailorPlan, caution_words, save_adjustment


class ReviewQueue(SteadyOrderChangeList):
    def get_results(self, request):
        # No column shows the stored answers or result: the page of rows leaves those large JSON
        # fields in the database. Actions and exports start from get_queryset(), with every field.
        self.queryset = self.queryset.defer("answers", "result")
        super().get_results(request)


def labelled(label: str, value: str) -> str:
    """A queue cell with its label, shown where the table's headings are not (a phone's cards)."""
    return format_html('<span class="cell-label">{}: </span>{}', label, value)


class ReadOnlyAdmin:
    """Records kept as they were made: nobody adds, changes or deletes one in the admin."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(CappedCountAdmin, ClinicScopedAdmin):
    change_form_template = "admin/assessments/assessment/change_form.html"
    # The runner now at a glance: triage, pain then and now, today's plan, the latest check-in.
    list_display = ("runner", "triage_badge", "pain", "plan_today", "checked_in", "review", "answered", "clinic_name")
    empty_value_display = "none"
    list_display_links = ("runner",)
    # Dates by "today, past 7 days, this month, this year" (a range on an index): Django's date
    # hierarchy read the first and last date, then every year or month, of all matching rows.
    list_filter = (
        TriageFilter, FlagFilter, "reviewed", "follow_up", ClinicFilter, "top_imbalance",
        ("created", admin.DateFieldListFilter),
    )  # fmt: skip
    list_select_related = ("clinic",)
    # Facet counts would count every matching row of every filter's choices.
    show_facets = admin.ShowFacets.NEVER
    # Unreviewed first, then the most urgent, then the newest.
    ordering = ("reviewed", "urgency", "-created")
    search_fields = ("nickname",)
    search_help_text = (
        "Search by nickname (one or two letters: the start of a nickname), or by the reference "
        "(the first characters of the runner's link)."
    )
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

    def get_search_fields(self, request):
        # A nickname contains the term (a trigram index on PostgreSQL, migration 0009); a term of
        # one or two letters has no trigram, and "contains" read every row: it matches the start
        # of a nickname instead (a B-tree lookup, migration 0010).
        term = request.GET.get(SEARCH_VAR, "").strip()
        return ("^nickname",) if 0 < len(term) < 3 else self.search_fields

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
        css, symbol, _ = BADGES[queue_tier(obj)]
        words = triage_words(obj)
        return format_html(
            '<span class="triage-badge {}"><span aria-hidden="true">{}</span> {}</span>', css, symbol, words
        )

    @admin.display(description="Pain: start → latest", ordering="latest_pain")
    def pain(self, obj):
        return labelled("Pain", pain_words(obj))

    @admin.display(description="Plan today", ordering="plan_status")
    def plan_today(self, obj):
        return labelled("Plan today", PLAN_TODAY_WORDS[plan_today(obj, timezone.localdate())])

    @admin.display(description="Checked in", ordering="latest_check_in")
    def checked_in(self, obj):
        return labelled("Latest check-in", date_format(obj.latest_check_in, "j M") if obj.latest_check_in else "none")

    @admin.display(description="Reviewed", ordering="reviewed")
    def review(self, obj):
        # Words, not Django's yes/no icon (its text alternative is "True" or "False").
        return labelled("Reviewed", "yes" if obj.reviewed else "not yet")

    @admin.display(description="Answered", ordering="created")
    def answered(self, obj):
        return labelled("Answered", date_format(timezone.localtime(obj.created), "j M Y, H:i"))

    # Sorted by the clinic's id (each clinic's runners together, on an index), not by its name:
    # the name is in another table, and sorting by it sorted every row of the list.
    @admin.display(description="Clinic", ordering="clinic_id")
    def clinic_name(self, obj):
        return obj.clinic

    # --- one assessment ---

    def has_add_permission(self, request):
        return False  # assessments come from runners only

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_tailor"
        tailor = path("<path:object_id>/tailor/", self.admin_site.admin_view(self.tailor_view), name=name)
        return [tailor, *super().get_urls()]

    def tailor_view(self, request, object_id):
        """Tailor a runner's plan (review.tailoring): a clinician of the runner's clinic, or a
        superuser; one change per form sent, each recorded. A refused change keeps what was typed."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404("No such assessment among yours.")
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        plan = TailorPlan(obj)
        form = TailorForm(request.POST if request.method == "POST" else None, plan=plan)
        if form.is_bound and form.is_valid():
            _, said = save_adjustment(plan, request.user, form.cleaned_data)
            self.message_user(request, said, messages.SUCCESS)
            return HttpResponseRedirect(request.path)
        if not form.is_bound:
            AccessRecord.record(request.user, AccessRecord.Action.OPENED, obj)
        sent = {}
        if form.is_bound and form.data.get("action") == "dosage":
            sent = {
                form.data.get("exercise"): {
                    k: form.data.get(k, "") for k in ("sets", "reps", "hold_seconds", "minutes")
                }
            }
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": obj,
            "title": f"Tailor the plan: {obj.nickname or '(no nickname)'} · {obj.reference}",
            "plan": plan,
            "program": plan.program if not plan.refusal else None,
            "rows": plan.rows(sent) if not plan.refusal else [],
            "addable": plan.addable() if not plan.refusal else [],
            "history": plan.history(),
            "form": form,
            "errors": [error for errors in form.errors.values() for error in errors] if form.is_bound else [],
            "flags": caution_words(plan.program.flags) if not plan.refusal else "",
            "status_words": Assessment.Plan(plan.program.status).label if not plan.refusal else "",
        }
        return TemplateResponse(
            request, "admin/assessments/assessment/tailor.html", context, status=400 if form.is_bound else 200
        )

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
        context["tailoring"]["may_tailor"] &= self.has_change_permission(request, obj)
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

    def record_export(self, request, queryset, action, count: int) -> AccessRecord:
        """Which runners' data left the site: their references, or the list's filters when "all" were."""
        if request.POST.get(helpers.ACTION_CHECKBOX_NAME) and request.POST.get("select_across") != "1":
            tokens = queryset.order_by().values_list("token", flat=True)
            details = "Selected: " + ", ".join(sorted(token[:REFERENCE_LENGTH] for token in tokens))
        else:
            details = f"All that matched the list's filters: {request.GET.urlencode() or 'none'}"
        return AccessRecord.record(request.user, action, count=count, details=details)

    def queue_export(self, request, queryset, format: str, record: AccessRecord, count: int) -> None:
        """Too many to stream within one request: the worker writes the file (see review.jobs)."""
        job = jobs.queue_export(request.user, format, queryset, request.build_absolute_uri("/"), record)
        AccessRecord.objects.filter(pk=record.pk).update(
            details=f"{record.details} (written in the background: export {job.pk})"
        )
        self.message_user(
            request,
            format_html(
                "{} assessments are more than can be sent at once (at most {}): the file is being written "
                'in the background. Download it from <a href="{}">Your exports</a> when it is ready; '
                "it is kept for {} hours.",
                f"{count:,}",
                f"{settings.EXPORT_STREAM_MAX:,}",
                reverse("admin:review_exportjob_changelist"),
                settings.EXPORT_HOURS,
            ),
            messages.SUCCESS,
        )

    @admin.action(description="Export the selected assessments as CSV", permissions=["view"])
    def export_csv(self, request, queryset):
        count = queryset.count()
        record = self.record_export(request, queryset, AccessRecord.Action.EXPORTED_CSV, count)
        if count > settings.EXPORT_STREAM_MAX:
            return self.queue_export(request, queryset, ExportJob.Format.CSV, record, count)
        response = StreamingHttpResponse(exports.csv_lines(queryset), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="assessments-{timezone.localdate():%Y-%m-%d}.csv"'
        return response

    @admin.action(description="Export the selected assessments as FHIR R4 (JSON)", permissions=["view"])
    def export_fhir(self, request, queryset):
        count = queryset.count()
        record = self.record_export(request, queryset, AccessRecord.Action.EXPORTED_FHIR, count)
        if count > settings.EXPORT_STREAM_MAX:
            return self.queue_export(request, queryset, ExportJob.Format.FHIR, record, count)
        base = request.build_absolute_uri("/")
        response = StreamingHttpResponse(fhir.bundle_chunks(queryset, base), content_type="application/fhir+json")
        response["Content-Disposition"] = (
            f'attachment; filename="assessments-fhir-{timezone.localdate():%Y-%m-%d}.json"'
        )
        return response


# A waiting export this old suggests that no worker is running.
WORKER_LATE = timedelta(minutes=5)


@admin.register(ExportJob)
class ExportJobAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """ "Your exports": each user's own large exports, and the download of a ready file.

    Everyone sees their own jobs only, superusers included: a file is for the one who asked.
    """

    list_display = ("requested", "what", "status_words", "file", "available_until", "download")
    list_display_links = None
    ordering = ("-requested",)
    list_per_page = 50
    fields = ("requested", "format", "count", "status", "started", "finished", "written", "size", "expires", "error")
    readonly_fields = fields

    def get_queryset(self, request):
        # The frozen selection can be long: the pages never need it.
        return super().get_queryset(request).filter(user=request.user).defer("assessment_ids")

    def may_export(self, request) -> bool:
        user = request.user
        return user.is_active and user.is_staff and user.has_perm("assessments.view_assessment")

    def has_module_permission(self, request):
        return self.may_export(request)

    def has_view_permission(self, request, obj=None):
        return self.may_export(request) and (obj is None or obj.user_id == request.user.pk)

    def get_urls(self):
        download = path(
            "<int:pk>/download/", self.admin_site.admin_view(self.download_view), name="review_exportjob_download"
        )
        return [download, *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"title": "Your exports", **(extra_context or {})})

    @admin.display(description="What")
    def what(self, obj):
        return f"{obj.get_format_display()}, {obj.count:,} assessment{'s' if obj.count != 1 else ''}"

    @admin.display(description="Status", ordering="status")
    def status_words(self, obj):
        now = timezone.now()
        if obj.status == ExportJob.Status.READY and obj.is_expired(now):
            return "Expired"
        if obj.status == ExportJob.Status.FAILED:
            return f"Failed: {obj.error}"
        if obj.status == ExportJob.Status.WAITING and now - obj.requested > WORKER_LATE:
            return "Waiting for the worker (is it running? Tell your administrator.)"
        return obj.get_status_display()

    @admin.display(description="File")
    def file(self, obj):
        if obj.status != ExportJob.Status.READY or obj.size is None:
            return "—"
        return f"{filesizeformat(obj.size)}, {obj.written:,} assessment{'s' if obj.written != 1 else ''}"

    @admin.display(description="Available until", ordering="expires")
    def available_until(self, obj):
        return obj.expires if obj.status == ExportJob.Status.READY else None

    @admin.display(description="Download")
    def download(self, obj):
        if not obj.is_downloadable():
            return "—"
        url = reverse("admin:review_exportjob_download", args=[obj.pk])
        return format_html('<a href="{}" download>{}</a>', url, obj.download_name)

    def download_view(self, request, pk):
        """The file, to the user who asked only, before it expires; 404 for anything else."""
        job = self.get_queryset(request).filter(pk=pk).first()
        if job is None or not self.has_view_permission(request, job) or not job.is_downloadable():
            raise Http404("No such export, or it has expired.")
        allowed = clinic_ids(request)
        if allowed is not None and not set(job.clinics) <= allowed:
            # The user has left a clinic whose runners are in the file since it was written.
            raise Http404("No such export, or it has expired.")
        try:
            handle = job.path.open("rb")
        except FileNotFoundError:
            raise Http404("No such export, or it has expired.") from None
        AccessRecord.record(
            request.user,
            AccessRecord.Action.DOWNLOADED_EXPORT,
            count=job.written or 0,
            details=f"Export {job.pk} ({job.get_format_display()}), asked for at "
            f"{timezone.localtime(job.requested):%Y-%m-%d %H:%M}",
        )
        return FileResponse(handle, as_attachment=True, filename=job.download_name, content_type=job.content_type)


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    form = ExerciseAdminForm
    list_display = ("name", "kind", "region", "target_list", "gentle", "warm_up", "minutes", "source")
    list_filter = ("kind", "region", "gentle", "warm_up", "customised")
    search_fields = ("name", "slug")
    list_select_related = ("easier", "harder")
    # Plain selects for the easier and harder exercise: the library is small, and the
    # autocomplete picker's box had no accessible name (axe: aria-input-field-name).
    readonly_fields = ("from_library", "updated", "change_history")
    fieldsets = (
        (None, {"fields": ("name", "slug", "clinic", "kind", "region", "targets", "equipment")}),
        ("Instructions", {"fields": ("steps", "cues", "mistakes")}),
        ("Dosage", {"fields": ("sets", "reps", "hold_seconds", "per_side", "rest_seconds", "minutes")}),
        ("Progression", {"fields": ("easier", "harder")}),
        ("Safety and use", {"fields": ("cautions", "reason", "gentle", "warm_up")}),
        ("Library", {"fields": ("from_library", "customised", "updated", "change_history")}),
    )

    @admin.display(description="Targets")
    def target_list(self, obj):
        labels = dict(IMBALANCE_CHOICES)
        return ", ".join(labels.get(code, code) for code in obj.targets) or "—"

    @admin.display(description="Source")
    def source(self, obj):
        if obj.clinic_id:
            return f"{obj.clinic}'s own"
        if not obj.from_library:
            return "Added in the admin"
        return "Library file, changed here" if obj.customised else "Library file"

    # --- who sees and changes what: the shared library (library editors), a clinic's own (its
    # clinicians); never another clinic's ---

    def get_queryset(self, request):
        ids = clinic_ids(request)
        queryset = super().get_queryset(request)
        return queryset if ids is None else queryset.filter(Q(clinic__isnull=True) | Q(clinic_id__in=ids))

    def may_edit(self, request, obj) -> bool:
        if obj is None:
            return True
        if obj.clinic_id is None:
            return request.user.has_perm("programs.edit_library")
        ids = clinic_ids(request)
        return ids is None or obj.clinic_id in ids

    def has_view_permission(self, request, obj=None):
        ids = clinic_ids(request)
        visible = obj is None or obj.clinic_id is None or ids is None or obj.clinic_id in ids
        return super().has_view_permission(request, obj) and visible

    def has_add_permission(self, request):
        may_add_somewhere = request.user.has_perm("programs.edit_library") or bool(clinic_ids(request))
        return super().has_add_permission(request) and may_add_somewhere

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_edit(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = clinic_ids(request)
        if db_field.name == "clinic" and ids is not None:
            kwargs["queryset"] = Clinic.objects.filter(pk__in=ids)
            # Without the library editors' permission an exercise is one of the clinic's own.
            kwargs["required"] = not request.user.has_perm("programs.edit_library")
        if db_field.name in ("easier", "harder") and ids is not None:
            kwargs["queryset"] = Exercise.objects.filter(Q(clinic__isnull=True) | Q(clinic_id__in=ids))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="Changes made here (latest 10)")
    def change_history(self, obj):
        changes = list(obj.changes.all()[:10]) if obj.pk else []
        if not changes:
            return "None yet."
        return format_html_join(
            "",
            "<p>{}: {} {}{}</p>",
            (
                (
                    date_format(timezone.localtime(c.at), "j M Y, H:i"),
                    c.username,
                    c.get_action_display().lower(),
                    " " + ", ".join(c.changes) + (f". Why: {c.reason}" if c.reason else "") if c.changes else "",
                )
                for c in changes
            ),
        )

    def get_readonly_fields(self, request, obj=None):
        # Once made, the slug stays: runners' ticks and clinics' changes to plans name the exercise
        # by it (and the library file matches on it); a new name is the name field's job.
        return (*self.readonly_fields, "slug") if obj else self.readonly_fields

    def get_fieldsets(self, request, obj=None):
        # "Why" is a question for someone who may change the exercise: a clinician only views it.
        may_edit = self.has_change_permission(request, obj) if obj else self.has_add_permission(request)
        if may_edit:
            return self.fieldsets
        return [(name, {"fields": [f for f in opts["fields"] if f != "reason"]}) for name, opts in self.fieldsets]

    def save_model(self, request, obj, form, change):
        fields = [name for name in form.changed_data if name != "reason"]
        if change and not fields:
            return super().save_model(request, obj, form, change)
        # A library exercise changed here is kept by `load_exercises` from now on.
        if change and obj.from_library and set(fields) - {"customised"}:
            obj.customised = True
        before = Exercise.objects.select_related("easier", "harder").get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        changes = {name: [getattr(before, name), getattr(obj, name)] for name in fields} if change else {}
        action = ExerciseChange.Action.CHANGED if change else ExerciseChange.Action.ADDED
        record_exercise_change(request.user, obj, action, changes, form.cleaned_data.get("reason", ""))

    def delete_model(self, request, obj):
        record_exercise_change(request.user, obj, ExerciseChange.Action.DELETED)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_exercise_change(request.user, obj, ExerciseChange.Action.DELETED)
        super().delete_queryset(request, queryset)


def record_exercise_change(user, exercise, action, changes=None, reason=""):
    """Who changed the library, when, what (each field before and after) and why."""
    ExerciseChange.objects.create(
        exercise=exercise if action != ExerciseChange.Action.DELETED else None,
        slug=exercise.slug,
        user=user,
        username=user.get_username(),
        action=action,
        changes=json_safe(changes or {}),
        reason=reason.strip(),
    )


def json_safe(changes: dict) -> dict:
    """Field values as JSON keeps them: a related exercise by its slug, anything else as text."""

    def plain(value):
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return getattr(value, "slug", None) or str(value)

    return {name: [plain(before), plain(after)] for name, (before, after) in changes.items()}


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin, CappedCountAdmin, ClinicScopedAdmin):
    """The runners' daily check-ins, read-only: what a runner reported is never changed or deleted
    here, not even by a superuser (the runner's state now is worked out from all of them)."""

    clinic_lookup = "assessment__clinic"
    list_display = ("day", "runner", "pain_now", "routine_done", "run", "has_warning_sign")
    list_filter = ("routine_done", "run", ("day", admin.DateFieldListFilter))
    list_select_related = ("assessment",)
    ordering = ("-day", "-pk")
    show_facets = admin.ShowFacets.NEVER
    # As the queue: half of Django's 100 rows, half the rows to join, draw and skip on later pages.
    list_per_page = 50
    readonly_fields = ("assessment_link", "day", "pain_now", "routine_done", "run", "distance", "warning_signs", "note")
    fields = readonly_fields

    # Sorted by runner: each runner's check-ins together, on the (assessment, day) index. By
    # nickname it sorted all the check-ins joined to their assessments.
    @admin.display(description="Runner", ordering="assessment_id")
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


@admin.register(Clinic)
class ClinicAdmin(ClinicScopedAdmin):
    """Superusers manage clinics; a clinician sees their own clinics and the invite link to share."""

    clinic_lookup = "pk"
    ordering = ("name",)
    list_display = ("name", "invite_link", "clinician_count", "created")
    search_fields = ("name",)
    filter_horizontal = ("clinicians",)
    readonly_fields = ("invite_link", "created")
    fields = ("name", "code", "invite_link", "clinicians", "retention_days", "created")

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(clinician_total=Count("clinicians", distinct=True))

    @admin.display(description="Invite link")
    def invite_link(self, obj):
        if obj.pk is None:
            return "Shown once the clinic is saved."
        # A link relative to this site: "copy link" in the browser gives the whole address.
        return format_html('<a href="{0}">{0}</a>', obj.invite_path())

    @admin.display(description="Clinicians", ordering="clinician_total")
    def clinician_count(self, obj):
        return obj.clinician_total


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdmin, CappedCountAdmin, admin.ModelAdmin):
    """Who opened or exported runners' data, and when: for superusers only, never edited."""

    list_display = ("at", "username", "action", "reference", "count")
    list_filter = ("action", ("at", admin.DateFieldListFilter))
    search_fields = ("username", "reference")
    show_facets = admin.ShowFacets.NEVER

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser
