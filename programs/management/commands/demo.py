"""A filled app on a developer's machine: a demo clinic, its clinician, a superuser, and runners.

    DEBUG=1 python manage.py demo [--base-url http://127.0.0.1:8000] [--json FILE] [--any-database]

`make demo` runs it, then serves the app. It refuses to run with DEBUG off: the accounts
it makes have passwords printed on the terminal, fit for a laptop and nothing else. It also
refuses a database other than SQLite (an exported DATABASE_URL may point at a shared one)
unless told `--any-database` (a developer's own PostgreSQL, or the audit's throw-away one).

What it makes (again on every run, so that the plan days count from today):
- the clinic "Demo clinic", its clinician `demo-clinician` and a superuser `demo-admin`,
  each with a new random password, printed;
- five runners of that clinic, told apart by their nicknames:
  Sam, self-care, day 10 of the plan, a check-in most days and two exercises ticked today;
  Jo, self-care, day 6, whose pain rose to 7 at today's check-in (a rest day);
  Priya, see a professional (pain for more than 12 weeks), day 3, her plan tailored by the clinic
  (a gentle exercise added, a note to her);
  Uma, see a professional soon (pain at night that nothing eases), day 1;
  Ema, emergency (numbness in the saddle area), today.
The runners of an earlier run (the same nicknames in the demo clinic) are deleted first;
nothing else in the database is touched.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from clinics.models import Clinic
from clinics.permissions import ensure_clinicians_group
from programs import builder
from programs.models import CheckIn, Exercise, PlanAdjustment, Tick, library_specs, now_fields, program_for

CLINIC_NAME = "Demo clinic"
CLINICIAN = "demo-clinician"
SUPERUSER = "demo-admin"

# A runner at a desk most of the day, central low-back pain for a few weeks, no warning signs.
BASE_ANSWERS = {
    "consent": True,
    "age_band": "30_39",
    "reason": "pain",
    "pregnancy": "no",
    "distance_unit": "km",
    "weekly_distance": 30,
    "distance_change": "up_to_10",
    "shoes": "off_the_shelf",
    "strength_training": "under_weekly",
    "sitting_hours": 9,
    "driving_hours": 1,
    "breaks": "every_2h",
    "lumbar_support": "partly",
    "screen_height": "laptop",
    "pain_areas": ["lower_back_centre"],
    "pain_now": 4,
    "pain_duration": "1_6w",
    "pain_when": ["sitting", "morning_stiffness"],
    "pain_eases": ["moving"],
    "run_pain_change": "same_or_better",
    "daily_impact": "some",
    "home_care_weeks": 0,
    "trend": "same",
    "no_warning_signs": True,
    "worry": "some",
    "feelings": ["none"],
    "hip_flexor_test": "both_sides",
    "hamstring_test": "shins",
    "hip_control_test": "one_side",
    "wall_head": "not_touching",
    "wall_low_back": "hand_fits",
}


@dataclass
class DemoRunner:
    nickname: str
    story: str
    days_ago: int  # the assessment was made this many days ago
    changes: dict = field(default_factory=dict)
    pains: tuple[int, ...] = ()  # check-ins from day 1 on, oldest first; 0 in a gap = no check-in that day
    ticked_today: int = 0  # exercises of today's plan ticked done
    tailoring: tuple[tuple[str, str, str], ...] = ()  # the clinician's changes: (action, exercise, note)

    def answers(self) -> dict:
        answers = {**BASE_ANSWERS, "nickname": self.nickname, **self.changes}
        if any(value is True for code, value in self.changes.items() if code != "consent"):
            answers.pop("no_warning_signs", None)  # a runner who ticks a sign does not tick "none of these"
        return answers


RUNNERS = (
    DemoRunner(
        "Sam",
        "self-care, day 10, checks in most days, pain easing",
        days_ago=9,
        pains=(4, 4, 0, 3, 3, 3, 0, 2, 2),
        ticked_today=2,
    ),
    DemoRunner(
        "Jo",
        "self-care, day 6, pain rose to 7 at today's check-in (rest day)",
        days_ago=5,
        changes={"age_band": "40_49", "pain_now": 3, "sitting_hours": 6},
        pains=(3, 3, 2, 3, 0, 7),
    ),
    DemoRunner(
        "Priya",
        "see a professional: pain for more than 12 weeks; day 3",
        days_ago=2,
        changes={
            "age_band": "50_59",
            "first_episode": False,
            "pain_duration": "over_12w",
            "pain_began_age": "45_plus",
            "pain_now": 5,
            "pain_areas": ["lower_back_one_side", "buttock"],
        },
        pains=(5, 4),
        tailoring=(
            (builder.Adjust.ADD, "open-book", ""),
            (builder.Adjust.NOTE, "", "We will see you on Thursday. Until then, keep to these gentle moves."),
        ),
    ),
    DemoRunner(
        "Uma",
        "see a professional soon: night pain that nothing eases; day 1",
        days_ago=0,
        changes={"night_pain": True, "pain_now": 5},
    ),
    DemoRunner("Ema", "emergency: numbness in the saddle area", days_ago=0, changes={"saddle_numbness": True}),
)


def first_exercise() -> Exercise:
    exercise = Exercise.objects.order_by("name").first()
    if exercise is None:
        raise CommandError("The exercise library is empty: run `python manage.py load_exercises` first.")
    return exercise


class Command(BaseCommand):
    help = "Fill the local database with a demo clinic, a clinician, a superuser and runners (DEBUG only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url", default="http://127.0.0.1:8000", help="Where the app is served, for the printed links."
        )
        parser.add_argument(
            "--json", dest="json_file", type=Path, metavar="FILE", help="Also write the links and accounts here."
        )
        parser.add_argument(
            "--any-database", action="store_true", help="Also on a database other than SQLite (your own only)."
        )

    def handle(self, base_url: str, json_file: Path | None, any_database: bool, **options):
        if not settings.DEBUG:
            raise CommandError(
                "The demo makes accounts whose passwords it prints: it runs with DEBUG=1 only, "
                "on your own machine (make demo sets it)."
            )
        if connection.vendor != "sqlite" and not any_database:
            raise CommandError(
                f"The database is {connection.vendor}, not the local SQLite file: is DATABASE_URL set? "
                "Unset it, or add --any-database if this database is your own."
            )
        base_url = base_url.rstrip("/")
        with transaction.atomic():
            clinic, _ = Clinic.objects.get_or_create(name=CLINIC_NAME)
            accounts = {
                "clinician": self.account(CLINICIAN, clinic=clinic),
                "superuser": self.account(SUPERUSER, superuser=True),
            }
            Assessment.objects.filter(clinic=clinic, nickname__in=[r.nickname for r in RUNNERS]).delete()
            runners = [self.runner(spec, clinic, base_url) for spec in RUNNERS]
        summary = {
            "clinic": {"name": clinic.name, "invite": base_url + clinic.invite_path()},
            "accounts": accounts,
            "admin": base_url + reverse("admin:index"),
            "exercise_admin": base_url + reverse("admin:programs_exercise_change", args=[first_exercise().pk]),
            "home": base_url + reverse("assessments:landing"),
            "runners": runners,
        }
        if json_file:
            json_file.write_text(json.dumps(summary, indent=2) + "\n")
        self.report(summary)

    def account(self, username: str, *, clinic: Clinic | None = None, superuser: bool = False) -> dict:
        User = get_user_model()
        user, _ = User.objects.get_or_create(username=username)
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_staff = True
        user.is_superuser = superuser
        user.is_active = True
        user.save()
        if clinic is not None:
            group = ensure_clinicians_group()
            if group is None:
                raise CommandError("The database is not migrated yet: run `python manage.py migrate` first.")
            user.groups.add(group)
            clinic.clinicians.add(user)
        return {"username": username, "password": password}

    def runner(self, spec: DemoRunner, clinic: Clinic, base_url: str) -> dict:
        assessment = Assessment.objects.create_from_answers(spec.answers(), clinic=clinic)
        if assessment.nickname != spec.nickname:  # an emergency sign ends the questions before the nickname
            assessment.nickname = spec.nickname
        today = timezone.localdate()
        start = timezone.now() - timedelta(days=spec.days_ago)
        assessment.created = start
        Assessment.objects.filter(pk=assessment.pk).update(created=start, nickname=assessment.nickname)
        first_day = today - timedelta(days=spec.days_ago)
        CheckIn.objects.bulk_create(
            CheckIn(
                assessment=assessment,
                day=first_day + timedelta(days=n),
                pain_now=pain,
                routine_done=builder.DONE_ALL if pain < 6 else builder.DONE_NONE,
                run=builder.RUN_PAIN_NONE if pain < 4 else builder.NO_RUN,
            )
            for n, pain in enumerate(spec.pains)
            if pain
        )
        # The runner's state now, as each check-in keeps it (record_check_in), from the start set above.
        now = now_fields(assessment, list(assessment.check_ins.all()), today)
        Assessment.objects.filter(pk=assessment.pk).update(**now)
        if spec.ticked_today:
            library = library_specs(clinic_id=assessment.clinic_id)
            plan = program_for(assessment, list(assessment.check_ins.all()), library)
            Tick.objects.bulk_create(
                Tick(assessment=assessment, day=today, exercise=entry.slug)
                for entry in (plan.today.warm_up + plan.today.exercises)[: spec.ticked_today]
            )
        clinician = get_user_model().objects.get(username=CLINICIAN)
        PlanAdjustment.objects.bulk_create(
            PlanAdjustment(
                assessment=assessment, day=first_day, at=start, user=clinician, username=clinician.username,
                action=action, exercise=slug, note=note,
                exercise_name=Exercise.objects.get(slug=slug).name if slug else "",
            )
            for action, slug, note in spec.tailoring
        )  # fmt: skip
        token = {"token": assessment.token}
        pages = {
            "result": reverse("assessments:result", kwargs=token),
            "today": reverse("programs:program", kwargs=token),
            "plan": reverse("programs:plan", kwargs=token),
            "print": reverse("programs:print", kwargs=token),
            "check_in": reverse("programs:check_in", kwargs=token),
        }
        return {
            "nickname": spec.nickname,
            "story": spec.story,
            "tier": assessment.tier,
            "admin": base_url + reverse("admin:assessments_assessment_change", args=[assessment.pk]),
            "tailor": base_url + reverse("admin:assessments_assessment_tailor", args=[assessment.pk]),
            **{name: base_url + path for name, path in pages.items()},
        }

    def report(self, summary: dict) -> None:
        out = self.stdout.write
        accounts = summary["accounts"]
        out(self.style.SUCCESS("Demo data ready (local use only: these passwords are printed, and new every run)."))
        out(f"\nClinician side: {summary['admin']}")
        for role, account in accounts.items():
            out(f"  {role:<10} {account['username']:<15} password {account['password']}")
        out(f"\n{summary['clinic']['name']}: invite link {summary['clinic']['invite']}")
        out(f"\nRunner side: {summary['home']}")
        for runner in summary["runners"]:
            out(f"  {runner['nickname']:<6} {runner['story']}")
            out(f"         result {runner['result']}")
            if runner["tier"] != "emergency":
                out(f"         plan   {runner['today']}")
