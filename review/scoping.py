"""Which rows a clinician sees: the one place that decides it for every admin of runners' data.

Every admin of runners' data (assessments, check-ins, clinics) derives from ClinicScopedAdmin,
so its list, search, filters, autocomplete, actions, exports and object pages all start from
the same queryset, and an object outside the user's clinics is refused even when asked for by
its id.
"""

from django.contrib import admin

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
