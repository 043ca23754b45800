import functools
import hashlib
import logging
import secrets

from django.contrib import messages
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import IntegrityError, transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DeleteView, DetailView, TemplateView

from assessments import questionnaire as qn
from assessments.answers import AnswerError, Flow, is_under_18
from assessments.forms import SECTION_FORMS, initial_from
from assessments.models import Assessment
from assessments.presenters import present_answers, present_result
from clinics.views import CLINIC_SESSION_KEY, clinic_of

logger = logging.getLogger(__name__)

# The browser tab's session remembers the last result, so that a second click on
# "See my result" finds it instead of an empty questionnaire.
LAST_RESULT = "last_result_token"
# The answers in progress, in the database-backed session (see Progress).
PROGRESS = "questionnaire"
FIRST = qn.SECTIONS[0]


class LandingView(TemplateView):
    template_name = "assessments/landing.html"


class Progress:
    """The answers in progress, as the session keeps them: only validated answers of the
    questions asked, the steps done, and at most one short draft (what was typed on a page
    left with Back, or sent with errors). Whatever is posted, it stays a few kilobytes.

    `key` identifies this questionnaire's single submission: sending the last step twice,
    even at the same instant to two app processes, stores one assessment (Assessment.submission_key).
    """

    def __init__(self, answers=None, done=(), key=None, draft=None):
        self.answers: dict = dict(answers or {})
        self.done: list[str] = list(done)
        self.key: str = key or secrets.token_hex(16)
        self.draft: dict | None = draft
        self._flow: Flow | None = None

    @property
    def flow(self) -> Flow:
        """What is asked, given these answers (worked out once, until an answer changes)."""
        if self._flow is None:
            self._flow = Flow(self.answers)
        return self._flow

    @classmethod
    def blank(cls, reason: str | None) -> "Progress":
        """A new runner's, not stored: "What brings you here?" answered by the start page's button
        (no pain: fewer steps). The same for every new runner, so what is asked is worked out once."""
        progress = cls(answers={"reason": reason} if reason in (qn.PAIN, qn.PREVENTION) else {})
        progress._flow = _blank_flow(progress.answers.get("reason"))
        return progress

    @classmethod
    def load(cls, session) -> "Progress | None":
        data = session.get(PROGRESS)
        if not isinstance(data, dict) or data.get("version") != qn.QUESTIONNAIRE_VERSION:
            return None
        return cls(data.get("answers"), data.get("done", ()), data.get("key"), data.get("draft"))

    def save(self, session) -> None:
        session[PROGRESS] = {
            "version": qn.QUESTIONNAIRE_VERSION,
            "answers": self.answers,
            "done": self.done,
            "key": self.key,
            "draft": self.draft,
        }

    def store(self, section: qn.Section, answers: dict) -> None:
        """A step sent without errors: its answers replace the step's earlier ones."""
        for q in section.questions:
            self.answers.pop(q.code, None)
        self.answers.update(answers)
        self._flow = None
        if section.code not in self.done:
            self.done.append(section.code)
        if self.draft and self.draft.get("step") == section.code:
            self.draft = None

    def keep_draft(self, section: qn.Section, data: dict, with_errors: bool) -> None:
        self.draft = {"step": section.code, "data": data, "errors": with_errors}

    def draft_of(self, section: qn.Section) -> dict | None:
        return self.draft if self.draft and self.draft.get("step") == section.code else None

    def current(self) -> qn.Section | None:
        return self.flow.current(self.done)


@functools.cache
def _blank_flow(reason: str | None) -> Flow:
    return Flow({"reason": reason} if reason else {})


def step_url(section: qn.Section) -> str:
    return reverse("assessments:step", kwargs={"step": section.code})


@method_decorator(never_cache, name="dispatch")
class QuestionnaireView(View):
    """The questionnaire, one step per section, each at its own address.

    A plain view over the session: the questionnaire definition decides the steps, their
    questions and what is skipped (answers.SKIPS). Every post that is taken redirects
    (Post/Redirect/Get), so that the browser's Back, Forward and Reload just work: a step
    sent with errors is kept as a draft and shown again by the redirect. Nothing is written
    to the session before the runner consents, and the session holds only validated answers
    of known questions.
    """

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        step = kwargs.get("step", FIRST.code)
        if step not in qn.SECTIONS_BY_CODE:
            raise Http404("No such step")
        self.section = qn.SECTIONS_BY_CODE[step]
        self.progress = Progress.load(request.session) if request.session.session_key else None

    # --- GET ---

    def get(self, request, step=None):
        progress = self.progress
        if progress is None:
            if self.section is not FIRST:
                return redirect("assessments:questionnaire")
            blank = Progress.blank(request.GET.get("reason"))
            return self.render_step(request, blank, initial=blank.answers)
        current = progress.current() or FIRST
        if step is None:  # the start link or a bookmark: carry on where the runner was
            return redirect(step_url(current))
        applicable = progress.flow.steps
        if self.section not in applicable:
            messages.info(request, "That page no longer applies to your answers. Here is where you are.")
            return redirect(step_url(current))
        if applicable.index(self.section) > applicable.index(current):
            return redirect(step_url(current))  # not there yet
        draft = progress.draft_of(self.section)
        if draft and draft.get("errors"):
            form = self.make_form(progress, data=draft["data"])
            form.is_valid()  # shows the errors again
        elif draft:
            form = self.make_form(progress, initial=draft["data"])
        else:
            return self.render_step(request, progress, initial=initial_from(self.section, progress.answers))
        return self.render_step(request, progress, form)

    def make_form(self, progress, **kwargs):
        asked = [q.code for q in progress.flow.questions(self.section)]
        return SECTION_FORMS[self.section.code](asked=asked, **kwargs)

    # --- POST ---

    def post(self, request, step=None):
        if request.FILES:
            return render(request, "400.html", {"reason": "This form does not take files."}, status=400)
        progress = self.progress
        if progress is None and self.section is not FIRST:
            return self.lost_progress(request)
        if progress is not None:
            applicable = progress.flow.steps
            current = progress.current()
            if self.section not in applicable or (
                current is not None and applicable.index(self.section) > applicable.index(current)
            ):
                # An old page that no longer applies (say, the movement checks after an emergency
                # sign), or a step not reached yet: show the step the runner is really on.
                messages.info(request, "That page no longer applies to your answers. Here is where you are.")
                return redirect(step_url(current or FIRST))
        progress = progress or Progress()
        form = self.make_form(progress, data=request.POST)
        if request.POST.get("action") == "back":
            if self.progress is None:
                return redirect(step_url(FIRST))  # nothing before consent, a draft neither
            # "Back" keeps what was typed here, even if it is not complete, for when the runner returns.
            progress.keep_draft(self.section, form.draft(), with_errors=False)
            progress.save(request.session)
            return redirect(step_url(self.previous_step(progress)))
        if not form.is_valid():
            if self.section is FIRST and not self.progress:
                # No consent yet, so nothing may be stored: the errors are shown on this response.
                return self.render_step(request, progress, form)
            progress.keep_draft(self.section, form.draft(), with_errors=True)
            progress.save(request.session)
            return redirect(step_url(self.section))
        answers = form.answers()
        if self.section is FIRST and is_under_18(answers):
            request.session.pop(PROGRESS, None)
            return redirect("assessments:adults_only")
        progress.store(self.section, answers)
        following = progress.current()
        if following is not None:
            progress.save(request.session)
            return redirect(step_url(following))
        return self.finish(request, progress)

    def previous_step(self, progress) -> qn.Section:
        applicable = progress.flow.steps
        if self.section not in applicable or applicable.index(self.section) == 0:
            return FIRST
        return applicable[applicable.index(self.section) - 1]

    def lost_progress(self, request):
        # Nothing stored for a later step: the last step was sent again, or the session expired.
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

    def finish(self, request, progress):
        """Store the assessment once, however many times the last step arrives."""
        answers = progress.flow.answers
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create_from_answers(
                    answers, clinic=clinic_of(request), submission_key=progress.key
                )
        except IntegrityError:
            # The same submission is being (or was) stored by another request: show that one.
            assessment = Assessment.objects.filter(submission_key=progress.key).first()
            if assessment is None:
                raise
        except AnswerError as exc:
            # The forms check the same rules, so this means a bug: keep the answers, show the step.
            logger.error("Questionnaire answers passed the forms but not validate_answers: %s", exc.errors)
            return self.show_final_errors(request, progress, exc.errors)
        request.session.pop(PROGRESS, None)
        request.session[LAST_RESULT] = assessment.token
        # Shared with this clinic once: another check in this browser starts unshared.
        request.session.pop(CLINIC_SESSION_KEY, None)
        return redirect(assessment)

    def show_final_errors(self, request, progress, errors: dict):
        codes = [code for code in errors if code in qn.SECTION_OF]
        section = qn.SECTIONS_BY_CODE[qn.SECTION_OF[codes[0]]] if codes else FIRST
        if section.code in progress.done:
            progress.done.remove(section.code)
        progress.save(request.session)
        messages.error(request, "Please check this step again: " + "; ".join(f"{errors[c]}" for c in codes[:3]) + ".")
        return redirect(step_url(section))

    # --- The page ---

    def render_step(self, request, progress, form=None, initial=None):
        """The step's page: with `form` (answers typed, maybe with errors), or fresh from `initial`."""
        applicable = list(progress.flow.steps)
        if self.section not in applicable:
            applicable.insert(0, self.section)
        index = applicable.index(self.section)
        is_last = index == len(applicable) - 1
        not_asked = progress.flow.not_asked
        context = {
            "section": self.section,
            "form": form,
            "fields": self.fields_html(progress, form, initial),
            # As text: numbers in a template are localised, which a step number does not need.
            "step_number": str(index + 1),
            "step_count": str(len(applicable)),
            "percent_done": str(round(100 * index / len(applicable))),
            "is_first": index == 0,
            "is_last": is_last,
            "has_progress": self.progress is not None,
            "clinic": clinic_of(request),
            # Why a question of this step is not asked, where that helps.
            "skipped_notes": [why for q in self.section.questions if (why := not_asked.get(q.code))],
            # On the last step asked, why the step count dropped.
            "skipped_sections": [
                f"{s.title}: {not_asked[s.code]}" for s in qn.SECTIONS if is_last and not_asked.get(s.code)
            ],
        }
        return render(request, "assessments/questionnaire.html", context)

    def fields_html(self, progress, form, initial) -> str:
        """The step's questions. A step with nothing typed yet is the same for every runner who
        is asked the same questions: its rendering is cached, and no form is even built."""
        if form is not None:
            return render_to_string("assessments/_questions.html", {"form": form})
        if set(initial) - {"reason"}:
            form = self.make_form(progress, initial=initial)
            return render_to_string("assessments/_questions.html", {"form": form})
        asked = [q.code for q in progress.flow.questions(self.section)]
        digest = hashlib.sha256(repr((asked, sorted(initial.items()))).encode()).hexdigest()
        key = f"questionnaire-step:{qn.QUESTIONNAIRE_VERSION}:{self.section.code}:{digest}"
        form = lambda: self.make_form(progress, initial=initial)  # noqa: E731 - only on a cache miss
        # An hour: the key names the questionnaire version, and a deployment restarts the processes.
        return cache.get_or_set(key, lambda: render_to_string("assessments/_questions.html", {"form": form()}), 3600)


@method_decorator(never_cache, name="dispatch")
class RestartView(View):
    """Clear the answers in progress: one tap must not wipe everything, so it asks first."""

    def get(self, request):
        return render(request, "assessments/restart.html")

    def post(self, request):
        request.session.pop(PROGRESS, None)
        messages.info(request, "Your earlier answers were cleared. You are starting again.")
        return redirect("assessments:questionnaire")


class AdultsOnlyView(TemplateView):
    """Under 18: the check is for adults; nothing is stored and no plan is made."""

    template_name = "assessments/adults_only.html"


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
        context["answer_sections"] = SimpleLazyObject(
            lambda: present_answers(self.object.answers, self.object.questionnaire_version)
        )
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
