"""The clinician admin at scale: every admin page's server time and the CSV and FHIR exports' memory.

Run by bench/admin_scale.sh (python -m bench.admin_scale [export_csv|export_fhir LIMIT]) on a database filled by
`manage.py seed_demo`. Requests go
through Django's test client in this process (no network, no web server), so the times are
the server's own work: middleware, queries, template. Figures are medians of several runs.
"""

import os
import resource
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")
django.setup()

from datetime import timedelta  # noqa: E402

from django.contrib import admin  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from assessments.models import REFERENCE_LENGTH, URGENCY, Assessment  # noqa: E402
from clinics.models import AccessRecord, Clinic  # noqa: E402
from clinics.permissions import ensure_clinicians_group  # noqa: E402
from programs.models import CheckIn  # noqa: E402
from review.filters import FlagFilter  # noqa: E402

RUNS = 5
LIMIT_MS = 300  # the target for every clinician and superuser admin page (server time, median)
CHANGELIST = reverse("admin:assessments_assessment_changelist")
CHECK_INS = reverse("admin:programs_checkin_changelist")


def user(name, superuser=False, clinic=None):
    account, created = User.objects.get_or_create(username=name, defaults={"is_staff": True, "is_superuser": superuser})
    if clinic is not None:
        account.groups.add(ensure_clinicians_group())
        clinic.clinicians.add(account)
    client = Client()
    client.force_login(account)
    client.account = account
    return client


def timed(client, url, params=None):
    client.get(url, params)  # warm the caches and the connection
    times, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
        queries = len(captured)
    return statistics.median(times), queries


def sort_params(client, model, skip=()):
    """?o=N and ?o=-N for each sortable column, by its label: N counts the action checkbox."""
    request = RequestFactory().get("/")
    request.user = client.account
    model_admin = admin.site._registry[model]
    columns = list(model_admin.get_list_display(request))
    if model_admin.get_actions(request):
        columns.insert(0, "action_checkbox")
    for index, name in enumerate(columns):
        if name == "action_checkbox" or name in skip:
            continue
        attr = getattr(model_admin, name, None)
        if attr is not None and not getattr(attr, "admin_order_field", None):
            continue  # a column without an order
        for sign, words in (("", "up"), ("-", "down")):
            yield f"sorted by {name}, {words}", {"o": f"{sign}{index}"}


def cases():
    """(section, label, client, url, params) for every admin page a clinician or superuser opens."""
    clinic = Clinic.objects.order_by("pk").first()
    boss, clinician = user("bench-superuser", superuser=True), user("bench-clinician", clinic=clinic)
    mine = Assessment.objects.filter(clinic=clinic)
    reference = mine.order_by("-pk").values_list("token", flat=True).first()[:REFERENCE_LENGTH]
    imbalance = mine.exclude(top_imbalance="").order_by("-pk").values_list("top_imbalance", flat=True).first()
    # The date filters' own links: aware midnights for a date and time, dates for a date.
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    month = {"created__gte": str(midnight.replace(day=1)), "created__lt": str(midnight + timedelta(days=1))}
    today = midnight.date()
    week = {"day__gte": str(today - timedelta(days=7)), "day__lt": str(today + timedelta(days=1))}
    queue = "review queue"
    yield queue, "superuser, default order", boss, CHANGELIST, None
    yield queue, "superuser, page 100", boss, CHANGELIST, {"p": "100"}
    yield queue, "clinician, default order", clinician, CHANGELIST, None
    yield queue, "clinician, page 100", clinician, CHANGELIST, {"p": "100"}
    for tier in URGENCY:
        yield queue, f"clinician, triage = {tier}", clinician, CHANGELIST, {"tier": tier}
    for flag in FlagFilter.LABELS:
        yield queue, f"clinician, flag = {flag}", clinician, CHANGELIST, {"flag": flag}
    yield queue, "superuser, flag = none", boss, CHANGELIST, {"flag": "none"}
    yield queue, "clinician, unreviewed", clinician, CHANGELIST, {"reviewed__exact": "0"}
    yield queue, "clinician, reviewed", clinician, CHANGELIST, {"reviewed__exact": "1"}
    yield (
        queue,
        "clinician, unreviewed, see a professional",
        clinician,
        CHANGELIST,
        {"reviewed__exact": "0", "flag": "see_professional"},
    )
    yield queue, "clinician, follow-up = contact", clinician, CHANGELIST, {"follow_up__exact": "contact"}
    yield queue, f"clinician, top imbalance = {imbalance}", clinician, CHANGELIST, {"top_imbalance__exact": imbalance}
    yield queue, "clinician, created this month", clinician, CHANGELIST, month
    yield queue, "clinician, clinic = own", clinician, CHANGELIST, {"clinic": str(clinic.pk)}
    yield queue, "superuser, clinic = first", boss, CHANGELIST, {"clinic": str(clinic.pk)}
    yield queue, "superuser, clinic = none", boss, CHANGELIST, {"clinic": "none"}
    for label, params in sort_params(clinician, Assessment):
        yield queue, f"clinician, {label}", clinician, CHANGELIST, params
    for label, params in sort_params(boss, Assessment):
        yield queue, f"superuser, {label}", boss, CHANGELIST, params
    yield queue, "clinician, search nickname (Sam)", clinician, CHANGELIST, {"q": "Sam"}
    yield queue, "clinician, search nickname, none (Zed)", clinician, CHANGELIST, {"q": "Zed"}
    yield queue, "clinician, search two letters, none (Qx)", clinician, CHANGELIST, {"q": "Qx"}
    yield queue, "clinician, search reference", clinician, CHANGELIST, {"q": reference}
    yield queue, "clinician, search reference-like nickname (Chloe)", clinician, CHANGELIST, {"q": "Chloe"}
    yield queue, "superuser, search nickname (Sam)", boss, CHANGELIST, {"q": "Sam"}
    yield queue, "superuser, search reference", boss, CHANGELIST, {"q": reference}

    check_ins = "check-ins"
    yield check_ins, "superuser, default order", boss, CHECK_INS, None
    yield check_ins, "superuser, page 100", boss, CHECK_INS, {"p": "100"}
    yield check_ins, "clinician, default order", clinician, CHECK_INS, None
    yield check_ins, "clinician, page 100", clinician, CHECK_INS, {"p": "100"}
    for done in CheckIn.Done.values:
        yield check_ins, f"clinician, routine done = {done}", clinician, CHECK_INS, {"routine_done__exact": done}
    for run in CheckIn.RunPain.values:
        yield check_ins, f"clinician, run = {run}", clinician, CHECK_INS, {"run__exact": run}
    yield check_ins, "clinician, past 7 days", clinician, CHECK_INS, week
    for label, params in sort_params(clinician, CheckIn):
        yield check_ins, f"clinician, {label}", clinician, CHECK_INS, params
    for label, params in sort_params(boss, CheckIn):
        yield check_ins, f"superuser, {label}", boss, CHECK_INS, params

    one = mine.order_by("-pk").values_list("pk", flat=True).first()
    check_in = CheckIn.objects.filter(assessment__clinic=clinic).order_by("-pk").values_list("pk", flat=True).first()
    pages = "other pages"
    yield pages, "superuser, admin index (needs attention)", boss, reverse("admin:index"), None
    yield pages, "clinician, admin index (needs attention)", clinician, reverse("admin:index"), None
    one_url = reverse("admin:assessments_assessment_change", args=[one])
    yield pages, "clinician, one assessment", clinician, one_url, None
    yield pages, "superuser, one assessment", boss, one_url, None
    yield pages, "clinician, one check-in", clinician, reverse("admin:programs_checkin_change", args=[check_in]), None
    records = reverse("admin:clinics_accessrecord_changelist")
    yield pages, "superuser, access records", boss, records, None
    yield pages, "superuser, access records, opened", boss, records, {"action": AccessRecord.Action.OPENED}
    yield pages, "superuser, access records, search", boss, records, {"q": "bench-clinician"}
    yield pages, "superuser, clinics", boss, reverse("admin:clinics_clinic_changelist"), None
    yield pages, "clinician, clinics", clinician, reverse("admin:clinics_clinic_changelist"), None
    yield pages, "clinician, exercise library", clinician, reverse("admin:programs_exercise_changelist"), None

    outcomes = "clinic outcomes"
    url = reverse("admin:outcomes")
    year = {"start": str(today - timedelta(days=364)), "end": str(today)}
    yield outcomes, "clinician, last 90 days", clinician, url, None
    yield outcomes, "clinician, last 90 days, CSV", clinician, url, {"format": "csv"}
    yield outcomes, "clinician, last 365 days", clinician, url, year
    yield outcomes, "superuser, first clinic, last 90 days", boss, url, {"clinic": str(clinic.pk)}


def queue_times():
    clinic = Clinic.objects.order_by("pk").first()
    total = Assessment.objects.count()
    in_clinic = Assessment.objects.filter(clinic=clinic).count()
    print(
        f"assessments: {total} ({in_clinic} in {clinic}); check-ins: {CheckIn.objects.count()}; "
        f"database: {connection.vendor}; server time, median of {RUNS}"
    )
    over = []
    section = None
    for part, label, client, url, params in cases():
        if part != section:
            section = part
            print(f"\n| {part:<58} | {'median ms':>9} | {'queries':>7} |")
            print(f"|{'-' * 60}|{'-' * 10}:|{'-' * 8}:|")
        ms, queries = timed(client, url, params)
        print(f"| {label:<58} | {ms:>9.1f} | {queries:>7} |", flush=True)
        if ms > LIMIT_MS:
            over.append(f"{part}: {label} ({ms:.0f} ms)")
    print(f"\nabove {LIMIT_MS} ms: " + ("; ".join(over) if over else "none"))


def export_memory(action: str, limit: int):
    """Export `limit` assessments (all of them when 0); print the peak memory growth."""
    boss = user("bench-superuser", superuser=True)
    last = Assessment.objects.order_by("pk").values_list("pk", flat=True)[limit - 1] if limit else None
    url = f"{CHANGELIST}?id__lte={last}" if last else CHANGELIST
    first = Assessment.objects.order_by("pk").values_list("pk", flat=True).first()
    # "Select all" of the (filtered) list, as a clinician does for a big export.
    data = {"action": action, "select_across": "1", "index": "0", "_selected_action": [first]}
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    response = boss.post(url, data)
    chunks = size = 0
    for chunk in response.streaming_content:
        chunks += 1
        size += len(chunk)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        f"{action} of {limit or 'all'} assessments: {size / 1e6:.1f} MB in {chunks} pieces, {seconds:.1f} s; "
        f"peak memory {peak / 1024:.0f} MB, {max(peak - before, 0) / 1024:.1f} MB above "
        f"the {before / 1024:.0f} MB before"
    )


if __name__ == "__main__":
    if sys.argv[1:2] in (["export_csv"], ["export_fhir"]):
        export_memory(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 0)
    else:
        queue_times()
