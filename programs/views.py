"""The runner's programme pages: today's plan, the whole plan and its print, the done ticks
and the daily check-in.

Found by the assessment's private token only, like the result (PrivateResultMixin).
The views load, call the builder and render; the presenters shape what is shown.
"""

import hashlib

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject, cached_property, lazy
from django.views import View
from django.views.generic import DetailView
from django.views.generic.edit import FormMixin

from assessments.fhir import questionnaire_response
from assessments.questionnaire import PREGNANT, REPLACED_BY
from assessments.scoring import EMERGENCY
from assessments.views import CachedPageMixin, PrivateResultMixin
from programs import builder
from programs.builder import day_month, known_signs
from programs.calendar import plan_calendar
from programs.forms import CheckInForm, ReminderForm, TicksForm
from programs.models import (
    CheckIn,
    Tick,
    assessment_with_plan_stamp,
    library_specs,
    program_for,
    record_check_in,
    version_of,
)
from programs.presenters import my_data, present_plan, present_today_page


class ProgramMixin(PrivateResultMixin):
    """What every programme page is built from: the check-ins, the library, today's ticks.

    The assessment comes with what its pages change with (`assessment_with_plan_stamp`), in
    one query: a page already rendered is served from the cache without reading anything else.
    "Today" is read once per request, so that a request at midnight sees one day.
    """

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.today = timezone.localdate()

    def get_object(self, queryset=None):
        assessment = assessment_with_plan_stamp(self.kwargs["token"], self.today)
        if assessment is None:
            raise Http404("No such result.")
        return assessment

    @cached_property
    def check_ins(self) -> list[CheckIn]:
        return list(self.object.check_ins.all())

    @cached_property
    def library_version(self) -> str:
        return version_of(self.object.library_count, self.object.library_latest)

    @cached_property
    def library(self):
        return library_specs(self.library_version, self.object.clinic_id)

    @cached_property
    def program(self) -> builder.Program:
        self.object.load_documents()
        return program_for(self.object, self.check_ins, self.library, self.today)

    @cached_property
    def ticked_today(self) -> frozenset[str]:
        if not self.object.tick_count:
            return frozenset()
        return frozenset(self.object.ticks.filter(day=self.today).values_list("exercise", flat=True))

    @cached_property
    def planned_today(self) -> frozenset[str]:
        """The exercises today's plan holds (none once the plan is stopped)."""
        day = self.program.today
        if day is None or self.program.status == builder.STOPPED:
            return frozenset()
        return frozenset(entry.slug for entry in day.warm_up + day.exercises)

    # Whether the page shows today's ticks (or answers from them), so that a tick makes it anew.
    shows_ticks = True

    def page_key(self) -> str:
        """A programme page changes only with the day, the check-ins, the library, the clinic's
        adjustments and (where it shows them) today's ticks: it is cached under those (CachedPageMixin), and the plan is
        only built when it is not."""
        a = self.object
        parts = [a.token, self.today.isoformat(), a.check_in_count, str(a.check_in_latest).replace(" ", "T")]
        # The clinic's name is on the page ("Adjusted by ..."): a short digest of it keeps the key plain.
        parts += [
            self.library_version,
            a.adjustment_latest,
            hashlib.sha256((a.clinic_name or "").encode()).hexdigest()[:8],
        ]
        if self.shows_ticks:
            parts += [a.tick_count, a.tick_latest]
        return ":".join(str(part) for part in parts)

    def program_url(self, anchor: str = "") -> str:
        return reverse("programs:program", kwargs={"token": self.object.token}) + anchor


class ProgramView(ProgramMixin, CachedPageMixin, DetailView):
    """Today's plan: what to do now, ticks and the check-in; the week and the progress below."""

    template_name = "programs/program.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["program"] = SimpleLazyObject(
            lambda: present_today_page(self.object, self.program, self.check_ins, self.library, self.ticked_today)
        )
        return context


class PlanView(ProgramMixin, CachedPageMixin, DetailView):
    """The whole 4-week plan and how to do each exercise."""

    template_name = "programs/plan.html"
    shows_ticks = False  # the whole plan and its print show no ticks: a tick keeps them cached

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["program"] = SimpleLazyObject(lambda: present_plan(self.object, self.program, self.library))
        return context


class ProgramPrintView(PlanView):
    """The whole plan laid out for paper: tick-box grids for the weeks, then the how-to."""

    template_name = "programs/program_print.html"


class ManifestView(PrivateResultMixin, DetailView):
    """The web app manifest of a runner's plan: added to the home screen, it opens today's plan."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        start = reverse("programs:program", kwargs={"token": self.object.token})
        manifest = {
            "id": start,
            "name": "Runner's back check: your daily plan",
            "short_name": "Back plan",
            "start_url": start,
            "scope": reverse("assessments:result", kwargs={"token": self.object.token}),
            "display": "standalone",
            "background_color": "#ffffff",
            "theme_color": "#0b5d4b",
            "icons": [
                {"src": static("img/favicon.svg"), "sizes": "any", "type": "image/svg+xml"},
                *(
                    {"src": static(f"img/icon-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png",
                     "purpose": "any maskable"}
                    for size in (192, 512)
                ),
            ],
        }  # fmt: skip
        return JsonResponse(manifest, content_type="application/manifest+json")


class MyDataView(PrivateResultMixin, DetailView):
    """Everything stored about the runner, to download: their answers (codes and words), the result,
    the check-ins and the done ticks, as JSON; or their answers as a FHIR QuestionnaireResponse
    for a health record. The clinic's own notes are the clinic's record and are not in it."""

    fhir = False

    def get(self, request, *args, **kwargs):
        self.object = assessment = self.get_object()
        day = timezone.localdate()
        if self.fhir:
            data = questionnaire_response(assessment, request.build_absolute_uri("/"))
            name, kind = f"back-check-answers-fhir-{day:%Y-%m-%d}.json", "application/fhir+json"
        else:
            data = my_data(
                assessment,
                list(assessment.check_ins.all()),
                list(assessment.ticks.all()),
                list(assessment.adjustments.all()),
            )
            name, kind = f"back-check-my-data-{day:%Y-%m-%d}.json", "application/json"
        response = JsonResponse(data, content_type=f"{kind}; charset=utf-8", json_dumps_params={"indent": 1})
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class CalendarView(ProgramMixin, DetailView):
    """The plan's days as a calendar file of reminders, at the time the runner chose."""

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = ReminderForm(request.GET)
        if self.program.status == builder.STOPPED:
            messages.error(request, "There is no plan to put in a calendar while a warning sign needs care.")
            return HttpResponseRedirect(self.program_url())
        if self.program.finished:
            messages.error(request, "Your 4-week plan is over: there are no days left to put in a calendar.")
            return HttpResponseRedirect(self.program_url())
        if not form.is_valid():
            messages.error(request, form.errors["at"][0])
            return HttpResponseRedirect(self.program_url("#reminders"))
        url = request.build_absolute_uri(self.program_url())
        body = plan_calendar(self.program, form.cleaned_data["at"], url, key=self.object.token)
        response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="back-routine.ics"'
        return response


class TicksView(ProgramMixin, View):
    """Save which of today's exercises are done. A plain form without JavaScript (back to the
    page with a message); with it, the page's script sends the same form and gets JSON."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = TicksForm(request.POST, program=self.program, today=self.today)
        if not form.is_valid():
            return self.reply(form.problem(), status=400)
        day, done = form.cleaned_data["day"], frozenset(form.cleaned_data["done"])
        before = self.ticked_today
        with transaction.atomic():
            # Only today's exercises as the page shows them: a tick of one the plan has dropped
            # since (a check-in made today a rest day) stays, as what was done.
            self.object.ticks.filter(day=day, exercise__in=self.planned_today - done).delete()
            Tick.objects.bulk_create(
                [Tick(assessment=self.object, day=day, exercise=slug) for slug in sorted(done)], ignore_conflicts=True
            )
            self.follow_ticks(day, before=before, after=(before - self.planned_today) | done)
        planned = len(self.planned_today)
        return self.reply(f"Saved: {len(done)} of {planned} done today.", ticked=len(done), planned=planned)

    def follow_ticks(self, day, before: frozenset[str], after: frozenset[str]) -> None:
        """The day's check-in answered "routine done" from the ticks (the form's suggestion):
        it follows them, unless the runner answered otherwise, which then stands."""
        said_before = builder.done_from_ticks(self.program.today, before)
        self.object.check_ins.filter(day=day, routine_done=said_before).update(
            routine_done=builder.done_from_ticks(self.program.today, after), updated=timezone.now()
        )

    def reply(self, message: str, status: int = 200, **figures):
        if "application/json" in self.request.headers.get("Accept", ""):
            key = "message" if status == 200 else "error"
            return JsonResponse({key: message, **figures}, status=status)
        (messages.success if status == 200 else messages.error)(self.request, message)
        return HttpResponseRedirect(self.program_url("#today"))


class CheckInView(ProgramMixin, CachedPageMixin, FormMixin, DetailView):
    template_name = "programs/check_in.html"
    form_class = CheckInForm

    def get_form_kwargs(self):
        self.object.load_documents()  # the form reads the answers (the unit of distance, a pregnancy)
        kwargs = super().get_form_kwargs()
        kwargs["start"] = timezone.localdate(self.object.created)
        kwargs["unit"] = self.object.answers.get("distance_unit", "km")
        kwargs["pregnant"] = self.object.answers.get("pregnancy") == PREGNANT
        # Worked out only if the form is shown (a saved check-in never builds the plan for it).
        kwargs["ticks_note"] = lazy(self.ticks_note, str)()
        return kwargs

    def ticks_note(self) -> str:
        if not self.done_today:
            return ""
        ticked = len(self.ticked_today & self.planned_today)
        return f"From your ticks on today's plan: {ticked} of {len(self.planned_today)} done."

    @cached_property
    def done_today(self) -> str | None:
        """How much of today's routine the ticks say was done; None when none of it is ticked."""
        if not self.ticked_today & self.planned_today:
            return None
        return builder.done_from_ticks(self.program.today, self.ticked_today)

    @cached_property
    def todays_check_in(self):
        return next((c for c in self.check_ins if c.day == self.today), None)

    def get_initial(self):
        today = self.today
        existing = self.todays_check_in
        if existing is None:
            # A form sent back keeps what was sent: the ticks' suggestion is for a fresh form only.
            return {"day": today, "routine_done": self.done_today if self.request.method == "GET" else None}
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
        self.object.load_documents()
        known = known_signs(self.object.scoring_result)
        context["reported_signs"] = [c for c in self.check_ins if set(c.warning_signs) - known]
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
            record_check_in(check_in, self.today)
        messages.success(request, self.saved_message(check_in, created))
        return HttpResponseRedirect(self.program_url())

    def saved_message(self, check_in: CheckIn, created: bool) -> str:
        """Saved, and for today's check-in what it changed in today's plan (said once, at the top)."""
        today = self.today
        when = "today" if check_in.day == today else day_month(check_in.day)
        saved = f"Your check-in for {when} is {'saved' if created else 'updated'}."
        if check_in.day != today:
            return saved
        program = program_for(self.object, list(self.object.check_ins.all()), self.library, today)
        changes = dict.fromkeys(n.title[:1].lower() + n.title[1:] for n in program.notices if n.day == today)
        if not changes:
            return f"{saved} It did not change today's plan."
        return f"{saved} It changed today's plan: {'; '.join(changes)}."
