"""The admin lists of runners' data at scale: capped counts, steady indexed orders, query budgets.

The times themselves are measured by bench/admin_scale.py on a million assessments; these tests
hold what makes them fast: no list counts every matching row, every sortable column breaks ties
in its own direction (one index serves it both ways), the number of queries does not grow with
the rows, and the searches still find exactly the right runners of the right clinic.
"""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from assessments.models import URGENCY, Assessment
from clinics.models import AccessRecord, Clinic
from clinics.permissions import ensure_clinicians_group
from programs.models import CheckIn
from review import paginators
from review.filters import FlagFilter
from tests.personas import runner_with, stored_assessment

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:assessments_assessment_changelist")
CHECK_INS = reverse("admin:programs_checkin_changelist")
ACCESS_RECORDS = reverse("admin:clinics_accessrecord_changelist")


@pytest.fixture
def clinic():
    return Clinic.objects.create(name="Riverside Physio")


@pytest.fixture
def other_clinic():
    return Clinic.objects.create(name="Hillside Sports")


@pytest.fixture
def clinician(clinic):
    user = User.objects.create_user("dana", is_staff=True)
    user.groups.add(ensure_clinicians_group())
    clinic.clinicians.add(user)
    return user


@pytest.fixture
def browser(client, clinician):
    client.force_login(clinician)
    return client


@pytest.fixture
def boss(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "a-long-passphrase"))
    return client


def runners(clinic, *nicknames, check_ins=0):
    made = []
    for nickname in nicknames:
        assessment = stored_assessment(runner_with(nickname=nickname), clinic=clinic)
        today = timezone.localdate()
        for back in range(check_ins):
            CheckIn.objects.create(
                assessment=assessment, day=today - timedelta(days=back), pain_now=back % 11, routine_done="all"
            )
        made.append(assessment)
    return made


def nicknames(response) -> list[str]:
    return [a.nickname for a in response.context["cl"].result_list]


def date_range(field, days):
    """The date filter's own parameters for the last `days` days (aware datetimes, as its links)."""
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return {f"{field}__gte": str(midnight - timedelta(days=days)), f"{field}__lt": str(midnight + timedelta(days=1))}


def every_queue_address(clinic, reference):
    """The review queue as clinicians open it: each filter, each sort both ways, the searches."""
    addresses = [{}, {"p": "2"}, {"q": "Sam"}, {"q": reference}, {"reviewed__exact": "0"}, {"clinic": str(clinic.pk)}]
    addresses += [{"tier": tier} for tier in URGENCY]
    addresses += [{"flag": flag} for flag in FlagFilter.LABELS]
    addresses += [{"follow_up__exact": "contact"}, {"top_imbalance__exact": "hip_flexors"}]
    addresses += [date_range("created", 7)]
    addresses += [{"o": f"{sign}{column}"} for column in range(1, 9) for sign in ("", "-")]
    return addresses


# --- counts ----------------------------------------------------------------------------------


def test_a_long_list_says_more_than_the_cap_and_still_pages_on(browser, clinic, monkeypatch):
    monkeypatch.setattr(paginators, "COUNT_CAP", 5)
    monkeypatch.setattr(paginators, "PAGES_AHEAD", 1)
    monkeypatch.setattr(admin.site._registry[Assessment], "list_per_page", 2)
    runners(clinic, *(f"r{i:02}" for i in range(12)))

    first = browser.get(CHANGELIST)
    assert first.context["cl"].paginator.capped
    assert first.context["cl"].result_count == 5  # counted no further than the cap
    assert "more than 5 assessments" in first.content.decode()
    assert "Select all more than 5 assessments" in first.content.decode()  # not "all 5"
    assert len(nicknames(first)) == 2

    # Each page asked for counts a page past itself: the pages go on until the last.
    third = browser.get(CHANGELIST, {"p": "3"})
    assert third.status_code == 200 and len(nicknames(third)) == 2
    last = browser.get(CHANGELIST, {"p": "6"})
    assert not last.context["cl"].paginator.capped
    assert last.context["cl"].result_count == 12
    assert "12 assessments" in last.content.decode()
    seen = []
    for page in range(1, 7):
        seen += nicknames(browser.get(CHANGELIST, {"p": str(page)}))
    assert sorted(seen) == [f"r{i:02}" for i in range(12)]  # every runner once, none lost at a cap


def test_a_short_list_gives_its_exact_count(browser, clinic):
    runners(clinic, "Ada", "Bo", "Cy")
    page = browser.get(CHANGELIST)
    assert not page.context["cl"].paginator.capped
    assert "3 assessments" in page.content.decode()
    searched = browser.get(CHANGELIST, {"q": "Bo"})
    assert "1 result" in searched.content.decode()


def test_no_list_of_runners_data_counts_every_matching_row(client, clinician, clinic, other_clinic):
    """Every COUNT the lists send has a LIMIT: a count over a subquery that stops."""
    a, _ = runners(clinic, "Sam", "Chloe", check_ins=3)
    runners(other_clinic, "Sam", check_ins=2)
    superuser = User.objects.create_superuser("root", "root@example.com", "a-long-passphrase")
    for user in (clinician, superuser):
        client.force_login(user)
        addresses = [(CHANGELIST, params) for params in every_queue_address(clinic, a.reference)]
        addresses += [(CHECK_INS, {}), (CHECK_INS, {"routine_done__exact": "all"}), (CHECK_INS, {"o": "-3"})]
        if user.is_superuser:
            addresses += [(ACCESS_RECORDS, {}), (ACCESS_RECORDS, {"q": "dana"})]
        for url, params in addresses:
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url, params)
            assert response.status_code == 200, (url, params)
            counts = [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]
            assert counts, (url, params)  # the list still counts its rows...
            for sql in counts:
                assert "LIMIT" in sql.upper(), (url, params, sql)  # ...but never all of them


def test_the_lists_have_no_date_hierarchy_or_facet_counts_that_read_every_row():
    for model in (Assessment, CheckIn, AccessRecord):
        model_admin = admin.site._registry[model]
        assert model_admin.date_hierarchy is None, model
        assert model_admin.show_facets is admin.ShowFacets.NEVER, model
        assert model_admin.show_full_result_count is False, model


def test_the_date_filter_keeps_the_runners_of_the_range(browser, clinic):
    recent, old = runners(clinic, "Recent", "Old")
    Assessment.objects.filter(pk=old.pk).update(created=timezone.now() - timedelta(days=40))
    assert nicknames(browser.get(CHANGELIST, date_range("created", 7))) == ["Recent"]


# --- order ------------------------------------------------------------------------------------


def test_each_sorted_column_breaks_ties_by_id_in_its_own_direction(browser, clinic):
    made = runners(clinic, "Bo", "Ada", "Bo", "Ada", "Bo")
    page = browser.get(CHANGELIST, {"o": "x"})
    columns = page.context["cl"].list_display
    runner = columns.index("runner")
    up = browser.get(CHANGELIST, {"o": str(runner)}).context["cl"].result_list
    down = browser.get(CHANGELIST, {"o": f"-{runner}"}).context["cl"].result_list
    by_name = sorted(made, key=lambda a: (a.nickname, a.pk))
    assert [a.pk for a in up] == [a.pk for a in by_name]
    assert [a.pk for a in down] == [a.pk for a in reversed(by_name)]


def test_the_default_order_still_breaks_ties_newest_first(browser, clinic):
    made = runners(clinic, "One", "Two", "Three")
    Assessment.objects.update(created=timezone.now())
    assert [a.pk for a in browser.get(CHANGELIST).context["cl"].result_list] == sorted(a.pk for a in made)[::-1]


def test_the_clinic_column_sorts_each_clinics_runners_together(boss, clinic, other_clinic):
    runners(other_clinic, "Hill")
    runners(clinic, "River")
    page = boss.get(CHANGELIST, {"o": "x"})
    column = page.context["cl"].list_display.index("clinic_name")
    assert nicknames(boss.get(CHANGELIST, {"o": str(column)})) == ["River", "Hill"]  # by the clinic's id
    assert "Riverside Physio" in page.content.decode()


# --- search -----------------------------------------------------------------------------------


def test_a_reference_finds_its_runner_and_nothing_of_another_clinic(browser, clinic, other_clinic):
    mine, _ = runners(clinic, "Kim", "Lou")
    theirs = runners(other_clinic, "Kim")[0]
    assert nicknames(browser.get(CHANGELIST, {"q": mine.reference})) == ["Kim"]
    assert nicknames(browser.get(CHANGELIST, {"q": mine.reference[:4]})) == ["Kim"]
    assert nicknames(browser.get(CHANGELIST, {"q": theirs.reference})) == []
    assert nicknames(browser.get(CHANGELIST, {"q": mine.token[:9]})) == []


def test_a_nickname_finds_its_runners_in_any_case_and_nothing_of_another_clinic(browser, clinic, other_clinic):
    runners(clinic, "Samira", "Sam", "Leo")
    runners(other_clinic, "Sam", "Sammy")
    assert sorted(nicknames(browser.get(CHANGELIST, {"q": "sam"}))) == ["Sam", "Samira"]
    assert nicknames(browser.get(CHANGELIST, {"q": "AMI"})) == ["Samira"]
    assert nicknames(browser.get(CHANGELIST, {"q": "Sammy"})) == []


def test_a_nickname_that_looks_like_a_reference_is_still_found(browser, clinic):
    runners(clinic, "Chloe", "Chloe-Ann", "Dee")
    assert sorted(nicknames(browser.get(CHANGELIST, {"q": "Chloe"}))) == ["Chloe", "Chloe-Ann"]


# --- query budgets ----------------------------------------------------------------------------


def test_every_queue_address_stays_within_its_query_budget(browser, clinic, django_assert_max_num_queries):
    made = runners(clinic, *(f"Sam{i}" for i in range(4)), check_ins=2)
    for params in every_queue_address(clinic, made[0].reference):
        with django_assert_max_num_queries(8):
            assert browser.get(CHANGELIST, params).status_code == 200, params


def test_the_check_in_list_stays_within_its_query_budget(browser, boss, clinic, django_assert_max_num_queries):
    runners(clinic, "Ada", "Bo", check_ins=4)
    today = timezone.localdate()
    addresses = [{}, {"p": "2"}, {"routine_done__exact": "all"}, {"run__exact": "no_run"}]
    addresses += [{"day__gte": str(today - timedelta(days=7)), "day__lt": str(today + timedelta(days=1))}]
    addresses += [{"o": f"{sign}{column}"} for column in range(1, 6) for sign in ("", "-")]
    for params in addresses:
        with django_assert_max_num_queries(7):
            assert browser.get(CHECK_INS, params).status_code == 200, params


def test_the_index_and_object_pages_stay_within_their_budgets(client, clinician, clinic, django_assert_max_num_queries):
    assessment = runners(clinic, "Ada", check_ins=3)[0]
    check_in = assessment.check_ins.first()
    superuser = User.objects.create_superuser("root", "root@example.com", "a-long-passphrase")
    pages = [
        (clinician, reverse("admin:index"), 7),  # "needs attention": one query, however many runners
        (superuser, reverse("admin:index"), 4),
        # The review page reads the plan's adjustments too (one query).
        (clinician, reverse("admin:assessments_assessment_change", args=[assessment.pk]), 13),
        (superuser, reverse("admin:assessments_assessment_change", args=[assessment.pk]), 9),
        (clinician, reverse("admin:programs_checkin_change", args=[check_in.pk]), 9),
        (superuser, ACCESS_RECORDS, 4),
    ]
    for user, url, budget in pages:
        client.force_login(user)
        with django_assert_max_num_queries(budget):
            assert client.get(url).status_code == 200, url


def test_one_or_two_letters_find_the_nicknames_that_begin_with_them(browser, clinic, other_clinic):
    runners(clinic, "Jo", "Joan", "Mojo", "Ida")
    runners(other_clinic, "Jody")
    assert sorted(nicknames(browser.get(CHANGELIST, {"q": "jo"}))) == ["Jo", "Joan"]
    assert nicknames(browser.get(CHANGELIST, {"q": "I"})) == ["Ida"]
    assert sorted(nicknames(browser.get(CHANGELIST, {"q": "ojo"}))) == ["Mojo"]  # three letters: anywhere


@pytest.mark.parametrize("page", ["10000000000000000000", "-5", "0", "abc", "99999"])
def test_a_made_up_page_number_is_an_error_message_not_a_server_error(boss, clinic, page):
    runners(clinic, "r1", "r2")
    for url in (
        CHANGELIST,
        reverse("admin:programs_checkin_changelist"),
        reverse("admin:clinics_accessrecord_changelist"),
    ):
        response = boss.get(url, {"p": page})
        # Django's own answer to a page that does not exist: back to the list with ?e=1.
        assert response.status_code in (200, 302), (url, page, response.status_code)
