"""Clinics, clinicians' scope, and the access record, in the admin.

ClinicScopedAdmin is the one place that decides which rows a user sees: every admin of
runners' data (assessments, check-ins, clinics) derives from it, so its list, search,
filters, autocomplete, actions, exports and object pages all start from the same queryset,
and an object outside the user's clinics is refused even when asked for by its id.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.html import format_html

from clinics.models import AccessRecord, Clinic
from clinics.permissions import clinic_ids


class ClinicScopedAdmin(admin.ModelAdmin):
    # The lookup from this model to its clinic's id: "clinic", "assessment__clinic" or "pk".
    clinic_lookup = "clinic"

    def scoped(self, queryset, request):
        ids = clinic_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.clinic_lookup}__in": ids})

    def get_queryset(self, request):
        return self.scoped(super().get_queryset(request), request)

    def clinic_id_of(self, obj) -> int | None:
        *path, last = self.clinic_lookup.split("__")
        for name in path:
            obj = getattr(obj, name)
        return obj.pk if last == "pk" else getattr(obj, f"{last}_id")

    def in_scope(self, request, obj) -> bool:
        ids = clinic_ids(request)
        return obj is None or ids is None or self.clinic_id_of(obj) in ids

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.in_scope(request, obj)


@admin.register(Clinic)
class ClinicAdmin(ClinicScopedAdmin):
    """Superusers manage clinics; a clinician sees their own clinics and the invite link to share."""

    clinic_lookup = "pk"
    ordering = ("name",)
    list_display = ("name", "invite_link", "clinician_count", "created")
    search_fields = ("name",)
    filter_horizontal = ("clinicians",)
    readonly_fields = ("invite_link", "created")
    fields = ("name", "code", "invite_link", "clinicians", "created")

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
class AccessRecordAdmin(admin.ModelAdmin):
    """Who opened or exported runners' data, and when: for superusers only, never edited."""

    list_display = ("at", "username", "action", "reference", "count")
    list_filter = ("action",)
    search_fields = ("username", "reference")
    date_hierarchy = "at"
    show_full_result_count = False

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
