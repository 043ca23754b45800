import logging

from django.contrib import messages
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.views.decorators.cache import never_cache
from django.views.generic import DeleteView, DetailView, TemplateView
from formtools.wizard.views import SessionWizardView

from assessments import questionnaire as qn
from assessments.answers import AnswerError, skipped
from assessments.forms import SECTION_FORMS, answers_from
from assessments.models import Assessment
from assessments.presenters import present_answers, present_result
from clinics.views import CLINIC_SESSION_KEY, clinic_of

logger = logging.getLogger(__name__)

# The browser tab's session remembers the last result, so that a second click on
# "See my result" finds it instead of an empty questionnaire.
LAST_RESULT = "last_result_token"
# Steps whose answers decide which later steps are asked (see answers.SKIPS).
DECIDING_STEPS = (qn.ABOUT, qn.RUNNING, qn.SITTING, qn.PAIN, qn.WARNING)


class LandingView(TemplateView):
    template_name = "assessments/landing.html"


def _asked(section_code: str):
    def condition(wizard) -> bool:
        return section_code not in skipped(wizard.answers_so_far())

    return condition


class _KeepAnswers(Exception):
    """Raised from done() to show a step again without clearing the stored answers."""

    def __init__(self, response):
        self.response = response


@method_decorator(never_cache, name="dispatch")
class QuestionnaireView(SessionWizardView):
    """The questionnaire in steps; answers wait in the database-backed session until the end.

    Around formtools' wizard: the runner can leave and come back (a GET resumes rather
    than wipes), Back keeps what was typed, a page that no longer applies or a tampered
    step shows where the runner really is, and an expired session says so.
    """

    form_list = SECTION_FORMS
    condition_dict = {
        qn.OUTLOOK.code: _asked(qn.OUTLOOK.code),
        qn.SELF_TESTS.code: _asked(qn.SELF_TESTS.code),
    }
    template_name = "assessments/questionnaire.html"

    # --- answers and forms ---

    def answers_so_far(self) -> dict:
        answers = {}
        for section in DECIDING_STEPS:
            answers.update(answers_from(section, self.get_cleaned_data_for_step(section.code) or {}))
        return answers

    def get_form(self, step=None, data=None, files=None):
        form = super().get_form(step, data, files)
        not_asked = skipped(self.answers_so_far()) if form.section.code == qn.SELF_TESTS.code else {}
        form.skipped_notes = [why for code, why in not_asked.items() if form.fields.pop(code, None)]
        return form

    def get_context_data(self, form, **kwargs):
        context = super().get_context_data(form=form, **kwargs)
        context["section"] = form.section
        context["percent_done"] = round(100 * self.steps.index / self.steps.count)
        context["has_progress"] = bool(self.storage.data.get(self.storage.step_data_key))
        context["clinic"] = clinic_of(self.request)
        context["is_first_step"] = self.steps.current == self.steps.first
        if self.steps.current == self.steps.last:
            # Say why the step count dropped, on the last step that is asked.
            not_asked = skipped(self.answers_so_far())
            context["skipped_sections"] = [
                f"{section.title}: {not_asked[section.code]}" for section in qn.SECTIONS if section.code in not_asked
            ]
        return context

    def _forget_cached_steps(self):
        # formtools caches the list of steps and cleaned data; new answers may change both.
        for name in [n for n in vars(self) if n.startswith("_cleaned_data_cache_")]:
            delattr(self, name)
        self.__dict__.pop("_resolved_form_list", None)
        self.__dict__.pop("_cache_signature", None)

    def _ensure_current_step_applies(self):
        """A stored step that no longer applies (after new answers) falls back to the last one that does."""
        steps = list(self.get_form_list())
        if self.storage.current_step is not None and self.storage.current_step not in steps:
            self.storage.current_step = steps[-1]

    def _stored_step_form(self):
        step = self.steps.current
        return self.get_form(step=step, data=self.storage.get_step_data(step))

    # --- requests ---

    def get(self, request, *args, **kwargs):
        self._ensure_current_step_applies()
        if self.storage.current_step and self.storage.data.get(self.storage.step_data_key):
            # Coming back (a bookmark, the start link, a second tab): carry on, don't wipe.
            return self.render(self._stored_step_form())
        return super().get(request, *args, **kwargs)

    def post(self, *args, **kwargs):
        request = self.request
        if request.POST.get("restart") == "confirmed":
            self.storage.reset()
            messages.info(request, "Your earlier answers were cleared. You are starting again.")
            return redirect("assessments:questionnaire")
        if "restart" in request.POST:  # one tap must not wipe everything: ask first
            return render(request, "assessments/restart.html")
        self._ensure_current_step_applies()
        posted_step = request.POST.get(f"{self.prefix}-current_step")
        if self.storage.current_step is None and posted_step not in (None, self.steps.first):
            # Nothing stored for a later step: the last step was sent twice, or the session expired.
            token = request.session.get(LAST_RESULT)
            if token and Assessment.objects.filter(token=token).exists():
                messages.info(request, "Your answers were already saved. Here is your result.")
                return redirect("assessments:result", token=token)
            messages.warning(
                request,
                "Your answers in progress were cleared: we keep them for a day, and only in this "
                "browser. Please start again.",
            )
            return redirect("assessments:questionnaire")
        if posted_step is not None and posted_step not in self.get_form_list():
            # An old page that no longer applies (say, the movement checks after an emergency
            # sign), or a made-up step: show the step the runner is really on.
            messages.info(request, "That page no longer applies to your answers. Here is where you are.")
            return self.render(self._stored_step_form())
        return super().post(*args, **kwargs)

    def render_goto_step(self, goto_step, **kwargs):
        # "Back" keeps what was typed on the page being left, even if it is not complete.
        # The page names its own step: with browser history it need not be the stored one.
        posted_step = self.request.POST.get(f"{self.prefix}-current_step")
        if posted_step in self.get_form_list():
            form = self.get_form(step=posted_step, data=self.request.POST)
            self.storage.set_step_data(posted_step, self.process_step(form))
            self._forget_cached_steps()
        if goto_step not in self.get_form_list():
            # The answers just kept removed the step asked for (only a forged request asks that).
            self.storage.current_step = posted_step if posted_step in self.get_form_list() else self.steps.first
            return self.render(self._stored_step_form())
        return super().render_goto_step(goto_step, **kwargs)

    def render_done(self, form, **kwargs):
        try:
            return super().render_done(form, **kwargs)
        except _KeepAnswers as keep:
            return keep.response

    def done(self, form_list, **kwargs):
        answers = {}
        for form in form_list:
            answers.update(form.answers())
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create_from_answers(answers, clinic=clinic_of(self.request))
        except AnswerError as exc:
            # The forms check the same rules, so this means a bug: keep the answers, show the step.
            logger.error("Questionnaire answers passed the forms but not validate_answers: %s", exc.errors)
            raise _KeepAnswers(self._show_errors(exc.errors)) from exc
        self.request.session[LAST_RESULT] = assessment.token
        # Shared with this clinic once: another check in this browser starts unshared.
        self.request.session.pop(CLINIC_SESSION_KEY, None)
        return redirect(assessment)

    def _show_errors(self, errors: dict):
        step = next((qn.SECTION_OF[code] for code in errors if code in qn.SECTION_OF), self.steps.first)
        if step not in self.get_form_list():
            step = self.steps.first
        self.storage.current_step = step
        form = self._stored_step_form()
        form.is_valid()
        for code, message in errors.items():
            if code in form.fields:
                form.add_error(code, message[:1].upper() + message[1:] + ".")
        return self.render(form)


class PrivateResultMixin:
    """The runner's own pages: found by token only, never cached or indexed."""

    model = Assessment
    slug_field = "token"
    slug_url_kwarg = "token"
    context_object_name = "assessment"

    @method_decorator(never_cache)
    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
        return response


def result_fragment_key(assessment: Assessment) -> str:
    """The cache key of the result's rendering (see result.html)."""
    return make_template_fragment_key("result_body", [assessment.token, assessment.questionnaire_version])


class ResultView(PrivateResultMixin, DetailView):
    template_name = "assessments/result.html"
    queryset = Assessment.objects.select_related("clinic")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Lazy: only built when the cached rendering of the result has expired.
        context["result"] = SimpleLazyObject(lambda: present_result(self.object))
        context["answer_sections"] = SimpleLazyObject(lambda: present_answers(self.object.answers))
        context["private_link"] = self.request.build_absolute_uri(self.object.get_absolute_url())
        return context


class DeleteAssessmentView(PrivateResultMixin, DeleteView):
    template_name = "assessments/delete.html"
    success_url = reverse_lazy("assessments:landing")

    def form_valid(self, form):
        cache.delete(result_fragment_key(self.object))
        if self.request.session.get(LAST_RESULT) == self.object.token:
            del self.request.session[LAST_RESULT]
        response = super().form_valid(form)
        messages.success(self.request, "Your answers, result and check-ins have been deleted.")
        return response
