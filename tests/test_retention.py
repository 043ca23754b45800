"""Data has a lifetime: `manage.py purge` deletes what is past its retention, and a runner can
download everything stored about them."""

import io
import json
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from clinics.models import AccessRecord, Clinic
from programs.models import CheckIn, Tick, record_check_in
from tests.personas import runner_with, stored_assessment

pytestmark = pytest.mark.django_db


def stored(nickname, clinic=None, days_ago=0, check_in_days_ago=None):
    assessment = stored_assessment(runner_with(nickname=nickname), clinic=clinic)
    Assessment.objects.filter(pk=assessment.pk).update(created=timezone.now() - timedelta(days=days_ago))
    assessment.refresh_from_db()
    if check_in_days_ago is not None:
        day = timezone.localdate() - timedelta(days=check_in_days_ago)
        record_check_in(CheckIn.objects.create(assessment=assessment, day=day, pain_now=2, routine_done="all"))
    return assessment


def purge(**options) -> str:
    out = io.StringIO()
    call_command("purge", stdout=out, **options)
    return out.getvalue()


def nicknames() -> set[str]:
    return set(Assessment.objects.values_list("nickname", flat=True))


def test_purge_deletes_what_no_clinic_keeps_a_year_after_the_last_activity(settings):
    settings.RETENTION_DAYS = 365
    old = stored("old", days_ago=400)
    stored("still-checking-in", days_ago=400, check_in_days_ago=10)
    stored("recent", days_ago=30)
    CheckIn.objects.create(
        assessment=old, day=timezone.localdate() - timedelta(days=390), pain_now=3, routine_done="all"
    )
    Tick.objects.create(assessment=old, day=timezone.localdate() - timedelta(days=390), exercise="glute-bridge")

    assert "1 assessment deleted" in purge()
    assert nicknames() == {"still-checking-in", "recent"}
    assert not CheckIn.objects.filter(assessment_id=old.pk).exists()
    assert not Tick.objects.filter(assessment_id=old.pk).exists()
    # Safe to schedule: a second run finds nothing more.
    assert "0 assessments deleted" in purge()


def test_a_clinic_keeps_its_runners_records_unless_it_sets_a_retention(settings):
    settings.RETENTION_DAYS = 365
    keeps = Clinic.objects.create(name="Keeps")
    short = Clinic.objects.create(name="Short", retention_days=90)
    stored("kept by the clinic", clinic=keeps, days_ago=2000)
    stored("past the clinic's 90 days", clinic=short, days_ago=100)
    stored("within the clinic's 90 days", clinic=short, days_ago=60)
    purge()
    assert nicknames() == {"kept by the clinic", "within the clinic's 90 days"}


def test_retention_days_0_keeps_everything_and_a_dry_run_deletes_nothing(settings):
    stored("old", days_ago=4000)
    settings.RETENTION_DAYS = 365
    assert "Would delete 1 assessments" in purge(dry_run=True)
    assert nicknames() == {"old"}
    settings.RETENTION_DAYS = 0
    purge()
    assert nicknames() == {"old"}


def test_purge_deletes_expired_sessions_and_keeps_live_ones():
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="", expire_date=now - timedelta(hours=1))
    Session.objects.create(session_key="b" * 32, session_data="", expire_date=now + timedelta(hours=1))
    purge()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]


def test_the_access_records_outlive_a_purge(settings):
    settings.RETENTION_DAYS = 365
    old = stored("old", days_ago=400)
    AccessRecord.objects.create(
        username="dana", action=AccessRecord.Action.OPENED, assessment=old, reference=old.reference
    )
    purge()
    assert AccessRecord.objects.get().reference == old.reference


def test_a_clinic_cannot_set_a_retention_shorter_than_30_days():
    with pytest.raises(ValidationError, match="at least 30 days"):
        Clinic(name="Hasty", retention_days=7).full_clean()


# --- the runner's own data -------------------------------------------------------------------


def test_a_runner_downloads_everything_stored_about_them(client):
    clinic = Clinic.objects.create(name="Riverside Physio")
    sam = stored("Sam", clinic=clinic, days_ago=3, check_in_days_ago=1)
    Tick.objects.create(assessment=sam, day=timezone.localdate(), exercise="glute-bridge")
    Assessment.objects.filter(pk=sam.pk).update(clinician_notes="clinic only")

    result = client.get(reverse("assessments:result", kwargs={"token": sam.token})).content.decode()
    url = reverse("programs:my_data", kwargs={"token": sam.token})
    assert url in result

    response = client.get(url)
    assert response["Content-Disposition"].startswith('attachment; filename="back-check-my-data-')
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["answers"]["nickname"] == "Sam" and data["shared_with_clinic"] == "Riverside Physio"
    assert data["result"]["tier"] == sam.tier
    assert [c["pain"] for c in data["check_ins"]] == [2]
    assert data["exercises_ticked_done"] == [{"day": timezone.localdate().isoformat(), "exercise": "glute-bridge"}]
    assert any(row["answer"] for section in data["answers_in_words"] for row in section["answers"])
    assert "clinic only" not in response.content.decode()  # the clinic's notes are the clinic's record


def test_a_runner_downloads_their_answers_as_a_fhir_questionnaire_response(client):
    sam = stored("Sam")
    response = client.get(reverse("programs:my_data_fhir", kwargs={"token": sam.token}))
    assert response["Content-Type"].startswith("application/fhir+json")
    data = json.loads(response.content)
    assert data["resourceType"] == "QuestionnaireResponse" and data["status"] == "completed"
    assert sam.token not in response.content.decode()


def test_there_is_no_data_to_download_without_the_private_link(client):
    for name in ("programs:my_data", "programs:my_data_fhir"):
        assert client.get(reverse(name, kwargs={"token": "x" * 43})).status_code == 404
