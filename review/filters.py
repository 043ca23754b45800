"""The review queue's filters: triage, flags and clinic, in the clinician's words."""

from django.contrib import admin

from assessments.models import URGENCY
from assessments.scoring import ROUTINE, SELF_CARE
from clinics.models import Clinic
from clinics.permissions import clinic_ids
from review.presenters import BADGES


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
