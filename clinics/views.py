"""A clinic's invite link: the runner's check goes to that clinic, and the runner is told so."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinics.models import Clinic

# The session remembers which clinic's link the runner came from until the check is stored
# (see QuestionnaireView.done), or until they choose not to share it.
CLINIC_SESSION_KEY = "clinic_id"


def clinic_of(request) -> Clinic | None:
    """The clinic whose invite link this browser came from, if it still exists."""
    clinic_id = request.session.get(CLINIC_SESSION_KEY)
    if clinic_id is None:
        return None
    return Clinic.objects.filter(pk=clinic_id).first()


@never_cache
def invite(request, code):
    clinic = get_object_or_404(Clinic, code=code)
    request.session[CLINIC_SESSION_KEY] = clinic.pk
    response = render(request, "assessments/landing.html", {"clinic": clinic})
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_POST
def leave_clinic(request):
    clinic = clinic_of(request)
    request.session.pop(CLINIC_SESSION_KEY, None)
    if clinic is not None:
        messages.info(request, f"Your answers will not be shared with {clinic.name}.")
    return redirect("assessments:questionnaire")
