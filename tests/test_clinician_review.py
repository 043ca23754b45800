"""The clinician's journey: invite link, clinician account, review queue, one assessment, review, export.

Scoping between clinics is tested URL by URL in test_admin_scoping.py; this file tests what a
clinician of one clinic does with their own runners.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from assessments.models import URGENCY, Assessment
from assessments.scoring import ROUTINE
from clinics.models import AccessRecord, Clinic
from clinics.permissions import CLINICIAN_PERMISSIONS, CLINICIANS, ensure_clinicians_group
from programs.models import CheckIn
from tests.personas import check_in_data, runner_with, stored_assessment, submit_answers
from tests.processes import run_manage

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:assessments_assessment_changelist")


def change_url(assessment):
    return reverse("admin:assessments_assessment_change", args=[assessment.pk])


@pytest.fixture
def clinic():
    return Clinic.objects.create(name="Riverside Physio")


@pytest.fixture
def clinician(clinic):
    user = User.objects.create_user("dana", password="a-long-passphrase-for-dana", is_staff=True)
    user.groups.add(ensure_clinicians_group())
    clinic.clinicians.add(user)
    return user


@pytest.fixture
def browser(client, clinician):
    client.force_login(clinician)
    return client


def assessment_of(clinic, created_days_ago=0, **answers):
    assessment = stored_assessment(runner_with(**answers), clinic=clinic)
    if created_days_ago:
        Assessment.objects.filter(pk=assessment.pk).update(created=timezone.now() - timedelta(days=created_days_ago))
        assessment.refresh_from_db()
    return assessment


def rows(response) -> list[str]:
    """The nicknames of the changelist's rows, top to bottom."""
    return [a.nickname for a in response.context["cl"].result_list]


# --- the invite link -------------------------------------------------------------------------


def test_the_invite_link_names_the_clinic_and_its_check_is_shared_with_it(client, clinic):
    landing = client.get(clinic.invite_path())
    assert landing.status_code == 200
    assert "Riverside Physio" in landing.content.decode()
    assert landing.headers["X-Robots-Tag"] == "noindex, nofollow"

    consent = client.get(reverse("assessments:questionnaire"))
    assert "Shared with Riverside Physio" in consent.content.decode()

    response = submit_answers(client, runner_with(nickname="Kim"))
    assert response.status_code == 302
    assert Assessment.objects.get(nickname="Kim").clinic == clinic
    result = client.get(response["Location"]).content.decode()
    assert "Shared with Riverside Physio: its clinicians can see your answers" in result


def test_a_check_started_from_the_home_page_belongs_to_no_clinic(client, clinic):
    client.get("/")
    consent = client.get(reverse("assessments:questionnaire"))
    assert "Shared with" not in consent.content.decode()
    submit_answers(client, runner_with(nickname="Lee"))
    assert Assessment.objects.get(nickname="Lee").clinic is None


def test_a_runner_can_choose_not_to_share_with_the_clinic(client, clinic):
    client.get(clinic.invite_path())
    response = client.post(reverse("clinics:leave"), follow=True)
    assert "will not be shared with Riverside Physio" in response.content.decode()
    submit_answers(client, runner_with(nickname="Max"))
    assert Assessment.objects.get(nickname="Max").clinic is None


def test_an_unknown_invite_code_is_a_plain_not_found_page(client, clinic):
    response = client.get(reverse("clinics:invite", kwargs={"code": "not-a-real-code-123"}))
    assert response.status_code == 404
    assert "clinic_id" not in client.session


def test_invite_codes_are_long_and_random():
    codes = {Clinic.objects.create(name=f"Clinic {i}").code for i in range(20)}
    assert len(codes) == 20
    assert all(len(code) >= 16 for code in codes)


# --- clinicians and their group ---------------------------------------------------------------


def test_the_clinicians_group_has_only_the_permissions_a_clinician_needs():
    group = Group.objects.get(name=CLINICIANS)  # made by migrate
    held = {(p.content_type.app_label, p.codename) for p in group.permissions.select_related("content_type")}
    assert held == set(CLINICIAN_PERMISSIONS)
    assert ("assessments", "delete_assessment") not in held
    assert not any(app == "auth" or codename.endswith("accessrecord") for app, codename in held)


def test_the_group_is_reset_to_its_permissions_if_someone_widened_it():
    group = ensure_clinicians_group()
    group.permissions.add(*Permission.objects.all())
    ensure_clinicians_group()
    assert group.permissions.count() == len(CLINICIAN_PERMISSIONS)


def test_createclinician_makes_a_staff_user_of_the_clinic_with_the_password_from_the_environment(
    clinic, monkeypatch, capsys
):
    monkeypatch.setenv("CLINICIAN_PASSWORD", "correct-horse-battery-staple")
    call_command("createclinician", "erin", "--clinic", clinic.code, "--email", "erin@example.org", "--no-input")
    user = User.objects.get(username="erin")
    assert user.is_staff and not user.is_superuser
    assert user.check_password("correct-horse-battery-staple")
    assert list(user.groups.values_list("name", flat=True)) == [CLINICIANS]
    assert list(user.clinics.all()) == [clinic]
    assert "created for Riverside Physio" in capsys.readouterr().out


def test_createclinician_asks_for_the_password_twice_when_there_is_no_variable(clinic, monkeypatch):
    monkeypatch.delenv("CLINICIAN_PASSWORD", raising=False)
    answers = iter(["first-try-passphrase", "different", "a-good-long-passphrase", "a-good-long-passphrase"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    call_command("createclinician", "fran", "--clinic", clinic.code)
    assert User.objects.get(username="fran").check_password("a-good-long-passphrase")


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["gil", "--clinic", "no-such-code-0000"], {"CLINICIAN_PASSWORD": "a-good-long-passphrase"}, "No clinic"),
        (["gil", "--clinic", "{code}", "--no-input"], {}, "No password"),
        (["gil", "--clinic", "{code}"], {"CLINICIAN_PASSWORD": "12345678"}, "too weak"),
        (["dana", "--clinic", "{code}"], {"CLINICIAN_PASSWORD": "a-good-long-passphrase"}, "already exists"),
    ],
)
def test_createclinician_refuses_bad_requests_and_creates_nothing(clinic, clinician, monkeypatch, args, env, message):
    monkeypatch.delenv("CLINICIAN_PASSWORD", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    users = User.objects.count()
    with pytest.raises(CommandError, match=message):
        call_command("createclinician", *[a.format(code=clinic.code) for a in args])
    assert User.objects.count() == users


def test_createclinician_never_takes_the_password_as_an_argument(clinic):
    result = run_manage("createclinician", "hal", "--clinic", clinic.code, "--password", "x", env={"DEBUG": "1"})
    assert result.returncode != 0
    assert "unrecognized arguments: --password" in result.stderr


# --- the review queue ------------------------------------------------------------------------


def test_the_queue_puts_unreviewed_and_urgent_first(browser, clinic):
    assessment_of(clinic, nickname="calm-new")
    assessment_of(clinic, created_days_ago=3, nickname="urgent-old", night_pain=True)
    assessment_of(clinic, created_days_ago=1, nickname="emergency", saddle_numbness=True)
    done = assessment_of(clinic, nickname="emergency-reviewed", saddle_numbness=True)
    Assessment.objects.filter(pk=done.pk).update(reviewed=True)
    assessment_of(clinic, created_days_ago=2, nickname="calm-old")

    response = browser.get(CHANGELIST)
    assert rows(response) == ["emergency", "urgent-old", "calm-new", "calm-old", "emergency-reviewed"]


def queue_row(browser, nickname: str) -> str:
    """The text of one runner's row in the queue, cells separated by " | "."""
    html = browser.get(CHANGELIST, {"q": nickname}).content.decode()
    body = html.index("<tbody>")
    row = html[html.index("<tr", body) : html.index("</tr>", body)]
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.split(r"</t[dh]>", row)]
    return " | ".join(cell for cell in cells if cell)


def test_the_queue_shows_triage_in_words(browser, clinic):
    assessment = assessment_of(clinic, nickname="Noor", saddle_numbness=True)
    html = browser.get(CHANGELIST).content.decode()
    assert "Emergency</span>" in html
    assert 'aria-hidden="true">!!</span>' in html  # the symbol is decoration; the word carries it
    assert f"Noor · {assessment.reference}" in html
    assert "| Pain: not asked | Plan today: Stopped |" in queue_row(browser, "Noor")


def test_the_queue_shows_the_runner_now_and_follows_each_check_in(client, browser, clinic):
    ben = assessment_of(clinic, created_days_ago=3, nickname="Ben", pain_now=3)
    assert "| Pain: 3 at the start | Plan today: Full plan | Latest check-in: none |" in queue_row(browser, "Ben")

    check_in(client, ben, pain_now="6")  # 3 points up: a rest day today and tomorrow
    today = timezone.localdate()
    assert (ben.latest_check_in, ben.latest_pain, ben.rest_until) == (today, 6, today + timedelta(days=1))
    row = queue_row(browser, "Ben")
    assert "| Pain: 3 → 6, worse | Plan today: Rest day |" in row
    assert rows(browser.get(CHANGELIST, {"flag": "rest_day"})) == ["Ben"]

    check_in(client, ben, pain_now="1")  # the same day, answered again: 2 points down
    assert "| Pain: 3 → 1, better | Plan today: Full plan |" in queue_row(browser, "Ben")
    assert rows(browser.get(CHANGELIST, {"flag": "rest_day"})) == []
    # Sorted by the latest pain, both ways.
    cara = assessment_of(clinic, nickname="Cara")
    Assessment.objects.filter(pk=cara.pk).update(latest_pain=5)
    assert rows(browser.get(CHANGELIST, {"o": "3"})) == ["Ben", "Cara"]
    assert rows(browser.get(CHANGELIST, {"o": "-3"})) == ["Cara", "Ben"]


def test_check_ins_that_turn_a_plan_gentle_put_the_runner_back_in_the_queue_to_see_a_professional(
    client, browser, clinic
):
    today = timezone.localdate()
    kai = assessment_of(clinic, created_days_ago=4, nickname="Kai", pain_now=3)
    Assessment.objects.filter(pk=kai.pk).update(reviewed=True)
    assert rows(browser.get(CHANGELIST, {"flag": "none"})) == ["Kai"]
    # Pain above the start at 2 of the latest 3 check-ins: "see a professional", gentle movement only.
    for days_ago in (1, 0):
        check_in(client, kai, pain_now="4", day=(today - timedelta(days=days_ago)).isoformat())
    assert (kai.plan_status, kai.reviewed, kai.urgency) == ("gentle", False, URGENCY[ROUTINE])
    row = queue_row(browser, "Kai")
    assert "See a professional: raised by the check-ins" in row
    assert "| Pain: 3 → 4, up 1 | Plan today: Gentle only |" in row
    assert rows(browser.get(CHANGELIST, {"flag": "see_professional"})) == ["Kai"]
    assert rows(browser.get(CHANGELIST, {"flag": "none"})) == []
    assert "Kai" in browser.get(reverse("admin:index")).content.decode()  # needs attention again
    # Said once: a later check-in does not send a reviewed runner back again.
    Assessment.objects.filter(pk=kai.pk).update(reviewed=True)
    check_in(client, kai, pain_now="4")
    assert kai.reviewed


def test_the_queue_says_gentle_only_while_a_professional_should_look(client, browser, clinic):
    assessment_of(clinic, nickname="Uma", night_pain=True)
    assert "| Plan today: Gentle only |" in queue_row(browser, "Uma")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("tier=emergency", ["Em"]),
        ("flag=rest_day", ["Rest"]),
        ("flag=see_professional", ["Em", "Ur"]),
        ("flag=none", ["Calm"]),
        ("reviewed__exact=1", ["Done"]),
        ("top_imbalance__exact=tight_hip_flexors", ["Hips"]),
    ],
)
def test_the_queue_filters_by_triage_flag_review_and_imbalance(browser, clinic, query, expected):
    assessment_of(clinic, nickname="Em", saddle_numbness=True)
    assessment_of(clinic, nickname="Ur", night_pain=True)
    assessment_of(clinic, nickname="Rest", pain_now=8)
    assessment_of(clinic, nickname="Calm")
    assessment_of(clinic, nickname="Hips", hip_flexor_test="both_sides", sitting_hours=9)
    done = assessment_of(clinic, nickname="Done")
    Assessment.objects.filter(pk=done.pk).update(reviewed=True)
    names = rows(browser.get(f"{CHANGELIST}?{query}"))
    for name in expected:
        assert name in names
    if query.startswith(("tier", "flag=rest", "reviewed")):
        assert sorted(names) == sorted(expected)


def test_the_queue_finds_a_runner_by_nickname_or_by_the_start_of_their_link(browser, clinic):
    kim = assessment_of(clinic, nickname="Kimberly")
    other = assessment_of(clinic, nickname="Oscar")
    assert rows(browser.get(CHANGELIST, {"q": "kimber"})) == ["Kimberly"]
    assert rows(browser.get(CHANGELIST, {"q": other.reference[:6]})) == ["Oscar"]
    assert rows(browser.get(CHANGELIST, {"q": kim.reference})) == ["Kimberly"]


def test_no_search_or_filter_spells_out_more_of_a_private_link_than_the_reference(browser, clinic):
    kim = assessment_of(clinic, nickname="Kimberly")
    assert rows(browser.get(CHANGELIST, {"q": kim.token[:9]})) == []
    assert rows(browser.get(CHANGELIST, {"q": kim.token})) == []
    assert browser.get(CHANGELIST, {"token__startswith": kim.token[:12]}).status_code == 400
    assert browser.get(CHANGELIST, {"token": kim.token}).status_code == 400


def test_the_queue_uses_the_same_queries_for_few_or_many_rows(browser, clinic, django_assert_max_num_queries):
    for i in range(3):
        CheckIn.objects.create(
            assessment=assessment_of(clinic, nickname=f"r{i}"), day=timezone.localdate(), pain_now=3, routine_done="all"
        )
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        browser.get(CHANGELIST)
    for i in range(25):
        CheckIn.objects.create(
            assessment=assessment_of(clinic, nickname=f"s{i}"), day=timezone.localdate(), pain_now=3, routine_done="all"
        )
    with CaptureQueriesContext(connection) as many:
        browser.get(CHANGELIST)
    assert len(many) == len(few)
    assert len(few) <= 10


def test_the_queue_does_not_count_every_row_of_a_large_table():
    from django.contrib import admin

    assert admin.site._registry[Assessment].show_full_result_count is False


# --- one assessment --------------------------------------------------------------------------


def test_an_assessment_reads_as_questions_and_answers_with_scores_reasons_plan_and_check_ins(browser, clinic):
    assessment = assessment_of(clinic, nickname="Ava", hip_flexor_test="both_sides", sitting_hours=9)
    CheckIn.objects.create(
        assessment=assessment, day=timezone.localdate(), pain_now=2, routine_done="some", note="felt stiff"
    )
    response = browser.get(change_url(assessment))
    html = response.content.decode()
    assert response.status_code == 200
    # answers in plain words, grouped by section
    assert "About how far do you run in a week?" in html
    assert "Fitted in a running shop" in html
    assert '"weekly_distance"' not in html  # no raw JSON
    # scores as bars with their reasons
    assert '<meter min="0" max="100"' in html
    assert "Tight hip flexors" in html
    assert "in the hip-front check your other thigh lifted on both sides (movement check)" in html
    # triage, plan, check-ins and chart
    assert "Self-care looks right for now" in html
    assert "Full plan" in html
    assert "felt stiff" in html
    assert "Chart of the runner&#x27;s pain" in html or "Chart of the runner's pain" in html
    assert "The runner&#x27;s pain was 3 out of 10 at the start and 2" in html or "The runner's pain was 3" in html
    # the engine's data is not a form field
    form_fields = set(response.context["adminform"].form.fields)
    assert form_fields == {"clinician_notes", "follow_up", "reviewed", "seen"}


def test_an_emergency_assessment_shows_its_reasons_and_no_exercises(browser, clinic):
    assessment = assessment_of(clinic, nickname="Sol", saddle_numbness=True)
    html = browser.get(change_url(assessment)).content.decode()
    assert "Seek emergency care now" in html
    assert "numbness or tingling in the saddle area" in html
    assert "Stopped: no exercises" in html
    # No pain was asked and no check-in can follow: no empty chart, the reason in words.
    assert "progress-chart" not in html
    assert "pain was not asked: the questionnaire ended at an emergency warning sign" in html


def test_opening_an_assessment_is_recorded_and_visible_to_superusers_only(client, browser, clinician, clinic):
    assessment = assessment_of(clinic, nickname="Ivy")
    browser.get(change_url(assessment))
    browser.get(change_url(assessment))
    records = AccessRecord.objects.filter(assessment=assessment)
    assert [(r.username, r.action) for r in records] == [("dana", "opened")] * 2
    assert "Who opened this assessment" not in browser.get(change_url(assessment)).content.decode()
    assert browser.get(reverse("admin:clinics_accessrecord_changelist")).status_code == 403

    boss = User.objects.create_superuser("boss", password="x-very-long-password")
    client.force_login(boss)
    page = client.get(change_url(assessment)).content.decode()
    assert "Who opened this assessment" in page and "dana, opened the assessment" in page
    listing = client.get(reverse("admin:clinics_accessrecord_changelist")).content.decode()
    assert assessment.reference in listing


def test_the_access_record_outlives_the_runner_deleting_their_answers(browser, clinic):
    assessment = assessment_of(clinic, nickname="Gone")
    browser.get(change_url(assessment))
    reference = assessment.reference
    assessment.delete()
    record = AccessRecord.objects.get()
    assert record.assessment is None and record.reference == reference


def test_marking_reviewed_records_who_and_when_and_keeps_the_runners_data(browser, clinician, clinic):
    assessment = assessment_of(clinic, nickname="Bo")
    before = Assessment.objects.values("answers", "result", "triage", "tier", "pain_now", "token").get()
    response = browser.post(
        change_url(assessment),
        {
            "clinician_notes": "Call on Monday about running load.",
            "follow_up": "contact",
            "reviewed": "on",
            # fields that are not on the form are ignored, whatever is posted
            "triage": "emergency",
            "pain_now": "0",
            "answers": "{}",
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.clinician_notes == "Call on Monday about running load."
    assert assessment.follow_up == "contact"
    assert assessment.reviewed and assessment.reviewed_by == clinician
    assert timezone.now() - assessment.reviewed_at < timedelta(minutes=1)
    assert Assessment.objects.values("answers", "result", "triage", "tier", "pain_now", "token").get() == before

    browser.post(change_url(assessment), {"clinician_notes": "Reopened.", "follow_up": "contact"})
    assessment.refresh_from_db()
    assert not assessment.reviewed and assessment.reviewed_by is None and assessment.reviewed_at is None
    assert assessment.clinician_notes == "Reopened."


def test_two_clinicians_saving_at_once_never_lose_a_note(browser, client, clinic):
    assessment = assessment_of(clinic, nickname="Di")
    colleague = User.objects.create_user("eli", password="x-long-enough-password", is_staff=True)
    colleague.groups.add(ensure_clinicians_group())
    clinic.clinicians.add(colleague)
    client.force_login(colleague)
    # Both open the page; the colleague saves first.
    seen = browser.get(change_url(assessment)).context["adminform"].form["seen"].value()
    client.post(change_url(assessment), {"clinician_notes": "Eli's note", "follow_up": "booked", "reviewed": "on"})

    response = browser.post(
        change_url(assessment), {"clinician_notes": "Dana's note", "follow_up": "contact", "seen": seen}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "While you were writing, eli saved a review" in html and "so yours was not saved" in html
    assert "Dana&#x27;s note" in html  # still in the box, to copy
    assessment.refresh_from_db()
    assert assessment.clinician_notes == "Eli's note" and assessment.reviewed_by.username == "eli"


def test_a_bad_review_is_refused_with_a_message_and_changes_nothing(browser, clinic):
    assessment = assessment_of(clinic, nickname="Cy")
    response = browser.post(change_url(assessment), {"clinician_notes": "x", "follow_up": "maybe-later"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.clinician_notes == ""


def test_the_mark_reviewed_action_marks_the_selection_only(browser, clinician, clinic):
    first, second, third = (assessment_of(clinic, nickname=n) for n in ("one", "two", "three"))
    response = browser.post(
        CHANGELIST, {"action": "mark_reviewed", "_selected_action": [first.pk, second.pk], "index": 0}, follow=True
    )
    assert "2 assessments marked reviewed" in response.content.decode()
    reviewed = set(Assessment.objects.filter(reviewed=True).values_list("nickname", "reviewed_by"))
    assert reviewed == {("one", clinician.pk), ("two", clinician.pk)}


def test_the_index_lists_unreviewed_urgent_cases_of_the_last_week(browser, clinic):
    assessment_of(clinic, nickname="Recent emergency", saddle_numbness=True)
    assessment_of(clinic, nickname="Recent urgent", night_pain=True)
    assessment_of(clinic, created_days_ago=9, nickname="Old emergency", saddle_numbness=True)
    assessment_of(clinic, nickname="Calm runner")
    done = assessment_of(clinic, nickname="Seen emergency", saddle_numbness=True)
    Assessment.objects.filter(pk=done.pk).update(reviewed=True)

    html = browser.get(reverse("admin:index")).content.decode()
    assert "Needs attention" in html
    assert html.index("Recent emergency") < html.index("Recent urgent")
    for absent in ("Old emergency", "Calm runner", "Seen emergency"):
        assert absent not in html


# --- exports ---------------------------------------------------------------------------------


def export(browser, action, assessments):
    response = browser.post(CHANGELIST, {"action": action, "_selected_action": [a.pk for a in assessments], "index": 0})
    assert response.status_code == 200
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8-sig"), response


def test_the_csv_export_has_one_row_per_assessment_with_answers_scores_and_flags(browser, clinic):
    hips = assessment_of(clinic, nickname="Hips", hip_flexor_test="both_sides", sitting_hours=9)
    legs = assessment_of(clinic, nickname="Legs", pain_areas=["lower_back_centre", "below_knee"])
    check_in(browser, hips, pain_now="2")  # as a runner checks in: the assessment keeps it
    text, response = export(browser, "export_csv", [hips, legs])
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    table = {row["Nickname"]: row for row in csv.DictReader(io.StringIO(text))}
    assert set(table) == {"Hips", "Legs"}
    # (a reference starting with "-" is defused like any cell a spreadsheet would run as a formula)
    assert table["Hips"]["Reference"].removeprefix("'") == hips.reference
    assert table["Hips"]["Score: Tight hip flexors"] == "80"
    assert table["Hips"]["Answer: Hours a day you sit at work or at a computer"] == "9 hours"
    assert table["Hips"]["Check-ins"] == "1" and table["Hips"]["Pain at the latest check-in"] == "2"
    assert (table["Hips"]["Pain change"], table["Hips"]["Plan now"]) == ("Better", "Full plan")  # 3 -> 2 is 33% down
    # Words beside the codes a script filters on.
    assert (table["Legs"]["Triage"], table["Legs"]["Triage code"]) == ("See a professional", "see_professional")
    assert (table["Hips"]["Triage"], table["Hips"]["Tier"]) == ("Self-care", "Self-care")
    assert (table["Hips"]["Top imbalance"], table["Hips"]["Top imbalance code"]) == (
        "Tight hip flexors",
        "tight_hip_flexors",
    )
    assert "Lower back" in table["Legs"]["Answer: Where do you feel pain? Tick all that apply."]
    assert "nerve_signs" in table["Legs"]["Caution flag codes"]
    assert table["Legs"]["Check-ins"] == "0"
    assert hips.token not in text  # the private link never leaves the site
    assert AccessRecord.objects.get(action="export_csv").count == 2


def test_the_csv_export_defuses_spreadsheet_formulas(browser, clinic):
    sneaky = assessment_of(clinic, nickname="=HYPERLINK(1)")
    Assessment.objects.filter(pk=sneaky.pk).update(clinician_notes="+call")
    text, _ = export(browser, "export_csv", [sneaky])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["Nickname"] == "'=HYPERLINK(1)"
    assert row["Clinician notes"] == "'+call"


def test_the_fhir_export_is_a_bundle_of_the_questionnaire_and_the_responses_with_their_plans(browser, clinic):
    import json

    first, second = assessment_of(clinic, nickname="F1"), assessment_of(clinic, nickname="F2")
    text, response = export(browser, "export_fhir", [first, second])
    bundle = json.loads(text)
    assert response["Content-Type"] == "application/fhir+json"
    # the questionnaire of each version (the current one first), then each response with its plan
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == [
        "Questionnaire",
        "Questionnaire",
        "QuestionnaireResponse",
        "CarePlan",
        "QuestionnaireResponse",
        "CarePlan",
    ]
    assert AccessRecord.objects.get(action="export_fhir").count == 2


# --- security --------------------------------------------------------------------------------


def test_sign_in_is_locked_after_repeated_failures_with_a_clear_message(client, clinician):
    login = reverse("admin:login")
    for _ in range(5):
        client.post(login, {"username": "dana", "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    response = client.post(
        login, {"username": "dana", "password": "a-long-passphrase-for-dana"}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert "Signing in is paused" in html and "try again in" in html
    assert "_auth_user_id" not in client.session


def test_a_correct_password_signs_in_before_the_limit(client, clinician):
    login = reverse("admin:login")
    client.post(login, {"username": "dana", "password": "wrong"}, REMOTE_ADDR="10.0.0.2")
    response = client.post(
        login, {"username": "dana", "password": "a-long-passphrase-for-dana"}, REMOTE_ADDR="10.0.0.2"
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(clinician.pk)


def test_the_admin_path_comes_from_the_environment():
    result = run_manage(
        "shell", "-c", "from django.urls import reverse; print(reverse('admin:index'))",
        env={"DEBUG": "1", "ADMIN_URL": "clinic-review/"},
    )  # fmt: skip
    assert result.stdout.strip().splitlines()[-1] == "/clinic-review/", result.stderr


@pytest.mark.parametrize(
    ("value", "message"), [("r", "clashes"), ("../x", "not a URL path"), ("a b", "not a URL path")]
)
def test_a_bad_admin_path_fails_loudly(value, message):
    result = run_manage("check", env={"DEBUG": "1", "ADMIN_URL": value})
    assert result.returncode != 0
    assert message in result.stderr


def test_the_admin_gets_the_content_security_policy_at_whatever_path_it_is_moved_to(settings):
    from django.http import HttpResponse

    from backpain.middleware import CSP, ContentSecurityPolicyMiddleware

    settings.ADMIN_URL = "clinic-review/"
    middleware = ContentSecurityPolicyMiddleware(lambda request: HttpResponse("ok"))
    factory = RequestFactory()
    for path in ("/clinic-review/", "/clinic-review/assessments/assessment/", "/admin/", "/"):
        assert middleware(factory.get(path)).headers["Content-Security-Policy"] == CSP, path


# --- a warning sign at a check-in --------------------------------------------------------------


def check_in(client, assessment, **changes):
    if "warning_signs" in changes:
        changes["no_warning_signs"] = None
    data = check_in_data(**{"pain_now": "4", **changes})
    response = client.post(reverse("programs:check_in", kwargs={"token": assessment.token}), data)
    assert response.status_code == 302
    assessment.refresh_from_db()


def test_a_new_warning_sign_at_a_check_in_puts_the_runner_back_on_top_as_an_emergency(client, browser, clinic):
    old = assessment_of(clinic, created_days_ago=20, nickname="Old calm")
    Assessment.objects.filter(pk=old.pk).update(reviewed=True)
    assessment_of(clinic, nickname="New urgent", night_pain=True)

    check_in(client, old, warning_signs="bladder_bowel")

    assert old.urgency == 0 and not old.reviewed and old.warning_sign_day == timezone.localdate()
    queue = browser.get(CHANGELIST)
    assert rows(queue)[0] == "Old calm"
    assert "Emergency: warning sign at check-in" in queue.content.decode()
    assert rows(browser.get(CHANGELIST, {"flag": "check_in_sign"})) == ["Old calm"]
    index = browser.get(reverse("admin:index")).content.decode()
    assert index.index("Old calm") < index.index("New urgent")
    page = browser.get(change_url(old)).content.decode()
    assert page.index("warning sign reported at a check-in stopped the plan") < page.index("At the start")
    assert "New bladder or bowel" in page or "bladder or bowel" in page.lower()
    text, _ = export(browser, "export_csv", [old])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row["Warning sign at a check-in (day)"] == timezone.localdate().isoformat()
    assert row["See a professional"] == "yes"


def test_a_warning_sign_the_triage_already_counted_does_not_raise_a_new_alert(client, clinic):
    urgent = assessment_of(clinic, nickname="Known", night_pain=True)
    check_in(client, urgent, warning_signs="night_pain")
    assert urgent.warning_sign_day is None and urgent.urgency == 1


def test_the_csv_and_the_list_agree_that_an_emergency_needs_a_professional(browser, clinic):
    emergency = assessment_of(clinic, nickname="Em", saddle_numbness=True)
    assert rows(browser.get(CHANGELIST, {"flag": "see_professional"})) == ["Em"]
    text, _ = export(browser, "export_csv", [emergency])
    assert next(csv.DictReader(io.StringIO(text)))["See a professional"] == "yes"


# --- smaller guarantees ------------------------------------------------------------------------


def test_a_second_check_in_the_same_browser_is_not_shared_with_the_clinic_again(client, clinic):
    client.get(clinic.invite_path())
    submit_answers(client, runner_with(nickname="First"))
    client.get("/")
    assert "Shared with" not in client.get(reverse("assessments:questionnaire")).content.decode()
    submit_answers(client, runner_with(nickname="Second"))
    assert Assessment.objects.get(nickname="First").clinic == clinic
    assert Assessment.objects.get(nickname="Second").clinic is None


@pytest.mark.parametrize("value", ["²", "١", "9" * 30, "-1", "x"])
def test_a_strange_clinic_filter_value_shows_nothing_and_never_fails(browser, clinic, value):
    assessment_of(clinic, nickname="Here")
    response = browser.get(CHANGELIST, {"clinic": value})
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert rows(response) == []


def test_a_reference_search_stays_within_the_chosen_filters(browser, clinic):
    calm = assessment_of(clinic, nickname="Calm")
    assessment_of(clinic, nickname="Em", saddle_numbness=True)
    assert rows(browser.get(CHANGELIST, {"tier": "emergency", "q": calm.reference})) == []
    assert rows(browser.get(CHANGELIST, {"tier": "self_care", "q": calm.reference})) == ["Calm"]


def test_the_fhir_export_reads_the_database_a_fixed_number_of_times(browser, clinic):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    few = [assessment_of(clinic, nickname=f"f{i}") for i in range(2)]
    many = few + [assessment_of(clinic, nickname=f"m{i}") for i in range(12)]
    with CaptureQueriesContext(connection) as small:
        export(browser, "export_fhir", few)
    with CaptureQueriesContext(connection) as large:
        export(browser, "export_fhir", many)
    assert len(large) == len(small)


def test_an_export_records_which_runners_left_the_site(browser, clinic):
    first, second = assessment_of(clinic, nickname="A1"), assessment_of(clinic, nickname="A2")
    export(browser, "export_csv", [first, second])
    record = AccessRecord.objects.get()
    assert first.reference in record.details and second.reference in record.details

    browser.post(
        CHANGELIST + "?tier=self_care",
        {"action": "export_csv", "_selected_action": [first.pk], "select_across": "1", "index": 0},
    )
    latest = AccessRecord.objects.first()
    assert latest.count == 2 and "tier=self_care" in latest.details


def test_opening_a_check_in_is_recorded_too(browser, clinic):
    assessment = assessment_of(clinic, nickname="Ci")
    entry = CheckIn.objects.create(assessment=assessment, day=timezone.localdate(), pain_now=3, routine_done="all")
    assert browser.get(reverse("admin:programs_checkin_change", args=[entry.pk])).status_code == 200
    record = AccessRecord.objects.get()
    assert record.action == "opened_check_in" and record.assessment == assessment


# --- now first: the runner's state today opens the review page ---------------------------------


def now_section(browser, assessment) -> str:
    html = browser.get(change_url(assessment)).content.decode()
    start = html.index('aria-labelledby="now-heading"')
    assert start < html.index('id="triage-heading"') < html.index('id="answers-heading"')  # now, start, answers
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html[start : html.index("</section>", start)]))


def test_the_review_page_opens_on_a_full_plan_with_pain_days_done_and_the_last_week(client, browser, clinic):
    sam = assessment_of(clinic, created_days_ago=4, nickname="Sam", pain_now=4)
    today = timezone.localdate()
    for days_ago, pain, done in ((3, 4, "all"), (2, 3, "some"), (0, 2, "all")):
        check_in(client, sam, pain_now=str(pain), routine_done=done, day=(today - timedelta(days=days_ago)).isoformat())
    now = now_section(browser, sam)
    assert "Now: Routine (day 5 of 28)" in now  # days 3 and 7 of each week are the easy ones
    assert "Full plan" in now
    assert "4/10 at the start, 2/10 at the latest check-in" in now and "down 2 points, a meaningful improvement" in now
    assert "Done in full on 2 and in part on 1 of the 5 days so far (3 check-ins)" in now
    assert "0 rest days; no new warning sign." in now


def test_the_review_page_says_today_is_a_rest_day_after_pain_rose(client, browser, clinic):
    jo = assessment_of(clinic, created_days_ago=2, nickname="Jo", pain_now=3)
    check_in(client, jo, pain_now="7")
    now = now_section(browser, jo)
    assert "Now: Rest day" in now
    assert "up 4 points, worse than at the start" in now
    assert "1 rest day;" in now


def test_the_review_page_says_gentle_only_while_a_professional_should_look(browser, clinic):
    uma = assessment_of(clinic, nickname="Uma", night_pain=True)
    now = now_section(browser, uma)
    assert "Gentle movement only, until a professional has seen the runner" in now
    assert "no check-in yet" in now


def test_the_review_page_says_stopped_and_why_after_a_warning_sign_at_a_check_in(client, browser, clinic):
    leo = assessment_of(clinic, created_days_ago=3, nickname="Leo")
    check_in(client, leo, warning_signs="bladder_bowel")
    now = now_section(browser, leo)
    assert "Now: Stopped" in now
    assert "new warning sign:" in now and "stopped the plan" in now
    assert "| Plan today: Stopped |" in queue_row(browser, "Leo")


def test_the_review_page_of_an_emergency_says_stopped_and_pain_not_asked(browser, clinic):
    ema = assessment_of(clinic, nickname="Ema", saddle_numbness=True)
    now = now_section(browser, ema)
    assert "Now: Stopped" in now and "Not asked: the questionnaire ended at an emergency warning sign." in now


def test_the_review_page_uses_a_fixed_number_of_queries(client, browser, clinic, django_assert_max_num_queries):
    sam = assessment_of(clinic, created_days_ago=10, nickname="Sam")
    today = timezone.localdate()
    for days_ago in range(8):
        check_in(client, sam, pain_now="3", day=(today - timedelta(days=days_ago)).isoformat())
    with django_assert_max_num_queries(16):
        assert browser.get(change_url(sam)).status_code == 200


def test_after_the_4_weeks_the_review_page_still_counts_the_last_weeks_rest_days(client, browser, clinic):
    liv = assessment_of(clinic, created_days_ago=40, nickname="Liv", pain_now=3)
    check_in(client, liv, pain_now="7", day=(timezone.localdate() - timedelta(days=2)).isoformat())
    now = now_section(browser, liv)
    assert "(after the 4-week plan)" in now
    assert "2 rest days;" in now  # the check-in's day and the next
