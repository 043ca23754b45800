"""A newcomer's first hour: `manage.py demo` (behind `make demo`), `createclinic`, logging once."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.urls import reverse

from assessments.models import Assessment
from clinics.models import Clinic
from programs.models import CheckIn, Tick
from tests.processes import run_manage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, tmp_path):
    settings.DEBUG = True
    call_command("load_exercises", stdout=io.StringIO())
    path = tmp_path / "demo.json"
    out = io.StringIO()
    call_command("demo", "--json", str(path), "--any-database", stdout=out)  # CI runs this on PostgreSQL too
    return out.getvalue(), json.loads(path.read_text())


def sign_in(client, account: dict) -> None:
    """Through the admin's sign-in form, as a person does (the throttle's backend needs the request)."""
    response = client.post(reverse("admin:login"), {"username": account["username"], "password": account["password"]})
    assert response.status_code == 302, "the printed password did not sign in"


def test_demo_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG=1"):
        call_command("demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
    assert not Assessment.objects.exists()


def test_demo_refuses_a_database_other_than_sqlite_unless_told(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(connection, "vendor", "postgresql")
    with pytest.raises(CommandError, match="--any-database"):
        call_command("demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()
    assert not Clinic.objects.exists()


def test_demo_prints_accounts_that_sign_in_and_a_clinician_who_sees_the_demo_runners(client, demo):
    printed, summary = demo
    clinician = summary["accounts"]["clinician"]
    superuser = summary["accounts"]["superuser"]
    for account in (clinician, superuser):
        assert account["password"] in printed
    sign_in(client, clinician)
    queue = client.get(reverse("admin:assessments_assessment_changelist"))
    assert queue.status_code == 200
    for nickname in ("Sam", "Jo", "Priya", "Uma", "Ema"):
        assert nickname in queue.content.decode()
    review = client.get(summary["runners"][0]["admin"])
    assert review.status_code == 200
    client.logout()
    sign_in(client, superuser)
    assert client.get(reverse("admin:index")).status_code == 200


def test_demo_runners_cover_each_triage_and_days_into_the_plan_with_check_ins(client, demo):
    printed, summary = demo
    runners = {r["nickname"]: r for r in summary["runners"]}
    assert {r["tier"] for r in runners.values()} == {"self_care", "routine", "urgent", "emergency"}
    sam = Assessment.objects.get(nickname="Sam")
    assert sam.check_ins.count() >= 5
    assert Tick.objects.filter(assessment=sam).count() == 2
    for runner in runners.values():
        assert runner["result"] in printed
        for page in ("result", "today", "plan", "print", "check_in"):
            assert client.get(runner[page]).status_code == 200, (runner["nickname"], page)
    assert "Day 10" in client.get(runners["Sam"]["today"]).content.decode()
    jo_today = client.get(runners["Jo"]["today"]).content.decode()
    assert "Rest day" in jo_today
    assert 'href="tel:999"' in client.get(runners["Ema"]["result"]).content.decode()
    priya_today = client.get(runners["Priya"]["today"]).content.decode()
    assert "Adjusted by Demo clinic" in priya_today and "Added: Open book." in priya_today
    invite = client.get(summary["clinic"]["invite"])
    assert invite.status_code == 200
    assert "Demo clinic" in invite.content.decode()
    assert client.get(summary["exercise_admin"]).status_code == 302  # the admin: signed out here


def test_demo_run_again_replaces_its_runners_and_passwords_and_nothing_else(settings, demo):
    _, first = demo
    check_ins = CheckIn.objects.filter(assessment__clinic__name="Demo clinic").count()
    other = Assessment.objects.create_from_answers(Assessment.objects.get(nickname="Sam").answers)
    out = io.StringIO()
    call_command("demo", "--any-database", stdout=out)
    assert Assessment.objects.filter(clinic__name="Demo clinic").count() == 5
    assert Assessment.objects.filter(pk=other.pk).exists()
    assert not Assessment.objects.filter(token=first["runners"][0]["result"].split("/")[-2]).exists()
    assert first["accounts"]["clinician"]["password"] not in out.getvalue()
    assert CheckIn.objects.filter(assessment__clinic__name="Demo clinic").count() == check_ins
    assert get_user_model().objects.filter(username__startswith="demo-").count() == 2


def test_createclinic_prints_an_invite_code_a_clinician_can_be_made_with_and_a_working_link(client, monkeypatch):
    out = io.StringIO()
    call_command("createclinic", "Riverside  Physio", stdout=out)
    clinic = Clinic.objects.get(name="Riverside Physio")
    printed = out.getvalue()
    assert f"Invite code: {clinic.code}" in printed
    assert f"http://127.0.0.1:8000/c/{clinic.code}/" in printed
    invite = client.get(f"/c/{clinic.code}/")
    assert invite.status_code == 200
    assert "Riverside Physio" in invite.content.decode()
    monkeypatch.setenv("CLINICIAN_PASSWORD", "a-long-enough-passphrase-1")
    call_command("createclinician", "dana", "--clinic", clinic.code, "--no-input", stdout=io.StringIO())
    assert clinic.clinicians.filter(username="dana").exists()


def test_createclinic_refuses_a_name_taken_or_empty_and_changes_nothing():
    call_command("createclinic", "Riverside Physio", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("createclinic", "riverside physio", stdout=io.StringIO())
    with pytest.raises(CommandError, match="needs a name"):
        call_command("createclinic", "   ", stdout=io.StringIO())
    assert Clinic.objects.count() == 1


@pytest.mark.parametrize("debug", ["1", "0"])
def test_a_warning_is_logged_once_and_the_dev_servers_request_lines_keep_their_format(debug):
    script = (
        "import logging;"
        "logging.getLogger('django.request').warning('Not Found: /nowhere/');"
        "logging.getLogger('django.server').info('GET /x');"
        "logging.getLogger('assessments').warning('app warning')"
    )
    done = run_manage("shell", "-v0", "-c", script, env={"DEBUG": debug, "SECRET_KEY": "x"})
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("Not Found: /nowhere/") == 1
    assert done.stderr.count("app warning") == 1
    assert [line for line in done.stderr.splitlines() if "GET /x" in line][0].startswith("[")
