"""The runner's programme pages: the plan, a printable plan and the daily check-in.

Found by the assessment's private token only, like the result (PrivateResultMixin).
The views load, call the builder and render; the presenter shapes what is shown.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property
from django.views.generic import DetailView
from django.views.generic.edit import FormMixin

from assessments.questionnaire import PREGNANT, REPLACED_BY
from assessments.scoring import EMERGENCY
from assessments.views import PrivateResultMixin
from programs.builder import day_month, known_signs
from programs.forms import CheckInForm
from programs.models import CheckIn, library_specs, library_version, program_for, record_warning_signs
from programs.presenters import present_program


class ProgramView(PrivateResultMixin, DetailView):
    template_name = "programs/program.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        check_ins = list(self.object.check_ins.all())
        version = library_version()

        def build():
            library = library_specs(version)
            return present_program(self.object, program_for(self.object, check_ins, library), check_ins, library)

        # The page changes only with the day, the check-ins and the library: its rendering is
        # cached under those (see the template), and the plan is only built when it is not.
        context["program"] = SimpleLazyObject(build)
        context["cache_stamp"] = ":".join(
            [
                timezone.localdate().isoformat(),
                str(len(check_ins)),
                max((c.updated.isoformat() for c in check_ins), default="-"),
                version,
            ]
        )
        return context


class ProgramPrintView(ProgramView):
    template_name = "programs/program_print.html"


class CheckInView(PrivateResultMixin, FormMixin, DetailView):
    template_name = "programs/check_in.html"
    form_class = CheckInForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["start"] = timezone.localdate(self.object.created)
        kwargs["unit"] = self.object.answers.get("distance_unit", "km")
        kwargs["pregnant"] = self.object.answers.get("pregnancy") == PREGNANT
        return kwargs

    @cached_property
    def todays_check_in(self):
        return self.object.check_ins.filter(day=timezone.localdate()).first()

    def get_initial(self):
        today = timezone.localdate()
        existing = self.todays_check_in
        if existing is None:
            return {"day": today}
        return {
            "day": today,
            "pain_now": existing.pain_now,
            "routine_done": existing.routine_done,
            "run": existing.run,
            "distance": existing.distance,
            # A sign stored under an earlier question's code is ticked under its current one.
            "warning_signs": [REPLACED_BY.get(code, code) for code in existing.warning_signs],
            "no_warning_signs": not existing.warning_signs,
            "note": existing.note,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["stopped"] = self.object.triage == EMERGENCY
        context["checked_in_today"] = self.todays_check_in is not None
        known = known_signs(self.object.scoring_result)
        context["reported_signs"] = [
            c for c in self.object.check_ins.exclude(warning_signs=[]) if set(c.warning_signs) - known
        ]
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.triage == EMERGENCY:
            # No programme to check in against: the page says to get medical help instead.
            return self.render_to_response(self.get_context_data())
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        data = {name: form.cleaned_data[name] for name in ("pain_now", "routine_done", "run", "distance", "note")}
        data["warning_signs"] = list(form.cleaned_data["warning_signs"])
        day = form.cleaned_data["day"]
        with transaction.atomic():
            check_in, created = CheckIn.objects.update_or_create(assessment=self.object, day=day, defaults=data)
            record_warning_signs(check_in)
        when = "today" if day == timezone.localdate() else day_month(day)
        messages.success(
            request,
            f"Your check-in for {when} is saved." if created else f"Your check-in for {when} is updated.",
        )
        return redirect(reverse("programs:program", kwargs={"token": self.object.token}) + "#today")
