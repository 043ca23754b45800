"""A clinic's outcomes page in the admin: the figures against a small data set worked out by
hand, who may see which clinic's, bad periods, the CSV and the query budget."""

import csv
import io
from datetime import datetime, time, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from clinics.models import Clinic
from clinics.permissions import ensure_clinicians_group
from programs.models import CheckIn, record_check_in
from review import outcomes
from tests.personas import runner_with

pytestmark = pytest.mark.django_db

URL = reverse("admin:outcomes")


def started(clinic, nickname, days_ago, pain, urgent=False):
    """A runner of the clinic who answered `days_ago` days ago, at 10:00."""
    answers = runner_with(nickname=nickname, pain_now=pain, **({"fever_unwell": True} if urgent else {}))
    a = Assessment.objects.create_from_answers(answers, clinic=clinic)
    day = timezone.localdate() - timedelta(days=days_ago)
    a.created = timezone.make_aware(datetime.combine(day, time(10)))
    Assessment.objects.filter(pk=a.pk).update(created=a.created)
    return a


def checked_in(a, offset, pain, done):
    """A check-in on day `offset` of the plan (0 is the day the runner answered)."""
    day = timezone.localdate(a.created) + timedelta(days=offset)
    record_check_in(CheckIn.objects.create(assessment=a, day=day, pain_now=pain, routine_done=done))


def reviewed_after(a, hours):
    Assessment.objects.filter(pk=a.pk).update(reviewed=True, reviewed_at=a.created + timedelta(hours=hours))


@pytest.fixture
def clinics(db):
    group = ensure_clinicians_group()
    a, b = Clinic.objects.create(name="Harbour Physio"), Clinic.objects.create(name="Hillside Sports")
    dana = User.objects.create_user("dana", is_staff=True)
    dana.groups.add(group)
    a.clinicians.add(dana)
    olga = User.objects.create_user("olga", is_staff=True)
    olga.groups.add(group)
    b.clinicians.add(olga)

    ann = started(a, "Ann", 30, 6)  # 6 -> 3: better (3 points)
    checked_in(ann, 0, 5, "all")
    checked_in(ann, 8, 4, "some")
    checked_in(ann, 15, 3, "all")
    ben = started(a, "Ben", 20, 3)  # 3 -> 2: better (1 point is 33%)
    checked_in(ben, 1, 3, "none")
    checked_in(ben, 9, 2, "all")
    cat = started(a, "Cat", 10, 4, urgent=True)  # 4 -> 6: worse
    checked_in(cat, 2, 6, "some")
    reviewed_after(cat, 5)
    started(a, "Dan", 3, 5, urgent=True)  # no check-in, never reviewed
    eve = started(a, "Eve", 50, 3, urgent=True)  # 3 -> 3: the same
    Assessment.objects.filter(pk=eve.pk).update(tier=Assessment.Tier.EMERGENCY)
    checked_in(eve, 0, 3, "none")
    reviewed_after(eve, 30)
    # Not counted: clinic A's runner from before the last 90 days, clinic B's runner.
    old = started(a, "Old", 100, 8)
    checked_in(old, 0, 8, "none")
    bob = started(b, "Bob-of-Hillside", 5, 9, urgent=True)
    checked_in(bob, 0, 1, "all")
    return a, b, dana, olga


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def test_the_last_90_days_figures_match_the_ones_worked_out_by_hand(clinics):
    a, *_ = clinics
    today = timezone.localdate()
    o = outcomes.outcomes(a.pk, today - timedelta(days=89), today, today)

    assert o.started == 5
    assert {tier: n for tier, _, n in o.triage} == {"emergency": 1, "urgent": 2, "routine": 0, "self_care": 2}
    # Changes -3, -1, +2, 0: the median of four is (-1 + 0) / 2.
    assert (o.with_check_in, o.median_change) == (4, -0.5)
    assert (o.better, o.same, o.worse) == (2, 1, 1)
    assert (o.check_ins, o.done_all, o.done_some, o.done_none) == (7, 3, 2, 2)
    # (week, runners whose week is over, of them with a check-in in it): Dan's first week is not
    # over, Cat's second, Ben's third.
    assert o.retention == [(1, 4, 4), (2, 3, 2), (3, 2, 1), (4, 2, 0)]
    # Cat, Dan and Eve: reviewed after 5 and 30 hours, Dan not yet.
    assert (o.needing_review, o.not_reviewed, o.reviewed_in_a_day, o.reviewed_in_two_days) == (3, 1, 1, 2)
    assert o.median_review == timedelta(hours=17.5)


def test_a_shorter_period_counts_only_the_runners_who_started_in_it(clinics):
    a, *_ = clinics
    today = timezone.localdate()
    o = outcomes.outcomes(a.pk, today - timedelta(days=12), today - timedelta(days=4), today)
    assert o.started == 1  # Cat
    assert (o.with_check_in, o.median_change, o.worse) == (1, 2, 1)
    assert o.retention == [(1, 1, 1), (2, 0, 0), (3, 0, 0), (4, 0, 0)]


def test_the_clinician_sees_their_clinics_charts_and_table_and_nothing_of_another_clinic(clinics):
    a, b, dana, _ = clinics
    response = logged_in(dana).get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Harbour Physio" in page and "Hillside Sports" not in page
    assert page.count('role="img"') == 5 and page.count("<title id=") == 5
    assert "Median time to review: 17.5 hours. Not yet reviewed: 1." in page
    assert '<th scope="row">Week 2</th><td>2</td><td>3</td><td>67%</td>' in page

    assert logged_in(dana).get(URL, {"clinic": b.pk}).status_code == 404
    assert logged_in(dana).get(URL, {"clinic": b.pk, "format": "csv"}).status_code == 404


def test_a_superuser_chooses_the_clinic(clinics):
    a, b, *_ = clinics
    boss = logged_in(User.objects.create_superuser("boss"))
    page = boss.get(URL, {"clinic": b.pk}).content.decode()
    assert "Outcomes: Hillside Sports" in page and "Runners who started" in page
    assert f'<option value="{a.pk}">Harbour Physio</option>' in page
    assert boss.get(URL, {"clinic": "999999"}).status_code == 404


def test_a_staff_user_without_the_clinicians_permissions_is_refused(clinics):
    stranger = User.objects.create_user("stranger", is_staff=True)
    assert logged_in(stranger).get(URL).status_code == 403


@pytest.mark.parametrize(
    "params, message",
    [
        ({"start": "2026-13-40"}, "From: Enter a valid date."),
        ({"start": "2030-01-10", "end": "2030-01-01"}, "The first day must be on or before the last day."),
        ({"start": "2000-01-01", "end": "2026-01-01"}, "Choose a period of at most 1098 days."),
        ({"start": "3000-01-01", "end": "3000-01-02"}, "The period must start today or earlier"),
    ],
)
def test_a_bad_period_gets_a_clear_message_not_a_server_error(clinics, params, message):
    _, _, dana, _ = clinics
    response = logged_in(dana).get(URL, params)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert logged_in(dana).get(URL, {**params, "format": "csv"}).status_code == 400


def test_the_csv_download_holds_every_figure_of_the_page(clinics):
    a, _, dana, _ = clinics
    today = timezone.localdate()
    start = today - timedelta(days=89)
    response = logged_in(dana).get(URL, {"start": str(start), "end": str(today), "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"].startswith(f'attachment; filename="outcomes-{a.pk}-')
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["clinic", "from", "to", "figure", "measure", "count", "out of", "share"]
    by_measure = {(r[3], r[4]): r[5:] for r in rows[1:]}
    assert all(r[:3] == ["Harbour Physio", str(start), str(today)] for r in rows[1:])
    assert by_measure["Runners started", "runners"] == ["5", "", ""]
    assert by_measure["Triage mix", "Urgent"] == ["2", "5", "40%"]
    assert by_measure["Pain from the start to the latest check-in", "Meaningfully better"] == ["2", "4", "50%"]
    assert by_measure["Pain from the start to the latest check-in", "median change (points)"] == ["-0.5", "", ""]
    assert by_measure["Plan adherence: routine done at check-ins", "In full"] == ["3", "7", "43%"]
    assert by_measure["Check-ins by week of the plan", "Week 3"] == ["1", "2", "50%"]
    title = "Urgent and emergency results: time to a clinician's review"
    assert by_measure[title, "Not yet reviewed"] == ["1", "3", "33%"]
    assert by_measure["Urgent and emergency results", "median hours to review"] == ["17.5", "", ""]
    assert "Bob-of-Hillside" not in response.content.decode()


def test_the_page_takes_a_fixed_number_of_queries_however_many_runners(clinics, django_assert_max_num_queries):
    a, _, dana, _ = clinics
    client = logged_in(dana)
    client.get(URL)  # the session and the user, cached from here like any admin page
    for n in range(20):
        runner = started(a, f"More{n}", n + 1, 5, urgent=bool(n % 2))
        checked_in(runner, 0, 4, "all")
        reviewed_after(runner, n)
    # The session, the user, their permissions (2), their clinics' ids, the clinics, then the
    # figures: one aggregate, one distribution of pains, the middle review times.
    with django_assert_max_num_queries(9):
        assert client.get(URL).status_code == 200


def test_each_check_in_keeps_the_runners_counts_and_weeks_for_the_outcomes(clinics):
    ann = Assessment.objects.get(nickname="Ann")
    assert (ann.check_ins_total, ann.check_ins_done_all, ann.check_ins_done_some) == (3, 2, 1)
    assert ann.check_in_weeks == 0b111  # weeks 1, 2 and 3
    # The same day checked in again replaces that day's check-in: still three.
    check_in = ann.check_ins.get(day=timezone.localdate(ann.created) + timedelta(days=15))
    check_in.routine_done = "none"
    check_in.save()
    record_check_in(check_in)
    ann.refresh_from_db()
    assert (ann.check_ins_total, ann.check_ins_done_all, ann.check_ins_done_some) == (3, 1, 1)


@pytest.mark.parametrize(
    ("median", "words"),
    [
        (-1.0, "down 1 point"),
        (-0.5, "down 0.5 points"),
        (2.0, "up 2 points"),
        (0.0, "no change"),
        (None, "no check-ins"),
    ],
)
def test_the_median_change_reads_in_words(median, words):
    assert outcomes.points(median) == words
