"""The review queue's filters: triage, flags and clinic, in the clinician's words."""

from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

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
    LABELS = {
        "check_in_sign": "Warning sign at a check-in",
        "rest_day": "Rest day today",
        "see_professional": "See a professional (any tier)",
        "none": "No flag",
    }

    def lookups(self, request, model_admin):
        return list(self.LABELS.items())

    def queryset(self, request, queryset):
        today = timezone.localdate()
        rest_today = Q(rest_until__gte=today)
        flags = {
            "check_in_sign": Q(warning_sign_day__isnull=False),
            "rest_day": rest_today,
            # The same definition as Assessment.needs_professional, the triage badge and the CSV.
            "see_professional": Q(urgency__lte=URGENCY[ROUTINE]),
            "none": ~rest_today & Q(urgency=URGENCY[SELF_CARE]),
        }
        return queryset.filter(flags[self.value()]) if self.value() in flags else queryset


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
