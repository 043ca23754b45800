"""Large exports: queued, written by the worker, downloaded by the one who asked, then deleted.

Small exports still stream from the request. The worker here is django-tasks-db's own worker
loop, run in this process over the tasks queued in the test database (`run_worker`).
"""

import csv
import io
import json
import os
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from clinics.models import AccessRecord, Clinic
from clinics.permissions import ensure_clinicians_group
from review import exports, jobs
from review.models import ExportJob
from tests.personas import clinician_of, runner_with, stored_assessment

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:assessments_assessment_changelist")
YOUR_EXPORTS = reverse("admin:review_exportjob_changelist")


def download_url(job):
    return reverse("admin:review_exportjob_download", args=[job.pk])


def run_worker():
    """What `manage.py db_worker --batch` does: run every queued task, then stop.

    The worker closes stale connections between tasks, as a request does; here that connection
    holds the test's transaction, so it stays open.
    """
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        _worker().run()


def _worker():
    return Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    )


@pytest.fixture
def clinic_a():
    return Clinic.objects.create(name="Clinic-Alpha")


@pytest.fixture
def clinic_b():
    return Clinic.objects.create(name="Clinic-Bravo")


@pytest.fixture
def dana(clinic_a):
    return clinician_of("dana", clinic_a)


@pytest.fixture
def small_limit(settings):
    # Three assessments are "large" here: more than EXPORT_STREAM_MAX.
    settings.EXPORT_STREAM_MAX = 2
    return settings


def runners(clinic, *nicknames):
    return [stored_assessment(runner_with(nickname=nickname), clinic=clinic) for nickname in nicknames]


def ask_for_export(client, action, assessments, follow=False, **query):
    url = CHANGELIST + (("?" + "&".join(f"{k}={v}" for k, v in query.items())) if query else "")
    data = {"action": action, "_selected_action": [a.pk for a in assessments], "index": 0}
    if query:
        data["select_across"] = "1"
    return client.post(url, data, follow=follow)


def downloaded_text(response) -> str:
    assert response.status_code == 200
    return b"".join(response.streaming_content).decode("utf-8-sig")


def csv_nicknames(text: str) -> list[str]:
    return sorted(row["Nickname"] for row in csv.DictReader(io.StringIO(text)))


# --- small exports stream as before ------------------------------------------------------------


def test_an_export_at_or_below_the_limit_still_streams_at_once_and_queues_nothing(client, dana, clinic_a, small_limit):
    client.force_login(dana)
    response = ask_for_export(client, "export_csv", runners(clinic_a, "S1", "S2"))
    assert response.status_code == 200 and response.streaming
    assert csv_nicknames(downloaded_text(response)) == ["S1", "S2"]
    assert not ExportJob.objects.exists() and not DBTaskResult.objects.exists()


# --- large exports are queued ------------------------------------------------------------------


def test_a_large_export_queues_a_job_and_the_list_says_where_to_download_it(client, dana, clinic_a, small_limit):
    client.force_login(dana)
    response = ask_for_export(client, "export_csv", runners(clinic_a, "L1", "L2", "L3"), follow=True)
    assert response.status_code == 200 and not response.streaming
    page = response.content.decode()
    assert "3 assessments are more than can be sent at once (at most 2)" in page
    assert f'<a href="{YOUR_EXPORTS}">Your exports</a>' in page

    job = ExportJob.objects.get()
    assert (job.user, job.format, job.count, job.status) == (dana, "csv", 3, ExportJob.Status.WAITING)
    assert DBTaskResult.objects.get().task_path == "review.jobs.write_export"
    assert str(DBTaskResult.objects.get().id) == job.task_id
    # The request is on record at once, with the job that will write it.
    record = AccessRecord.objects.get()
    assert record.action == "export_csv" and record.count == 3 and f"export {job.pk}" in record.details
    assert job.access_record == record

    listed = client.get(YOUR_EXPORTS)
    assert listed.status_code == 200
    assert "CSV, 3 assessments" in listed.content.decode()
    assert "Waiting for the worker" in listed.content.decode()
    assert download_url(job) not in listed.content.decode()


def test_the_worker_writes_the_csv_with_a_header_and_one_row_per_assessment_for_download(
    client, dana, clinic_a, small_limit
):
    client.force_login(dana)
    chosen = runners(clinic_a, "W1", "W2", "W3")
    runners(clinic_a, "Not-chosen")
    ask_for_export(client, "export_csv", chosen)
    run_worker()

    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.READY and job.written == 3
    assert job.path.parent == small_limit.EXPORT_DIR and job.path.is_file()
    assert job.expires == job.finished + timedelta(hours=24)
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    listed = client.get(YOUR_EXPORTS).content.decode()
    assert "Ready" in listed and download_url(job) in listed

    response = client.get(download_url(job))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="assessments-{timezone.localdate():%Y-%m-%d}.csv"'
    text = downloaded_text(response)
    assert next(csv.reader(io.StringIO(text))) == exports.HEADER
    assert csv_nicknames(text) == ["W1", "W2", "W3"]
    assert all(a.token not in text for a in chosen)
    record = AccessRecord.objects.filter(action="export_download").get()
    assert (record.user, record.count) == (dana, 3) and f"Export {job.pk} (CSV)" in record.details


def test_the_worker_writes_a_fhir_bundle_with_one_response_per_assessment(client, dana, clinic_a, small_limit):
    client.force_login(dana)
    ask_for_export(client, "export_fhir", runners(clinic_a, "F1", "F2", "F3"))
    run_worker()
    job = ExportJob.objects.get()
    response = client.get(download_url(job))
    assert response["Content-Type"] == "application/fhir+json"
    assert f'filename="assessments-fhir-{timezone.localdate():%Y-%m-%d}.json"' in response["Content-Disposition"]
    bundle = json.loads(downloaded_text(response))
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert kinds.count("QuestionnaireResponse") == 3 and kinds[0] == "Questionnaire"
    assert bundle["entry"][-1]["fullUrl"].startswith("urn:uuid:")


def test_a_large_export_of_all_that_match_the_filters_freezes_the_selection_when_asked(
    client, dana, clinic_a, small_limit
):
    client.force_login(dana)
    first = runners(clinic_a, "Old1", "Old2", "Old3")
    ask_for_export(client, "export_csv", first[:1], tier="self_care")
    runners(clinic_a, "Came-later")  # after the request: not in the file
    run_worker()
    text = downloaded_text(client.get(download_url(ExportJob.objects.get())))
    assert csv_nicknames(text) == ["Old1", "Old2", "Old3"]
    assert "tier=self_care" in AccessRecord.objects.get(action="export_csv").details


# --- who may download, and whose rows --------------------------------------------------------


def test_only_the_clinician_who_asked_sees_and_downloads_the_file_not_another_clinic_nor_a_superuser(
    client, dana, clinic_a, clinic_b, small_limit
):
    client.force_login(dana)
    ask_for_export(client, "export_csv", runners(clinic_a, "A1", "A2", "A3"))
    run_worker()
    job = ExportJob.objects.get()
    others = [
        clinician_of("bravo", clinic_b),
        clinician_of("colleague-in-a", clinic_a),  # the same clinic: still not their file
        User.objects.create_superuser("root", "root@example.com", None),
    ]
    for other in others:
        client.force_login(other)
        assert client.get(download_url(job)).status_code == 404, other.username
        listed = client.get(YOUR_EXPORTS)
        assert listed.status_code == 200 and download_url(job) not in listed.content.decode(), other.username
        assert list(listed.context["cl"].result_list) == []
        assert client.get(reverse("admin:review_exportjob_change", args=[job.pk])).status_code == 302
    assert not AccessRecord.objects.filter(action="export_download").exists()
    client.force_login(dana)
    assert client.get(download_url(job)).status_code == 200


def test_a_job_holds_only_the_rows_of_the_clinics_the_clinician_works_for_when_it_runs(
    client, clinic_a, clinic_b, small_limit
):
    both = clinician_of("both", clinic_a, clinic_b)
    client.force_login(both)
    ask_for_export(client, "export_csv", runners(clinic_a, "A1", "A2") + runners(clinic_b, "B1", "B2"))
    assert ExportJob.objects.get().count == 4
    clinic_b.clinicians.remove(both)  # moved to clinic A only before the worker ran
    run_worker()
    job = ExportJob.objects.get()
    assert job.written == 2 and job.clinics == [clinic_a.pk]
    assert csv_nicknames(downloaded_text(client.get(download_url(job)))) == ["A1", "A2"]


def test_a_file_is_refused_to_a_clinician_who_left_one_of_its_clinics_after_it_was_written(
    client, clinic_a, clinic_b, small_limit
):
    both = clinician_of("both", clinic_a, clinic_b)
    client.force_login(both)
    ask_for_export(client, "export_fhir", runners(clinic_a, "A1", "A2") + runners(clinic_b, "B1"))
    run_worker()
    job = ExportJob.objects.get()
    assert job.written == 3 and sorted(job.clinics) == sorted([clinic_a.pk, clinic_b.pk])
    clinic_b.clinicians.remove(both)
    assert client.get(download_url(job)).status_code == 404


def test_a_superusers_large_export_includes_runners_of_no_clinic(client, clinic_a, small_limit):
    root = User.objects.create_superuser("root", "root@example.com", None)
    client.force_login(root)
    ask_for_export(client, "export_csv", runners(clinic_a, "A1") + runners(None, "Nobody1", "Nobody2"))
    run_worker()
    job = ExportJob.objects.get()
    assert job.clinics == [None, clinic_a.pk]
    assert csv_nicknames(downloaded_text(client.get(download_url(job)))) == ["A1", "Nobody1", "Nobody2"]


def test_a_user_who_may_no_longer_see_assessments_gets_no_file_and_a_clear_message(client, dana, clinic_a, small_limit):
    client.force_login(dana)
    ask_for_export(client, "export_csv", runners(clinic_a, "R1", "R2", "R3"))
    ask_for_export(client, "export_fhir", runners(clinic_a, "R4", "R5", "R6"))
    dana.groups.clear()  # no longer a clinician
    run_worker()
    dana.groups.add(ensure_clinicians_group())
    User.objects.filter(pk=dana.pk).update(is_staff=False)  # a clinician again, but no longer staff
    ExportJob.objects.filter(format="fhir").update(status=ExportJob.Status.WAITING)
    jobs.write_export.call(ExportJob.objects.get(format="fhir").pk)
    for job in ExportJob.objects.all():
        assert job.status == ExportJob.Status.FAILED and not job.file_name
        assert "may no longer see assessments" in job.error
    assert not small_limit.EXPORT_DIR.exists()


# --- failures and expiry ---------------------------------------------------------------------


def test_a_failed_export_says_so_in_the_list_and_leaves_no_partial_file(
    client, dana, clinic_a, small_limit, monkeypatch
):
    def broken_rows(queryset):
        yield "half a line"
        raise OSError("disk full")

    monkeypatch.setattr(exports, "csv_rows", broken_rows)
    client.force_login(dana)
    ask_for_export(client, "export_csv", runners(clinic_a, "X1", "X2", "X3"))
    run_worker()
    job = ExportJob.objects.get()
    assert job.status == ExportJob.Status.FAILED
    assert not list(small_limit.EXPORT_DIR.iterdir())
    task = DBTaskResult.objects.get()
    assert task.status == "FAILED" and "disk full" in task.traceback  # for the administrator
    listed = client.get(YOUR_EXPORTS).content.decode()
    assert "Failed: The file could not be written (OSError). Ask for the export again" in listed
    assert client.get(download_url(job)).status_code == 404


def test_a_job_waiting_long_suggests_the_worker_is_not_running(client, dana, clinic_a, small_limit):
    client.force_login(dana)
    ask_for_export(client, "export_csv", runners(clinic_a, "Q1", "Q2", "Q3"))
    ExportJob.objects.update(requested=timezone.now() - timedelta(minutes=10))
    assert "is it running? Tell your administrator." in client.get(YOUR_EXPORTS).content.decode()


def test_after_expiry_the_download_is_a_404_and_purge_deletes_the_file_and_the_job(client, dana, clinic_a, small_limit):
    client.force_login(dana)
    ask_for_export(client, "export_csv", runners(clinic_a, "E1", "E2", "E3"))
    run_worker()
    job = ExportJob.objects.get()
    path = job.path
    ExportJob.objects.update(expires=timezone.now() - timedelta(seconds=1))
    assert client.get(download_url(job)).status_code == 404
    assert "Expired" in client.get(YOUR_EXPORTS).content.decode()
    assert path.is_file()

    out = io.StringIO()
    call_command("purge_exports", stdout=out)
    assert out.getvalue().strip() == "1 expired export deleted."
    assert not path.exists() and not ExportJob.objects.exists()
    call_command("purge_exports", stdout=out)  # nothing left to do, and no error
    assert not AccessRecord.objects.filter(action="export_download").exists()
    assert AccessRecord.objects.filter(action="export_csv").exists()  # the history stays


def test_purge_keeps_fresh_files_and_deletes_old_files_no_job_owns(dana, small_limit):
    directory = small_limit.EXPORT_DIR
    directory.mkdir(parents=True)
    fresh = directory / "export-1-being-written.csv.partial"
    stray = directory / "export-2-of-a-deleted-user.csv"
    fresh.write_text("x")
    stray.write_text("x")
    old = (timezone.now() - timedelta(hours=25)).timestamp()
    os.utime(stray, (old, old))
    jobs.purge_expired()
    assert fresh.exists() and not stray.exists()


def test_a_job_left_running_by_a_stopped_worker_is_failed_after_export_hours(dana, clinic_a):
    job = ExportJob.objects.create(
        user=dana, format="csv", count=1, status=ExportJob.Status.RUNNING, started=timezone.now() - timedelta(hours=25)
    )
    jobs.purge_expired()
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.error == jobs.STOPPED_WORDS


def test_a_job_is_written_once_even_if_its_task_runs_twice(client, dana, clinic_a, small_limit):
    client.force_login(dana)
    ask_for_export(client, "export_csv", runners(clinic_a, "T1", "T2", "T3"))
    run_worker()
    job = ExportJob.objects.get()
    assert jobs.write_export.call(job.pk) == "not waiting"
    assert ExportJob.objects.get().file_name == job.file_name


def test_your_exports_costs_the_same_queries_for_many_jobs_as_for_one(
    client, dana, clinic_a, small_limit, django_assert_max_num_queries
):
    client.force_login(dana)
    assessments = runners(clinic_a, "P1", "P2", "P3")
    ask_for_export(client, "export_csv", assessments)
    client.get(YOUR_EXPORTS)
    with django_assert_max_num_queries(8):
        client.get(YOUR_EXPORTS)
    for _ in range(5):
        ask_for_export(client, "export_fhir", assessments)
    run_worker()
    with django_assert_max_num_queries(8):
        assert len(client.get(YOUR_EXPORTS).context["cl"].result_list) == 6
