from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.functional import SimpleLazyObject
from django.views.generic import DeleteView, DetailView, TemplateView
from formtools.wizard.views import SessionWizardView

from assessments import questionnaire as qn
from assessments.forms import SECTION_FORMS
from assessments.models import Assessment
from assessments.presenters import present_answers, present_result


class LandingView(TemplateView):
    template_name = "assessments/landing.html"


def _no_emergency_sign(wizard) -> bool:
    """The movement self-tests are skipped when a warning sign needs emergency care."""
    warning = wizard.get_cleaned_data_for_step(qn.WARNING.code) or {}
    return not qn.has_emergency_sign({k: v for k, v in warning.items() if v not in (False, None, "")})


class QuestionnaireView(SessionWizardView):
    """The questionnaire in steps; answers wait in the database-backed session until the end."""

    form_list = SECTION_FORMS
    condition_dict = {qn.SELF_TESTS.code: _no_emergency_sign}
    template_name = "assessments/questionnaire.html"

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context["section"] = form.section
        context["percent_done"] = round(100 * (self.steps.index) / self.steps.count)
        return context

    def render_goto_step(self, goto_step, **kwargs):
        # "Back" keeps what was typed on this step, even if it is not complete yet.
        self.storage.set_step_data(self.steps.current, self.process_step(self.get_form(data=self.request.POST)))
        return super().render_goto_step(goto_step, **kwargs)

    def done(self, form_list, **kwargs):
        answers = {}
        for form in form_list:
            answers.update(form.answers())
        with transaction.atomic():
            assessment = Assessment.objects.create_from_answers(answers)
        return redirect(assessment)


class ResultView(DetailView):
    model = Assessment
    slug_field = "token"
    slug_url_kwarg = "token"
    context_object_name = "assessment"
    template_name = "assessments/result.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Lazy: only built when the cached rendering of the result has expired.
        context["result"] = SimpleLazyObject(lambda: present_result(self.object))
        context["answer_sections"] = SimpleLazyObject(lambda: present_answers(self.object.answers))
        context["private_link"] = self.request.build_absolute_uri(self.object.get_absolute_url())
        return context


class DeleteAssessmentView(DeleteView):
    model = Assessment
    slug_field = "token"
    slug_url_kwarg = "token"
    context_object_name = "assessment"
    template_name = "assessments/delete.html"
    success_url = reverse_lazy("assessments:landing")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, "Your answers and result have been deleted.")
        return response
