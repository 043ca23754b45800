"""The clinician admin at scale: review-queue server time and CSV export memory.

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

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from assessments.models import Assessment  # noqa: E402
from clinics.models import Clinic  # noqa: E402
from clinics.permissions import ensure_clinicians_group  # noqa: E402

RUNS = 7
CHANGELIST = reverse("admin:assessments_assessment_changelist")


def user(name, superuser=False, clinic=None):
    account, created = User.objects.get_or_create(username=name, defaults={"is_staff": True, "is_superuser": superuser})
    if clinic is not None:
        account.groups.add(ensure_clinicians_group())
        clinic.clinicians.add(account)
    client = Client()
    client.force_login(account)
    return client


def timed(client, url, params=None):
    client.get(url, params)  # warm the caches and the connection
    times, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
        queries = len(captured)
    return statistics.median(times), queries


def queue_times():
    clinic = Clinic.objects.order_by("pk").first()
    total = Assessment.objects.count()
    in_clinic = Assessment.objects.filter(clinic=clinic).count()
    print(f"assessments: {total} ({in_clinic} in {clinic}); database: {connection.vendor}")
    boss, clinician = user("bench-superuser", superuser=True), user("bench-clinician", clinic=clinic)
    cases = [
        ("superuser, default order", boss, None),
        ("clinician, default order", clinician, None),
        ("clinician, triage = emergency", clinician, {"tier": "emergency"}),
        ("clinician, unreviewed, see a professional", clinician, {"reviewed__exact": "0", "flag": "see_professional"}),
        ("clinician, search nickname", clinician, {"q": "Sam"}),
        ("clinician, search reference", clinician, {"q": Assessment.objects.filter(clinic=clinic).first().reference}),
        ("clinician, one month (date hierarchy)", clinician, {"created__year": "2026", "created__month": "10"}),
        ("superuser, admin index (needs attention)", boss, "index"),
        ("clinician, one assessment", clinician, "change"),
    ]
    print(f"{'review queue page':<48} {'median ms':>9} {'queries':>8}")
    for label, client, params in cases:
        if params == "index":
            ms, queries = timed(client, reverse("admin:index"))
        elif params == "change":
            pk = Assessment.objects.filter(clinic=clinic).order_by("-pk").values_list("pk", flat=True).first()
            ms, queries = timed(client, reverse("admin:assessments_assessment_change", args=[pk]))
        else:
            ms, queries = timed(client, CHANGELIST, params)
        print(f"{label:<48} {ms:>9.1f} {queries:>8}")


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
