"""A clinician sees exactly their own clinics' runners in the admin, and nothing else.

Every admin URL is enumerated from the site itself (a new URL that the table below does not
classify fails the first test), and every registered model is checked from the registry (a
new model without a "clinic B" object in the table fails), so that new admin pages cannot
slip through untested. Personas and data are built in code.
"""

import csv
import io
import json
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, reverse
from django_tasks_db.models import DBTaskResult

from assessments.models import Assessment
from clinics.models import AccessRecord, Clinic
from clinics.permissions import ensure_clinicians_group
from programs.models import CheckIn, Exercise
from review import jobs
from review.models import ExportJob
from tests.personas import runner_with, submit_answers

pytestmark = pytest.mark.django_db

# --- the table of admin URLs -------------------------------------------------------------

# Site-wide named URLs: name -> kind.
SITE_URLS = {
    "index": "index",
    "login": "login",
    "logout": "logout",
    "password_change": "password_change",
    "password_change_done": "password_change",
    "autocomplete": "autocomplete",
    "jsi18n": "jsi18n",
    "view_on_site": "view_on_site",
    "app_list": "app_list",
    "outcomes": "outcomes",
}
# Per registered model: <app>_<model>_<suffix>.
MODEL_URL_KINDS = ("changelist", "add", "change", "history", "delete")
# Named URLs a model admin adds beyond the standard five: name -> kind.
EXTRA_URLS = {
    "auth_user_password_change": "user_password",
    "review_exportjob_download": "export_download",
    "assessments_assessment_tailor": "tailor",  # tailoring a runner's plan
}
# Unnamed patterns: the old-style object URL (redirects to "change") and the final catch-all.
UNNAMED_URLS = {"<path:object_id>/": "object_redirect", "(?P<url>.*)$": "catch_all"}

# Registered models by what a clinician may do with them.
NO_ACCESS = {
    "auth.Group",
    "auth.User",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "clinics.AccessRecord",
    "django_tasks_database.DBTaskResult",  # the task queue: superusers only
}
# Scoped to the clinician's clinics, or (exports) to the user who asked for them.
# (Exercises: the shared library, which every clinician reads, and each clinic's own; clinic B's own
# is the object clinician A must not reach.)
SCOPED = {"clinics.Clinic", "assessments.Assessment", "programs.CheckIn", "review.ExportJob", "programs.Exercise"}
ADDABLE = {"programs.Exercise"}  # a clinician adds their clinic's own exercises
SHARED = set()

# Relation fields whose target's admin has no view permission for a clinician.
CLINICIAN_CAN_VIEW = SCOPED | SHARED


def model_url_name(model, suffix):
    return f"{model._meta.app_label}_{model._meta.model_name}_{suffix}"


def registered_labels():
    return sorted(model._meta.label for model in admin.site._registry)


def model_of(label):
    return next(model for model in admin.site._registry if model._meta.label == label)


def walk(patterns, prefix=""):
    """Every URL pattern of the admin site, with its full route and its model (if any)."""
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            assert isinstance(entry, URLPattern)
            yield prefix, entry


def admin_patterns():
    return list(walk(admin.site.get_urls()))


def model_for_prefix(prefix):
    for model in admin.site._registry:
        if prefix == f"{model._meta.app_label}/{model._meta.model_name}/":
            return model
    return None


def classify(prefix, pattern):
    """(kind, model) for a URL pattern, or (None, None) when the table does not know it."""
    name = pattern.name
    if name is None:
        kind = UNNAMED_URLS.get(str(pattern.pattern))
        if kind == "object_redirect":
            model = model_for_prefix(prefix)
            return (kind, model) if model is not None else (None, None)
        return (kind, None) if kind == "catch_all" and not prefix else (None, None)
    if name in SITE_URLS and not prefix:
        return SITE_URLS[name], None
    if name in EXTRA_URLS:
        return EXTRA_URLS[name], model_for_prefix(prefix)
    for model in admin.site._registry:
        for suffix in MODEL_URL_KINDS:
            if name == model_url_name(model, suffix) and model_for_prefix(prefix) is model:
                return suffix, model
    return None, None


# --- personas and data ---------------------------------------------------------------------


def make_clinician(username, group, *clinics):
    user = User.objects.create_user(username, f"{username}@example.com", None, is_staff=True)
    user.groups.add(group)
    for clinic in clinics:
        clinic.clinicians.add(user)
    return user


def urgent(nickname):
    # A warning sign that makes the result "see a professional within 1-2 days".
    return runner_with(nickname=nickname, fever_unwell=True)


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(db):
    group = ensure_clinicians_group()
    assert group is not None
    clinic_a = Clinic.objects.create(name="Clinic-Alpha")
    clinic_b = Clinic.objects.create(name="Clinic-Bravo")
    w = SimpleNamespace(group=group, clinic_a=clinic_a, clinic_b=clinic_b)
    w.clinician_a = make_clinician("alpha-clinician", group, clinic_a)
    w.clinician_b = make_clinician("bravo-clinician", group, clinic_b)
    w.clinician_ab = make_clinician("both-clinician", group, clinic_a, clinic_b)
    w.clinician_none = make_clinician("lonely-clinician", group)
    w.superuser = User.objects.create_superuser("root", "root@example.com", None)

    # All three urgent and unreviewed: each would be on the front page's "Needs attention" list.
    w.a = Assessment.objects.create_from_answers(urgent("Alice-A"), clinic=clinic_a)
    w.b = Assessment.objects.create_from_answers(urgent("Bruno-B"), clinic=clinic_b)
    w.nobody = Assessment.objects.create_from_answers(urgent("Nobody-0"))
    assert {w.a.tier, w.b.tier, w.nobody.tier} == {"urgent"}
    w.check_in_a = CheckIn.objects.create(assessment=w.a, day=date.today(), pain_now=4, routine_done="all")
    w.check_in_b = CheckIn.objects.create(assessment=w.b, day=date.today(), pain_now=4, routine_done="all")
    w.record_b = AccessRecord.record(w.clinician_b, AccessRecord.Action.OPENED, w.b)
    # Clinician B's large export, written and ready: only B may download it.
    w.job_b = jobs.queue_export(
        w.clinician_b,
        ExportJob.Format.CSV,
        Assessment.objects.filter(pk=w.b.pk),
        "http://testserver/",
        AccessRecord.record(w.clinician_b, AccessRecord.Action.EXPORTED_CSV),
    )
    w.task_b = DBTaskResult.objects.get(id=w.job_b.task_id)
    jobs.write_export.call(w.job_b.pk)
    w.job_b.refresh_from_db()
    assert w.job_b.is_downloadable()
    w.exercise = Exercise.objects.create(
        slug="scoping-test-bridge", name="Scoping test bridge", kind="strength", region="buttocks",
        steps="Lie on your back.\nLift your hips.", reps=10, minutes=3,
    )  # fmt: skip
    w.exercise_b = Exercise.objects.create(
        slug="bravo-own-bridge", name="Bravo's own bridge", kind="strength", region="buttocks", clinic=clinic_b,
        steps="Lie on your back.\nLift your hips.", reps=10, minutes=3,
    )  # fmt: skip
    axes_fields = dict(
        username=w.clinician_b.username, ip_address="10.0.0.2", user_agent="test", http_accept="*/*", path_info="/"
    )
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    w.axes = {
        "axes.AccessAttempt": AccessAttempt.objects.create(
            **axes_fields, get_data="", post_data="", failures_since_start=1
        ),
        "axes.AccessLog": AccessLog.objects.create(**axes_fields),
        "axes.AccessFailureLog": AccessFailureLog.objects.create(**axes_fields, locked_out=False),
    }

    # What clinician A must never see: B's and the no-clinic runner's data, and B's clinic.
    w.foreign = {
        "Bruno-B": "B's nickname",
        w.b.reference: "B's reference",
        w.b.token: "B's private token",
        "Nobody-0": "the no-clinic runner's nickname",
        w.nobody.reference: "the no-clinic runner's reference",
        w.nobody.token: "the no-clinic runner's private token",
        "Clinic-Bravo": "clinic B's name",
        clinic_b.code: "clinic B's invite code",
        "Bravo&#x27;s own bridge": "clinic B's own exercise",
        "bravo-own-bridge": "clinic B's own exercise's slug",
        w.clinician_b.username: "clinician B's user name",
        reverse("admin:review_exportjob_download", args=[w.job_b.pk]): "clinician B's export download",
    }
    return w


def b_object(w, label):
    """The clinic-B object (or, for models without a clinic, the one A must not reach) per model."""
    objects = {
        "auth.Group": w.group,
        "auth.User": w.clinician_b,
        "clinics.Clinic": w.clinic_b,
        "clinics.AccessRecord": w.record_b,
        "assessments.Assessment": w.b,
        "programs.CheckIn": w.check_in_b,
        "programs.Exercise": w.exercise_b,
        "review.ExportJob": w.job_b,
        "django_tasks_database.DBTaskResult": w.task_b,
        **w.axes,
    }
    assert label in objects, f"{label} is registered in the admin: add its clinic-B object to the table"
    return objects[label]


def leaked(w, response, echoed=""):
    """What of w.foreign the page shows; `echoed` is a search term the page repeats back."""
    text = b"".join(response.streaming_content) if response.streaming else response.content
    text = text.decode(errors="replace")
    return [what for marker, what in w.foreign.items() if marker in text and not (echoed and marker in echoed)]


def assert_no_leak(w, response, where, echoed=""):
    found = leaked(w, response, echoed)
    assert not found, f"{where} (status {response.status_code}) shows {', '.join(found)}"


def snapshot(w):
    """Every row of every registered model, and the memberships, to prove nothing was written."""
    rows = {label: sorted(model_of(label).objects.values_list("pk", flat=True)) for label in registered_labels()}
    rows.pop("axes.AccessLog")  # logging in writes to it (force_login), not the requests under test
    b = Assessment.objects.filter(pk=w.b.pk).values(
        "clinician_notes", "follow_up", "reviewed", "reviewed_by", "reviewed_at", "nickname", "clinic"
    )
    return {
        "rows": rows,
        "b": list(b),
        "clinic_b": list(Clinic.objects.filter(pk=w.clinic_b.pk).values("name", "code")),
        "members_b": sorted(w.clinic_b.clinicians.values_list("pk", flat=True)),
        "members_a": sorted(w.clinic_a.clinicians.values_list("pk", flat=True)),
        "user_b": list(User.objects.filter(pk=w.clinician_b.pk).values("username", "is_superuser", "is_staff")),
        "user_a": list(User.objects.filter(pk=w.clinician_a.pk).values("username", "is_superuser", "is_staff")),
        "group": sorted(w.group.permissions.values_list("codename", flat=True)),
        "check_in_b": list(CheckIn.objects.filter(pk=w.check_in_b.pk).values()),
        "exercises": list(Exercise.objects.filter(pk__in=[w.exercise.pk, w.exercise_b.pk]).values()),
    }


def concrete_urls(w):
    """One or more requestable URLs per enumerated pattern: (kind, model, url)."""
    urls = []
    for prefix, pattern in admin_patterns():
        kind, model = classify(prefix, pattern)
        assert kind is not None, f"unclassified admin URL {prefix}{pattern.pattern} ({pattern.name})"
        if kind in ("change", "history", "delete"):
            urls.append((kind, model, reverse(f"admin:{pattern.name}", args=[b_object(w, model._meta.label).pk])))
        elif kind in ("changelist", "add"):
            urls.append((kind, model, reverse(f"admin:{pattern.name}")))
        elif kind == "object_redirect":
            changelist = reverse(f"admin:{model_url_name(model, 'changelist')}")
            urls.append((kind, model, f"{changelist}{b_object(w, model._meta.label).pk}/"))
        elif kind == "user_password":
            urls.append((kind, model, reverse(f"admin:{pattern.name}", args=[w.clinician_b.pk])))
        elif kind == "export_download":
            urls.append((kind, model, reverse(f"admin:{pattern.name}", args=[w.job_b.pk])))
        elif kind == "tailor":
            urls.append((kind, model, reverse(f"admin:{pattern.name}", args=[w.b.pk])))
        elif kind == "app_list":
            for app_label in sorted({m._meta.app_label for m in admin.site._registry}):
                urls.append((kind, app_label, reverse("admin:app_list", kwargs={"app_label": app_label})))
        elif kind == "view_on_site":
            ct = ContentType.objects.get_for_model(Assessment)
            urls.append((kind, None, reverse("admin:view_on_site", args=[ct.pk, w.b.pk])))
        elif kind == "autocomplete":
            query = "?app_label=programs&model_name=checkin&field_name=assessment&term="
            urls.append((kind, None, reverse("admin:autocomplete") + query))
        elif kind == "catch_all":
            urls.append((kind, None, reverse("admin:index") + "no-such-page/"))
        elif kind == "outcomes":
            # The clinician's own clinic's figures (which must not count B's runner), and B's asked for.
            outcomes = reverse("admin:outcomes")
            urls.append((kind, None, outcomes))
            urls.append((kind, None, f"{outcomes}?format=csv"))
            urls.append(("outcomes_b", None, f"{outcomes}?clinic={w.clinic_b.pk}"))
            urls.append(("outcomes_b", None, f"{outcomes}?clinic={w.clinic_b.pk}&format=csv"))
        else:
            urls.append((kind, None, reverse(f"admin:{pattern.name}")))
    return urls


# --- 1. the URL table covers every admin URL ------------------------------------------------


def test_every_admin_url_the_site_serves_is_classified_by_the_table_so_a_new_one_cannot_go_untested():
    patterns = admin_patterns()
    unknown = [f"{prefix}{p.pattern} (name {p.name!r})" for prefix, p in patterns if classify(prefix, p)[0] is None]
    assert not unknown, f"admin URLs the scoping table does not classify, add them and test them: {unknown}"

    named = {p.name for _, p in patterns if p.name}
    assert set(SITE_URLS) <= named
    for model in admin.site._registry:
        for suffix in MODEL_URL_KINDS:
            assert model_url_name(model, suffix) in named
    # The table has no stale entries either.
    assert set(EXTRA_URLS) <= named
    for label in registered_labels():
        assert label in NO_ACCESS | SCOPED | SHARED, f"{label}: say whether clinicians may see it"


def test_the_classifier_rejects_an_admin_url_it_has_never_seen():
    from django.urls import path

    surprise = path("export-everything/", lambda request: None, name="export_everything")
    assert classify("", surprise) == (None, None)
    assert classify("assessments/assessment/", surprise) == (None, None)


def test_every_enumerated_admin_url_requested_by_clinician_a_with_clinic_b_ids_shows_nothing_of_b(world):
    w = world
    client = logged_in(w.clinician_a)
    before = snapshot(w)
    visible_apps = {m._meta.app_label for m in admin.site._registry if m._meta.label in CLINICIAN_CAN_VIEW}
    for kind, model, url in concrete_urls(w):
        if kind == "logout":
            continue  # a GET does not log out (405), and logging out is not scoping
        response = client.get(url)
        if kind == "object_redirect":  # the old object URL: on to the change page, then as that
            assert response.status_code == 302 and response.url == f"{url}change/", url
            kind, url = "change", response.url
            response = client.get(url)
        assert_no_leak(w, response, f"{kind} {url}")
        label = model._meta.label if model is not None and not isinstance(model, str) else None
        if label in NO_ACCESS:
            assert response.status_code == 403, (url, response.status_code)
        elif label in SCOPED and kind in ("change", "history", "delete"):
            assert response.status_code in (302, 403), (url, response.status_code)
            if response.status_code == 302:
                assert_no_leak(w, client.get(response.url), f"redirect of {url}")
        elif kind == "view_on_site":
            assert response.status_code == 404
        elif kind == "app_list":
            assert response.status_code == (200 if model in visible_apps else 404), url
        elif kind == "user_password":
            assert response.status_code == 403
        elif kind in ("export_download", "tailor"):
            assert response.status_code == 404
            if kind == "tailor":  # nor may A change B's plan
                assert client.post(url, {"action": "pause"}).status_code == 404
        elif kind == "catch_all":
            assert response.status_code == 404
        elif kind == "outcomes":
            assert response.status_code == 200, url
            # Clinic A's one runner (Alice, urgent, unreviewed): B's (Bruno) is not counted.
            body = response.content.decode()
            assert ("Runners started,runners,1" in body) if "csv" in url else ("<strong>1</strong>" in body), url
        elif kind == "outcomes_b":
            assert response.status_code == 404, url
    assert snapshot(w) == before


# --- 2. every registered model, as clinician A ---------------------------------------------


@pytest.mark.parametrize("label", registered_labels())
def test_clinician_a_reaches_nothing_of_clinic_b_through_any_registered_models_pages(world, label):
    w = world
    model = model_of(label)
    obj = b_object(w, label)
    client = logged_in(w.clinician_a)
    before = snapshot(w)

    def url(suffix, *args):
        return reverse(f"admin:{model_url_name(model, suffix)}", args=args)

    changelist = client.get(url("changelist"))
    add = client.get(url("add"))
    pages = {suffix: client.get(url(suffix, obj.pk)) for suffix in ("change", "history", "delete")}
    for where, response in [("changelist", changelist), ("add", add), *pages.items()]:
        assert_no_leak(w, response, f"{label} {where}")
        if response.status_code == 302:
            assert_no_leak(w, client.get(response.url), f"{label} {where} redirect")

    if label in NO_ACCESS:
        assert changelist.status_code == add.status_code == 403
        assert {r.status_code for r in pages.values()} == {403}
    elif label in SCOPED:
        assert changelist.status_code == 200
        assert add.status_code == (200 if label in ADDABLE else 403)
        for suffix, response in pages.items():
            assert response.status_code in (302, 403), f"{label} {suffix} of clinic B's object: {response.status_code}"
    else:
        assert label in SHARED, f"{label}: classify it as NO_ACCESS, SCOPED or SHARED"
        assert changelist.status_code == add.status_code == 200
        return

    attacks = {
        "assessments.Assessment": {"clinician_notes": "by A", "follow_up": "contact", "reviewed": "on"},
        "clinics.Clinic": {
            "name": "Renamed by A",
            "code": "taken-over-by-a-1234",
            "clinicians": [w.clinician_a.pk, w.clinician_b.pk],
        },
        "auth.User": {"username": "bravo-clinician", "is_staff": "on", "is_superuser": "on"},
        "auth.Group": {"name": "Clinicians", "permissions": [p.pk for p in w.group.permissions.all()]},
        "programs.Exercise": {"name": "Renamed by A", "clinic": w.clinic_a.pk, "cautions": []},
    }
    posted_change = client.post(url("change", obj.pk), attacks.get(label, {}))
    posted_delete = client.post(url("delete", obj.pk), {"post": "yes"})
    for where, response in [("POST change", posted_change), ("POST delete", posted_delete)]:
        assert response.status_code in (302, 403), f"{label} {where}: {response.status_code}"
        if response.status_code == 302:
            assert response.url == reverse("admin:index"), f"{label} {where} went to {response.url}"
    assert snapshot(w) == before, f"clinician A changed clinic B's {label}"


def test_the_scoped_admins_refuse_clinic_b_objects_even_when_handed_them_directly(world, rf):
    # Defence in depth: the object permissions check the clinic, not only the list's queryset.
    w = world
    cases = [(w.b, w.a), (w.check_in_b, w.check_in_a), (w.clinic_b, w.clinic_a)]
    for foreign, own in cases:
        model_admin = admin.site._registry[type(foreign)]
        request = rf.get("/")
        request.user = w.clinician_a
        for check in (model_admin.has_view_permission, model_admin.has_change_permission):
            assert check(request, own) == check(request), (check.__name__, own)
            assert not check(request, foreign), (check.__name__, foreign)
        assert not model_admin.has_view_permission(request, w.nobody if foreign is w.b else foreign)
        assert not model_admin.has_delete_permission(request, foreign)
        request = rf.get("/")  # a fresh request per user: the clinic ids are kept on the request
        request.user = w.clinician_ab
        assert model_admin.has_view_permission(request, foreign) and model_admin.has_view_permission(request, own)
        request = rf.get("/")
        request.user = w.clinician_none
        assert not model_admin.has_view_permission(request, own)


def test_an_export_job_is_only_for_the_user_who_asked_even_when_handed_to_the_admin_directly(world, rf):
    w = world
    model_admin = admin.site._registry[ExportJob]
    for user, allowed in [(w.clinician_b, True), (w.clinician_a, False), (w.clinician_ab, False), (w.superuser, False)]:
        request = rf.get("/")
        request.user = user
        assert model_admin.has_view_permission(request, w.job_b) is allowed, user.username
        assert list(model_admin.get_queryset(request)) == ([w.job_b] if allowed else []), user.username
        assert not model_admin.has_change_permission(request, w.job_b)
        assert not model_admin.has_delete_permission(request, w.job_b)
    response = logged_in(w.clinician_b).get(reverse("admin:review_exportjob_download", args=[w.job_b.pk]))
    assert response.status_code == 200 and b"Bruno-B" in b"".join(response.streaming_content)


def test_a_clinician_cannot_change_their_own_clinics_code_or_clinicians(world):
    w = world
    client = logged_in(w.clinician_a)
    before = snapshot(w)
    url = reverse("admin:clinics_clinic_change", args=[w.clinic_a.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Clinic-Alpha" in page.content
    assert_no_leak(w, page, "clinic A's page")
    response = client.post(
        url, {"name": "Clinic-Alpha", "code": w.clinic_a.code, "clinicians": [w.clinician_a.pk, w.clinician_b.pk]}
    )
    assert response.status_code == 403
    assert snapshot(w) == before


# --- 3. changelists --------------------------------------------------------------------------


def nicknames(response):
    return sorted(a.nickname for a in response.context["cl"].result_list)


ASSESSMENTS = reverse("admin:assessments_assessment_changelist")
CHECK_INS = reverse("admin:programs_checkin_changelist")


def test_clinician_a_lists_searches_and_filters_only_clinic_a_assessments_and_check_ins(world):
    w = world
    client = logged_in(w.clinician_a)

    page = client.get(ASSESSMENTS)
    assert page.status_code == 200
    assert nicknames(page) == ["Alice-A"]
    assert_no_leak(w, page, "assessment list")

    for term in ("Bruno-B", "Bruno", w.b.reference, w.b.reference[:4], "Nobody-0", w.nobody.reference):
        found = client.get(ASSESSMENTS, {"q": term})
        assert nicknames(found) == [], f"searching {term!r} found {nicknames(found)}"
        assert_no_leak(w, found, f"search {term!r}", echoed=term)
    assert nicknames(client.get(ASSESSMENTS, {"q": w.a.reference})) == ["Alice-A"]
    assert nicknames(client.get(ASSESSMENTS, {"q": "Alice"})) == ["Alice-A"]

    clinic_filter = next(f for f in page.context["cl"].filter_specs if getattr(f, "parameter_name", "") == "clinic")
    assert [name for _, name in clinic_filter.lookup_choices] == ["Clinic-Alpha"]
    assert "Clinic-Bravo" not in page.content.decode()

    # Lookups typed into the query string stay inside the scope (or are refused outright).
    probes = [
        (ASSESSMENTS, {"clinic__exact": w.clinic_b.pk}),
        (ASSESSMENTS, {"clinic__name": "Clinic-Bravo"}),
        (ASSESSMENTS, {"clinic__code__startswith": w.clinic_b.code[:4]}),
        (ASSESSMENTS, {"token__startswith": w.b.token[:12]}),
        (ASSESSMENTS, {"nickname": "Bruno-B"}),
        (ASSESSMENTS, {"clinic__isnull": "True"}),
        (CHECK_INS, {"assessment__nickname": "Bruno-B"}),
        (CHECK_INS, {"assessment__clinic": w.clinic_b.pk}),
        (reverse("admin:clinics_clinic_changelist"), {"assessments__nickname": "Bruno-B"}),
        (reverse("admin:clinics_clinic_changelist"), {"code": w.clinic_b.code}),
    ]
    for url, params in probes:
        probed = client.get(url, params)
        assert probed.status_code in (200, 400), (url, params)
        if probed.status_code == 200:
            assert list(probed.context["cl"].result_list) == [], (url, params)
        echoed = " ".join(str(v) for v in params.values())
        assert_no_leak(w, probed, f"{url}?{params}", echoed=echoed)

    for value in (str(w.clinic_b.pk), "none"):
        filtered = client.get(ASSESSMENTS, {"clinic": value})
        assert nicknames(filtered) == [], f"?clinic={value}"
        assert_no_leak(w, filtered, f"?clinic={value}")
    faceted = client.get(ASSESSMENTS, {"_facets": "1"})
    assert nicknames(faceted) == ["Alice-A"]
    assert_no_leak(w, faceted, "facets")

    check_ins = client.get(CHECK_INS)
    assert check_ins.status_code == 200
    assert [c.pk for c in check_ins.context["cl"].result_list] == [w.check_in_a.pk]
    assert_no_leak(w, check_ins, "check-in list")
    by_id = client.get(CHECK_INS, {"assessment": w.b.pk})
    assert list(by_id.context["cl"].result_list) == []

    clinics = client.get(reverse("admin:clinics_clinic_changelist"))
    assert [c.name for c in clinics.context["cl"].result_list] == ["Clinic-Alpha"]
    assert_no_leak(w, clinics, "clinic list")


def test_each_kind_of_user_lists_exactly_the_assessments_of_their_clinics(world):
    w = world
    expected = {
        "clinician_ab": ["Alice-A", "Bruno-B"],
        "superuser": ["Alice-A", "Bruno-B", "Nobody-0"],
        "clinician_none": [],
        "clinician_b": ["Bruno-B"],
    }
    for who, names in expected.items():
        client = logged_in(getattr(w, who))
        page = client.get(ASSESSMENTS)
        assert page.status_code == 200, who
        assert nicknames(page) == names, who
        check_ins = client.get(CHECK_INS)
        expected_check_ins = sorted(n for n in names if n != "Nobody-0")
        assert sorted(c.assessment.nickname for c in check_ins.context["cl"].result_list) == expected_check_ins, who

    superuser = logged_in(w.superuser)
    assert nicknames(superuser.get(ASSESSMENTS, {"clinic": "none"})) == ["Nobody-0"]
    lonely = logged_in(w.clinician_none).get(ASSESSMENTS)
    assert "Clinic-Alpha" not in lonely.content.decode() and "Clinic-Bravo" not in lonely.content.decode()


# --- 4. autocomplete -------------------------------------------------------------------------


def relation_fields():
    """(source model, field, target model) for every relation of every registered model whose
    target is registered with search fields. Forward relations only: Django's autocomplete view
    cannot serve a reverse one (a ManyToManyRel has no get_limit_choices_to: a server error)."""
    found = []
    for model in admin.site._registry:
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created:
                continue
            target = getattr(field.remote_field, "model", None)
            target_admin = admin.site._registry.get(target)
            if target_admin is None or not target_admin.search_fields:
                continue
            found.append((model, field, target))
    return found


def test_autocomplete_for_every_relation_never_offers_clinic_b_objects_to_clinician_a(world):
    w = world
    client = logged_in(w.clinician_a)
    forbidden_ids = {
        Assessment: {str(w.b.pk), str(w.nobody.pk)},
        Clinic: {str(w.clinic_b.pk)},
        CheckIn: {str(w.check_in_b.pk)},
    }
    own_ids = {Assessment: str(w.a.pk), Clinic: str(w.clinic_a.pk)}
    relations = relation_fields()
    assert {(m._meta.label, f.name) for m, f, _ in relations} >= {
        ("assessments.Assessment", "clinic"),
        ("programs.CheckIn", "assessment"),
        ("clinics.AccessRecord", "assessment"),
        ("clinics.Clinic", "clinicians"),
    }
    for model, field, target in relations:
        for term in ("", "Bruno-B", "Bruno", w.b.reference, "Clinic-Bravo", "Nobody-0", w.nobody.reference):
            params = {
                "app_label": model._meta.app_label,
                "model_name": model._meta.model_name,
                "field_name": field.name,
                "term": term,
            }
            response = client.get(reverse("admin:autocomplete"), params)
            where = f"autocomplete {model._meta.label}.{field.name} term={term!r}"
            assert_no_leak(w, response, where)
            if target._meta.label not in CLINICIAN_CAN_VIEW:
                assert response.status_code == 403, where
                continue
            assert response.status_code == 200, where
            ids = {result["id"] for result in json.loads(response.content)["results"]}
            assert not ids & forbidden_ids.get(target, set()), where
            if term == "" and target in own_ids:
                assert own_ids[target] in ids, where


# --- 5. actions ------------------------------------------------------------------------------


def run_action(client, action, pks, select_across=False):
    data = {"action": action, "_selected_action": [str(pk) for pk in pks], "index": "0"}
    if select_across:
        data["select_across"] = "1"
    return client.post(ASSESSMENTS, data)


def body(response):
    return b"".join(response.streaming_content).decode("utf-8-sig")


def test_the_changelist_offers_clinician_a_only_the_actions_they_may_use(world):
    client = logged_in(world.clinician_a)
    page = client.get(ASSESSMENTS)
    offered = {name for name, _ in page.context["action_form"].fields["action"].choices if name}
    assert offered == {"mark_reviewed", "export_csv", "export_fhir"}
    # Read-only models offer no action at all (no delete for clinicians).
    for name in ("programs_checkin_changelist", "clinics_clinic_changelist"):
        other = client.get(reverse(f"admin:{name}"))
        assert other.context["action_form"] is None or not [
            n for n, _ in other.context["action_form"].fields["action"].choices if n
        ], name


def test_actions_posted_with_clinic_b_ids_mark_and_export_nothing_of_clinic_b(world):
    w = world
    client = logged_in(w.clinician_a)
    for select_across in (False, True):
        for pks in ([w.b.pk], [w.b.pk, w.nobody.pk], [w.a.pk, w.b.pk]):
            response = run_action(client, "mark_reviewed", pks, select_across)
            assert response.status_code == 302
            w.b.refresh_from_db()
            w.nobody.refresh_from_db()
            assert (w.b.reviewed, w.b.reviewed_by, w.b.reviewed_at) == (False, None, None), (pks, select_across)
            assert not w.nobody.reviewed

            csv_response = run_action(client, "export_csv", pks, select_across)
            assert csv_response.status_code == 200
            header, *rows = csv.reader(io.StringIO(body(csv_response)))
            assert header[0] == "Reference"
            references = [row[0].removeprefix("'") for row in rows]  # a reference may start with "-"
            expected = [w.a.reference] if (select_across or w.a.pk in pks) else []
            assert references == expected, (pks, select_across)

            fhir_response = run_action(client, "export_fhir", pks, select_across)
            assert fhir_response.status_code == 200
            bundle = json.loads(body(fhir_response))
            responses = [
                e["resource"]["identifier"]["value"]
                for e in bundle["entry"]
                if e["resource"]["resourceType"] == "QuestionnaireResponse"
            ]
            assert responses == expected, (pks, select_across)
            for text in (body(run_action(client, "export_csv", pks, select_across)), json.dumps(bundle)):
                assert not [m for m in w.foreign if m in text]

    # An action clinician A may not use (delete) deletes nothing.
    response = run_action(client, "delete_selected", [w.a.pk, w.b.pk])
    assert Assessment.objects.filter(pk__in=[w.a.pk, w.b.pk]).count() == 2
    assert response.status_code in (200, 302, 403)
    # The exports are on record, counting only what was exported.
    records = AccessRecord.objects.filter(user=w.clinician_a, action=AccessRecord.Action.EXPORTED_CSV)
    assert sorted(r.count for r in records) and max(r.count for r in records) == 1


# --- 6. the change form ----------------------------------------------------------------------


def test_posting_the_review_form_changes_only_clinician_as_own_assessment(world):
    w = world
    client = logged_in(w.clinician_a)
    review = {"clinician_notes": "Call her tomorrow", "follow_up": "contact", "reviewed": "on"}
    before = snapshot(w)

    response = client.post(reverse("admin:assessments_assessment_change", args=[w.b.pk]), review)
    assert response.status_code in (302, 403)
    assert snapshot(w) == before

    response = client.post(reverse("admin:assessments_assessment_change", args=[w.a.pk]), review)
    assert response.status_code == 302
    w.a.refresh_from_db()
    assert w.a.reviewed and w.a.reviewed_by == w.clinician_a and w.a.reviewed_at is not None
    assert (w.a.clinician_notes, w.a.follow_up) == ("Call her tomorrow", "contact")
    w.b.refresh_from_db()
    assert (w.b.reviewed, w.b.reviewed_by, w.b.clinician_notes) == (False, None, "")


def test_opening_clinic_b_assessment_leaves_no_access_record_and_clinic_a_one_does(world):
    w = world
    client = logged_in(w.clinician_a)
    client.get(reverse("admin:assessments_assessment_change", args=[w.b.pk]))
    assert not AccessRecord.objects.filter(user=w.clinician_a).exists()
    page = client.get(reverse("admin:assessments_assessment_change", args=[w.a.pk]))
    assert page.status_code == 200 and b"Alice-A" in page.content
    assert_no_leak(w, page, "A's assessment page")
    assert AccessRecord.objects.get(user=w.clinician_a).assessment == w.a


def test_a_clinician_who_leaves_clinic_b_sees_nothing_of_its_runners_not_even_in_recent_actions(world):
    w = world
    client = logged_in(w.clinician_ab)
    review = {"clinician_notes": "Seen", "follow_up": "contact", "reviewed": "on"}
    assert client.post(reverse("admin:assessments_assessment_change", args=[w.b.pk]), review).status_code == 302
    run_action(client, "mark_reviewed", [w.a.pk])
    assert b"Bruno-B" in client.get(ASSESSMENTS).content  # still a member (and the messages are read)
    w.clinic_b.clinicians.remove(w.clinician_ab)  # moved to clinic A only

    for url in (
        reverse("admin:index"),
        ASSESSMENTS,
        reverse("admin:assessments_assessment_change", args=[w.b.pk]),
        reverse("admin:assessments_assessment_history", args=[w.b.pk]),
        reverse("admin:app_list", kwargs={"app_label": "assessments"}),
    ):
        response = client.get(url)
        assert_no_leak(w, response, f"{url} for a clinician who left clinic B")
        if response.status_code == 302:
            assert_no_leak(w, client.get(response.url), f"redirect of {url} for a clinician who left clinic B")


# --- 7. the "view on site" shortcut ----------------------------------------------------------


def test_the_view_on_site_shortcut_is_a_404_and_never_leads_to_a_private_link(world):
    w = world
    ct = ContentType.objects.get_for_model(Assessment)
    for user in (w.clinician_a, w.superuser):
        client = logged_in(user)
        for assessment in (w.a, w.b, w.nobody):
            response = client.get(reverse("admin:view_on_site", args=[ct.pk, assessment.pk]))
            assert response.status_code == 404, (user.username, assessment.nickname)
            assert "Location" not in response.headers
            assert assessment.token not in response.content.decode()
            assert f"/r/{assessment.token}/" not in response.content.decode()


# --- 8. the front page's "Needs attention" ---------------------------------------------------


def test_the_needs_attention_list_shows_clinician_a_only_clinic_a_urgent_cases(world):
    w = world
    page = logged_in(w.clinician_a).get(reverse("admin:index"))
    assert page.status_code == 200
    assert [a.nickname for a in page.context["attention"]["items"]] == ["Alice-A"]
    assert "Alice-A" in page.content.decode()
    assert_no_leak(w, page, "admin index")

    everything = logged_in(w.superuser).get(reverse("admin:index"))
    assert sorted(a.nickname for a in everything.context["attention"]["items"]) == ["Alice-A", "Bruno-B", "Nobody-0"]
    lonely = logged_in(w.clinician_none).get(reverse("admin:index"))
    assert lonely.context["attention"]["items"] == []


# --- 9. anonymous users and runners ----------------------------------------------------------


def test_anonymous_users_are_sent_to_the_admin_login_from_every_enumerated_url(world):
    w = world
    login = reverse("admin:login")
    client = Client()
    for kind, _, url in concrete_urls(w):
        response = client.get(url)
        if kind == "login":
            assert response.status_code == 200
            continue
        assert response.status_code == 302, (url, response.status_code)
        if kind == "logout":
            assert response.url == reverse("admin:index")  # and from there to the login
            response = client.get(response.url)
        assert response.url.startswith(f"{login}?next="), (url, response.url)
        assert_no_leak(w, response, url)
        posted = client.post(url, {"post": "yes", "action": "export_csv", "_selected_action": [w.b.pk]})
        assert posted.status_code == 302, url
    assert Assessment.objects.count() == 3 and not Assessment.objects.filter(reviewed=True).exists()


def test_a_runner_with_their_private_result_page_gets_no_admin_access(world):
    w = world
    client = Client()
    response = submit_answers(client, runner_with(nickname="Runner-R"))
    assert response.status_code == 302
    result = client.get(response.url)
    assert result.status_code == 200
    assert client.get(w.b.get_absolute_url()).status_code == 200  # another private link, also just a page
    assert "_auth_user_id" not in client.session
    for url in (reverse("admin:index"), ASSESSMENTS, reverse("admin:assessments_assessment_change", args=[w.b.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url
    # A runner who has an account (not staff) fares no better.
    runner = User.objects.create_user("runner", "runner@example.com", None)
    response = logged_in(runner).get(ASSESSMENTS)
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


# --- 10. query budget ------------------------------------------------------------------------


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


def add_assessments(clinic, how_many, start):
    for i in range(how_many):
        assessment = Assessment.objects.create_from_answers(runner_with(nickname=f"Extra-{start + i}"), clinic=clinic)
        CheckIn.objects.create(
            assessment=assessment, day=date.today() - timedelta(days=i % 5), pain_now=4, routine_done="all"
        )


def test_the_assessment_list_costs_clinician_a_as_many_queries_for_30_assessments_as_for_3(world):
    w = world
    client = logged_in(w.clinician_a)
    add_assessments(w.clinic_a, 2, 0)
    add_assessments(w.clinic_b, 5, 100)  # others' rows do not count either
    client.get(ASSESSMENTS)  # warm up: the content types, the session
    few, shown_few = count_queries(client, ASSESSMENTS)
    add_assessments(w.clinic_a, 27, 2)
    many, shown_many = count_queries(client, ASSESSMENTS)
    assert (shown_few, shown_many) == (3, 30)
    assert many == few, f"{few} queries for 3 assessments, {many} for 30"
