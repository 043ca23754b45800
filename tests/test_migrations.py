"""Migrations that change stored data, run on data stored before them (SQLite and PostgreSQL)."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from assessments.answers import validate_answers
from assessments.scoring import score_answers
from tests.personas import runner_with

BEFORE = [("assessments", "0003_clinic_and_review"), ("programs", "0002_check_in_name")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_earlier_assessments_get_their_urgency_and_check_in_warning_signs_flag_them():
    old = migrate(BEFORE)
    Assessment = old.get_model("assessments", "Assessment")
    CheckIn = old.get_model("programs", "CheckIn")
    clinic = old.get_model("clinics", "Clinic").objects.create(name="Old clinic", code="oldclinic0000001")
    clinician = old.get_model("auth", "User").objects.create(username="reviewer", is_staff=True)

    def stored(**answers):
        clean = validate_answers(runner_with(**answers))
        result = score_answers(clean).as_dict()
        return Assessment.objects.create(
            questionnaire_version="2026.11.1", answers=clean, result=result, triage=result["triage"],
            tier=result["tier"], rest_day=False,
            see_professional=False, pain_now=clean["pain_now"], reviewed=True, nickname=clean["nickname"],
            clinic=clinic, reviewed_by=clinician, reviewed_at=timezone.now(),
        )  # fmt: skip

    calm, urgent = stored(nickname="calm"), stored(nickname="urgent", night_pain=True)
    today = timezone.localdate()
    CheckIn.objects.create(assessment=calm, day=today, pain_now=3, routine_done="all", warning_signs=["leg_weakness"])
    CheckIn.objects.create(assessment=urgent, day=today, pain_now=3, routine_done="all", warning_signs=["night_pain"])

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Assessment = new.get_model("assessments", "Assessment")
    calm, urgent = Assessment.objects.get(nickname="calm"), Assessment.objects.get(nickname="urgent")
    assert (calm.urgency, calm.reviewed, calm.warning_sign_day) == (0, False, today)
    # Ranked by its tier (urgent); a sign the triage had already counted is not new.
    assert (urgent.urgency, urgent.reviewed, urgent.warning_sign_day) == (1, True, None)
    assert calm.reviewed_by is None and urgent.reviewed_by.username == "reviewer"


@pytest.mark.django_db(transaction=True)
def test_earlier_assessments_get_their_check_in_counts_and_weeks_for_the_clinic_outcomes():
    old = migrate([("assessments", "0010_nickname_prefix"), ("programs", "0007_clinic_exercises")])
    Assessment = old.get_model("assessments", "Assessment")
    CheckIn = old.get_model("programs", "CheckIn")
    clean = validate_answers(runner_with(nickname="kept"))
    result = score_answers(clean).as_dict()
    fields = dict(
        questionnaire_version="2026.11.2", answers=clean, result=result, triage=result["triage"], tier=result["tier"],
        rest_day=False, see_professional=False, pain_now=clean["pain_now"],
    )  # fmt: skip
    start = timezone.localdate() - timedelta(days=40)
    kept = Assessment.objects.create(nickname="kept", created=at_ten(start), **fields)
    Assessment.objects.create(nickname="silent", created=at_ten(start), **fields)
    # Days 1, 3, 15 and 30 of the plan: weeks 1, 3 and 5.
    for offset, done in ((0, "all"), (2, "some"), (14, "all"), (29, "none")):
        CheckIn.objects.create(assessment=kept, day=start + timedelta(days=offset), pain_now=3, routine_done=done)

    new = migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    Assessment = new.get_model("assessments", "Assessment")
    counts = ("check_ins_total", "check_ins_done_all", "check_ins_done_some", "check_in_weeks")
    assert Assessment.objects.values_list(*counts).get(nickname="kept") == (4, 2, 1, 0b10101)
    assert Assessment.objects.values_list(*counts).get(nickname="silent") == (0, 0, 0, 0)


def at_ten(day):
    return timezone.make_aware(datetime.combine(day, time(10)))
