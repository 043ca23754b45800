import functools
import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.exceptions import BadRequest
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.template.loader import render_to_string
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DeleteView, DetailView, TemplateView

from assessments import questionnaire as qn
from assessments.answers import AnswerError, is_under_18
from assessments.forms import SECTION_FORMS, initial_from
from assessments.models import Assessment
from assessments.presenters import present_answers, present_result
from assessments.progress import FIRST, Progress
from clinics.views import CLINIC_SESSION_KEY, clinic_of

logger = logging.getLogger(__name__)

# The browser tab's session remembers the last result, so that a second click on
# "See my result" finds it instead of an empty questionnaire.
LAST_RESULT = "last_result_token"
NO_LONGER_APPLIES = "That page no longer applies to your answers. Here is where you are."


class LandingView(TemplateView):
    template_name = "assessments/landing.html"


def step_url(section: qn.Section) -> str:
    return reverse("assessments:step", kwargs={"step": section.code})


@method_decorator(never_cache, name="dispatch")
class QuestionnaireView(View):
    """The questionnaire, one step per section, each at its own address.

    A plain view over the session (assessments.progress): the questionnaire definition decides
    the steps, their questions and what is skipped (answers.SKIPS). Every post that is taken
    redirects (Post/Redirect/Get), so that the browser's Back, Forward and Reload just work: a
    step sent with errors is kept as a draft and shown again by the redirect. Nothing is
    written to the session before the runner consents, and the session holds only validated
    answers of known questions.
    """

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        step = kwargs.get("step", FIRST.code)
        if step not in qn.SECTIONS_BY_CODE:
            raise Http404("No such step")
        self.section = qn.SECTIONS_BY_CODE[step]
        has_session = request.session.session_key is not None
        self.progress = Progress.load(request.session) if has_session else None
        if has_session and self.progress is None and Progress.is_outdated(request.session):
            Progress.forget(request.session)
            messages.info(request, "The questionnaire was updated since you started it. Please start again.")

    # --- GET ---

    def get(self, request, step=None):
        progress = self.progress
        if progress is None:
            if self.section is not FIRST:
                return self.lost_progress(request)
            return self.render_step(request, Progress.new(request.GET.get("reason")))
        current = progress.current() or FIRST
        if step is None:  # the start link or a bookmark: carry on where the runner was
            return redirect(step_url(current))
        if not progress.reachable(self.section):
            if self.section not in progress.flow.steps:
                messages.info(request, NO_LONGER_APPLIES)
            return redirect(step_url(current))
        draft = progress.draft_of(self.section)
        if draft and draft["errors"]:
            form = self.make_form(progress, data=draft["data"])
            form.is_valid()  # shows the errors again
            return self.render_step(request, progress, form)
        if draft:
            return self.render_step(request, progress, self.make_form(progress, initial=draft["data"]))
        return self.render_step(request, progress)

    def make_form(self, progress, **kwargs):
        asked = [q.code for q in progress.flow.questions(self.section)]
        return SECTION_FORMS[self.section.code](asked=asked, **kwargs)

    # --- POST ---

    def post(self, request, step=None):
        if request.FILES:
            raise BadRequest("The questionnaire does not take files.")
        progress = self.progress
        if progress is None and self.section is not FIRST:
            return self.lost_progress(request)
        if progress is not None and not progress.reachable(self.section):
            # An old page that no longer applies (say, the movement checks after an emergency
            # sign), or a step not reached yet: show the step the runner is really on.
            messages.info(request, NO_LONGER_APPLIES)
            return redirect(step_url(progress.current() or FIRST))
        if progress is None:
            progress = Progress.new(request.POST.get("reason"))
        form = self.make_form(progress, data=request.POST)
        going_back = request.POST.get("action") == "back"
        if not form.is_valid():
            if self.progress is None:
                # No consent yet, so nothing may be stored: the errors are shown on this response.
                return redirect(step_url(FIRST)) if going_back else self.render_step(request, progress, form)
            # Kept to show again: with its errors, or as typed when the runner went back.
            progress.keep_draft(self.section, form.draft(), with_errors=not going_back)
            progress.save(request.session)
            return redirect(step_url(progress.previous(self.section) if going_back else self.section))
        answers = form.answers()
        if self.section is FIRST and is_under_18(answers):
            Progress.forget(request.session)
            return redirect("assessments:adults_only")
        progress.store(self.section, answers, shown=list(form.fields))
        if going_back:
            progress.save(request.session)
            return redirect(step_url(progress.previous(self.section)))
        following = progress.current() or progress.following(self.section)
        if following is not None:
            progress.save(request.session)
            return redirect(step_url(following))
        return self.finish(request, progress)

    def lost_progress(self, request):
        # Nothing stored for a later step: the last step was sent again (or the browser went
        # back from the result), or the session expired.
        token = request.session.get(LAST_RESULT)
        if token and Assessment.objects.filter(token=token).exists():
            messages.info(request, "Your answers were already saved. Here is your result.")
            return redirect("assessments:result", token=token)
        if request.method == "POST":
            messages.warning(
                request,
                "Your answers in progress were cleared: we keep them for a day, and only in this "
                "browser. Please start again.",
            )
        return redirect("assessments:questionnaire")

    def finish(self, request, progress):
        """Store the assessment once, however many times the last step arrives."""
        try:
            with transaction.atomic():
                assessment = Assessment.objects.create_from_answers(
                    dict(progress.flow.answers), clinic=clinic_of(request), submission_key=progress.key
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
        Progress.forget(request.session)
        request.session[LAST_RESULT] = assessment.token
        # Shared with this clinic once: another check in this browser starts unshared.
        request.session.pop(CLINIC_SESSION_KEY, None)
        return redirect(assessment)

    def show_final_errors(self, request, progress, errors: dict):
        codes = [code for code in errors if code in qn.SECTION_OF]
        section = qn.SECTIONS_BY_CODE[qn.SECTION_OF[codes[0]]] if codes else FIRST
        progress.shown.pop(section.code, None)
        progress.save(request.session)
        messages.error(request, "Please check this step again: " + "; ".join(f"{errors[c]}" for c in codes[:3]) + ".")
        return redirect(step_url(section))

    # --- The page ---

    def render_step(self, request, progress, form=None):
        """The step's page: with `form` (answers typed, maybe with errors), or with the stored answers."""
        steps = progress.flow.steps
        index = steps.index(self.section)
        is_last = index == len(steps) - 1
        not_asked = progress.flow.not_asked
        context = {
            "section": self.section,
            "form": form,
            "fields": self.fields_html(progress, form),
            # As text: numbers in a template are localised, which a step number does not need.
            "step_number": str(index + 1),
            "step_count": str(len(steps)),
            "percent_done": str(round(100 * index / len(steps))),
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

    def fields_html(self, progress, form) -> str:
        """The step's questions. A step with nothing answered yet is the same for every runner
        asked the same questions: its rendering is cached, and no form is even built."""
        initial = initial_from(self.section, progress.answers)
        if form is None and set(initial) - {"reason"}:
            form = self.make_form(progress, initial=initial)
        if form is not None:
            return render_to_string("assessments/_questions.html", {"form": form})
        asked = [q.code for q in progress.flow.questions(self.section)]
        digest = hashlib.sha256(repr((asked, sorted(initial.items()))).encode()).hexdigest()

        def blank():
            return render_to_string("assessments/_questions.html", {"form": self.make_form(progress, initial=initial)})

        # An hour: the key names the questionnaire version, and a deployment restarts the processes.
        return cache.get_or_set(
            f"questionnaire-step:{qn.QUESTIONNAIRE_VERSION}:{self.section.code}:{digest}", blank, 3600
        )


@method_decorator(never_cache, name="dispatch")
class RestartView(View):
    """Clear the answers in progress: one tap must not wipe everything, so it asks first."""

    def get(self, request):
        return render(request, "assessments/restart.html")

    def post(self, request):
        Progress.forget(request.session)
        messages.info(request, "Your earlier answers were cleared. You are starting again.")
        return redirect("assessments:questionnaire")


class OfflineView(TemplateView):
    """What the service worker shows for a page this device has not kept (no private data)."""

    template_name = "pwa/offline.html"


@functools.cache
def service_worker_script() -> str:
    """The script, named after the static files it keeps (the same for the life of a release)."""
    body = render_to_string("pwa/sw.js", {"version": "VERSION"})
    return body.replace("VERSION", hashlib.sha256(body.encode()).hexdigest()[:12], 1)


def service_worker(request):
    """The service worker, from the site's root so that it can look after every page; a new
    release's script names a new cache, which replaces the old one."""
    response = HttpResponse(service_worker_script(), content_type="application/javascript; charset=utf-8")
    response.headers["Cache-Control"] = "no-cache"
    return response


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


class CachedPageMixin:
    """A runner's page served whole from the cache while what it shows has not changed.

    `page_key()` names that state (the view reads it in one light query). The rendering is
    kept with a hole where the CSRF token goes, since each browser has its own token; the hole
    is filled on the way out. A page with a message to show (after a form) is rendered fresh.
    """

    page_seconds = 3600

    def page_key(self) -> str:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        # Messages live in a cookie (settings.MESSAGE_STORAGE): one is waiting to be shown. With
        # DEBUG on (a developer's machine) pages are not kept, so that template edits show at once.
        if CookieStorage.cookie_name in request.COOKIES or settings.DEBUG:
            return self.render_to_response(self.get_context_data(object=self.object))
        key = page_cache_key(self.get_template_names()[0], self.page_key())
        body = cache.get(key)
        if body is None:
            context = self.get_context_data(object=self.object, csrf_input=mark_safe(CSRF_HOLE))  # noqa: S308
            body = self.response_class(request, self.get_template_names(), context).rendered_content
            # A token written by {% csrf_token %} belongs to this browser alone: such a page is
            # never kept (a cached page's forms use {{ csrf_input }}, the hole).
            if CSRF_FIELD not in body:
                cache.set(key, body, self.page_seconds)
        return HttpResponse(body.replace(CSRF_HOLE, csrf_input(request), 1))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("csrf_input", csrf_input(self.request))
        return super().get_context_data(**kwargs)


# Where a cached page's CSRF token goes (a comment nobody would write: see CachedPageMixin).
CSRF_HOLE = "<!-- csrf token -->"
CSRF_FIELD = 'name="csrfmiddlewaretoken"'


def page_cache_key(template_name: str, key: str) -> str:
    return f"page:{template_name}:{key}"


def result_page_key(assessment: Assessment, host: str) -> str:
    """The result never changes; its private link names the host."""
    return f"result:{assessment.token}:{assessment.questionnaire_version}:{host}"


class ResultView(PrivateResultMixin, CachedPageMixin, DetailView):
    template_name = "assessments/result.html"

    def get_object(self, queryset=None):
        # The stored answers and result are read only when the page is not in the cache.
        assessment = Assessment.objects.light(self.kwargs["token"])
        if assessment is None:
            raise Http404("No such result.")
        return assessment

    def page_key(self) -> str:
        return result_page_key(self.object, self.request.get_host())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Lazy: only built when the page is rendered.
        context["result"] = SimpleLazyObject(lambda: present_result(self.documents))
        context["answer_sections"] = SimpleLazyObject(
            lambda: present_answers(self.documents.answers, self.object.questionnaire_version)
        )
        context["private_link"] = self.request.build_absolute_uri(self.object.get_absolute_url())
        return context

    @property
    def documents(self) -> Assessment:
        """The assessment with its stored answers and result (read once, in one query)."""
        self.object.load_documents()
        return self.object


class DeleteAssessmentView(PrivateResultMixin, DeleteView):
    template_name = "assessments/delete.html"
    success_url = reverse_lazy("assessments:landing")

    def form_valid(self, form):
        cache.delete(page_cache_key(ResultView.template_name, result_page_key(self.object, self.request.get_host())))
        if self.request.session.get(LAST_RESULT) == self.object.token:
            del self.request.session[LAST_RESULT]
        response = super().form_valid(form)
        messages.success(self.request, "Your answers, result and check-ins have been deleted.")
        # The copies kept on this device for offline reading go too (and the service worker).
        response.headers["Clear-Site-Data"] = '"cache", "storage"'
        return response
