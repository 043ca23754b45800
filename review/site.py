"""The admin site clinicians work in.

Two changes to Django's own: the front page lists what needs attention first, and the
"view on site" shortcut (/<admin>/r/<type>/<id>/) is gone. That shortcut redirects any
staff user to any object's public URL without asking whether they may see the object; for
an assessment that URL is the runner's private link, so it would hand clinicians of one
clinic the private links of another's runners.
"""

from datetime import timedelta

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import timezone

from assessments.models import URGENCY, Assessment
from assessments.scoring import ROUTINE
from clinics.models import Clinic
from clinics.permissions import clinic_ids
from review import outcomes
from review.scoping import ClinicScopedAdmin

ATTENTION_DAYS = 7
ATTENTION_SHOWN = 20


class AutocompleteView(AutocompleteJsonView):
    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        # Only the model's own relation fields, as the admin's widgets ask: Django's view fails
        # with a server error when asked about the other side of a relation.
        if not getattr(source_field, "concrete", False):
            raise PermissionDenied
        return term, model_admin, source_field, to_field_name


def _no_shortcut(request, content_type_id, object_id):
    raise Http404("There is no 'view on site' link in this admin.")


class AdminSite(admin.AdminSite):
    site_header = "Runner's back check: clinician review"
    site_title = "Back check admin"
    index_title = "Clinician review"
    # No side bar of every model beside each page: the clinician's lists need the width (the
    # queue's columns fit at 1280 px), and the breadcrumbs and the front page lead everywhere.
    enable_nav_sidebar = False

    def get_urls(self):
        # The name stays (the admin's templates reverse it), but the shortcut leads nowhere.
        return [
            path("outcomes/", self.admin_view(self.outcomes_view), name="outcomes"),
            *(
                URLPattern(url.pattern, self.admin_view(_no_shortcut), url.default_args, url.name)
                if getattr(url, "name", None) == "view_on_site"
                else url
                for url in super().get_urls()
            ),
        ]

    def outcomes_view(self, request):
        """A clinic's outcomes over a period (review.outcomes): a clinician sees their own clinics'
        only (another clinic's is not found); a superuser chooses any clinic."""
        if not request.user.has_perm("assessments.view_assessment"):
            raise PermissionDenied
        allowed = clinic_ids(request)
        clinics = Clinic.objects.order_by("name", "pk").only("pk", "name")
        if allowed is not None:
            clinics = clinics.filter(pk__in=allowed)
        clinics = list(clinics)
        chosen = request.GET.get("clinic")
        if chosen:
            clinic = next((c for c in clinics if str(c.pk) == chosen), None)
            if clinic is None:
                raise Http404("No such clinic among yours.")
        else:
            clinic = clinics[0] if clinics else None
        form = outcomes.PeriodForm(request.GET, timezone.localdate())
        figures = None
        if clinic is not None and form.is_valid():
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            figures = outcomes.outcomes(clinic.pk, start, end, form.today)
            if request.GET.get("format") == "csv":
                response = HttpResponse(outcomes.csv_text(clinic.name, figures), content_type="text/csv")
                name = f"outcomes-{clinic.pk}-{start:%Y%m%d}-{end:%Y%m%d}.csv"
                response["Content-Disposition"] = f'attachment; filename="{name}"'
                return response
        context = {
            **self.each_context(request),
            "title": f"Outcomes: {clinic.name}" if clinic else "Outcomes",
            "clinic": clinic,
            "clinics": clinics,
            "form": form,
            "figures": figures,
            "charts": outcomes.charts(figures) if figures else [],
            "csv_query": request.GET.urlencode(),
        }
        status = 400 if clinic is not None and not form.is_valid() else 200
        return TemplateResponse(request, "admin/outcomes.html", context, status=status)

    def autocomplete_view(self, request):
        return AutocompleteView.as_view(admin_site=self)(request)

    def index(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "attention": self.needs_attention(request)}
        return super().index(request, extra_context)

    def needs_attention(self, request) -> dict | None:
        """Unreviewed emergencies and see-a-professional results of the last week (or with a check-in
        of the last week), most urgent first."""
        model_admin = self._registry.get(Assessment)
        if not isinstance(model_admin, ClinicScopedAdmin) or not model_admin.has_view_permission(request):
            return None
        since = timezone.now() - timedelta(days=ATTENTION_DAYS)
        # New results, and older ones whose runner checked in lately (a warning sign, or check-ins
        # that turned a self-care plan into "see a professional", send them back here unreviewed).
        recent = (
            Q(created__gte=since)
            | Q(warning_sign_day__gte=timezone.localdate(since))
            | Q(latest_check_in__gte=timezone.localdate(since))
        )
        queryset = model_admin.scoped(Assessment.objects.all(), request).filter(
            recent, reviewed=False, urgency__lte=URGENCY[ROUTINE]
        )
        items = list(queryset.select_related("clinic").order_by("urgency", "-created")[: ATTENTION_SHOWN + 1])
        return {
            "days": ATTENTION_DAYS,
            "items": items[:ATTENTION_SHOWN],
            "more": len(items) > ATTENTION_SHOWN,
        }
