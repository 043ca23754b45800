"""Large exports, written to a file by the background worker and downloaded when ready.

Why: a CSV of 300,000 assessments takes about a minute to write, longer than a gunicorn worker
may spend on one request (it is killed at its timeout and the download stops half-way). An
export of more than EXPORT_STREAM_MAX assessments is queued instead (django-tasks, with the
database backend: the queue is a table of our own database) and `manage.py db_worker` writes it
with the same generators as a streamed export (review.exports, review.fhir), so memory stays flat.

The selection is frozen when asked: the ids of the assessments the user could see in the list at
that moment, so the file holds what they selected even if new runners arrive meanwhile. At run
time the user's clinics are applied again: a clinician who has left a clinic since gets none of
its runners, and a user who may no longer see assessments gets no file at all. The file records
which clinics it covers; a download is refused if the user no longer works for one of them.

Files live in EXPORT_DIR (never under the static files or any public URL) for EXPORT_HOURS;
`manage.py purge_exports` (and the worker, after each export) deletes expired ones.
"""

import logging
import os
import secrets
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from assessments.models import Assessment
from clinics.permissions import clinic_ids_of
from review import exports, fhir
from review.models import ExportJob

logger = logging.getLogger(__name__)

# Assessments read per query: a batch of ids at a time (SQLite allows some 32,000 parameters).
ID_CHUNK = 2000
EXTENSIONS = {ExportJob.Format.CSV: "csv", ExportJob.Format.FHIR: "json"}
FAILED_WORDS = (
    "The file could not be written ({}). Ask for the export again; if it fails again, tell your administrator."
)
STOPPED_WORDS = "The worker stopped while writing this file. Ask for the export again."


class ExportRefused(Exception):
    """The user may no longer see assessments: no file is written."""


def queue_export(user, format: str, queryset, base_url: str, access_record) -> ExportJob:
    """Freeze the selection and queue its writing; the job and its task are saved together."""
    ids = sorted(queryset.order_by().values_list("pk", flat=True))
    with transaction.atomic():
        job = ExportJob.objects.create(
            user=user,
            format=format,
            count=len(ids),
            assessment_ids=ids,
            base_url=base_url,
            access_record=access_record,
        )
        result = write_export.enqueue(job.pk)
        job.task_id = str(result.id)
        ExportJob.objects.filter(pk=job.pk).update(task_id=job.task_id)
    return job


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


class _Selection:
    """The frozen ids in batches, each limited to the clinics the user works for now."""

    def __init__(self, job: ExportJob):
        self.job = job
        self.allowed = clinic_ids_of(job.user)
        self.written = 0
        self.clinics: set[int | None] = set()

    def batches(self) -> Iterator:
        for ids in _chunks(self.job.assessment_ids):
            batch = Assessment.objects.filter(pk__in=ids).order_by("pk")
            if self.allowed is not None:
                batch = batch.filter(clinic__in=self.allowed)
            self.clinics.update(batch.order_by().values_list("clinic_id", flat=True).distinct())
            yield batch

    def counted(self, lines: Iterable[str]) -> Iterator[str]:
        for line in lines:
            self.written += 1
            yield line


def _lines(job: ExportJob, selection: _Selection) -> Iterator[str]:
    if job.format == ExportJob.Format.FHIR:
        yield from fhir.bundle_start(job.base_url)
        for batch in selection.batches():
            yield from selection.counted(fhir.bundle_entries(batch, job.base_url))
        yield fhir.BUNDLE_END
    else:
        yield exports.csv_header()
        for batch in selection.batches():
            yield from selection.counted(exports.csv_rows(batch))


def _write_file(job: ExportJob) -> None:
    user = job.user
    if not (user.is_active and user.is_staff and user.has_perm("assessments.view_assessment")):
        raise ExportRefused("Your account may no longer see assessments, so no file was written.")
    directory = Path(settings.EXPORT_DIR)
    # Health data: the directory and its files for the app's own account only.
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    # A name nobody can guess, though the directory is never served: only the download view reads it.
    name = f"export-{job.pk}-{secrets.token_hex(8)}.{EXTENSIONS[job.format]}"
    partial = directory / f"{name}.partial"
    selection = _Selection(job)
    try:
        with open(
            os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8", newline=""
        ) as out:
            for line in _lines(job, selection):
                out.write(line)
        os.replace(partial, directory / name)  # whole or not at all: never a half-written download
    finally:
        partial.unlink(missing_ok=True)
    now = timezone.now()
    ExportJob.objects.filter(pk=job.pk).update(
        status=ExportJob.Status.READY,
        finished=now,
        file_name=name,
        size=(directory / name).stat().st_size,
        written=selection.written,
        clinics=sorted(selection.clinics, key=lambda pk: (pk is not None, pk or 0)),
        expires=ExportJob.expiry_from(now),
    )


def _fail(job_id: int, error: str) -> None:
    now = timezone.now()
    ExportJob.objects.filter(pk=job_id).update(
        status=ExportJob.Status.FAILED, finished=now, error=error, expires=ExportJob.expiry_from(now)
    )


@task()
def write_export(job_id: int) -> str:
    """The worker's task: write the job's file (once: a job already taken is left alone)."""
    claimed = ExportJob.objects.filter(pk=job_id, status=ExportJob.Status.WAITING).update(
        status=ExportJob.Status.RUNNING, started=timezone.now()
    )
    if not claimed:
        return "not waiting"
    job = ExportJob.objects.select_related("user").get(pk=job_id)
    try:
        _write_file(job)
    except ExportRefused as refused:
        _fail(job_id, str(refused))
        return "refused"
    except Exception as exc:
        _fail(job_id, FAILED_WORDS.format(type(exc).__name__))
        raise  # the task is recorded as failed, with its traceback, for the administrator
    purge_expired()
    return "ready"


def purge_expired(now=None) -> int:
    """Delete expired exports (file and job), fail jobs a stopped worker left running, and delete
    files no job owns any more. Idempotent; returns how many jobs were deleted."""
    now = now or timezone.now()
    hours = timedelta(hours=settings.EXPORT_HOURS)
    stale = ExportJob.objects.filter(status=ExportJob.Status.RUNNING, started__lte=now - hours)
    stale.update(status=ExportJob.Status.FAILED, finished=now, error=STOPPED_WORDS, expires=now + hours)
    expired = ExportJob.objects.filter(expires__lte=now)
    for path in [job.path for job in expired.only("pk", "file_name")]:
        if path is not None:
            path.unlink(missing_ok=True)
    deleted, _ = expired.delete()
    directory = Path(settings.EXPORT_DIR)
    if directory.is_dir():
        kept = set(ExportJob.objects.exclude(file_name="").values_list("file_name", flat=True))
        for path in directory.glob("export-*"):
            # Old files of deleted users' jobs or of a worker killed mid-file (a file being written
            # now is younger than EXPORT_HOURS); only the names this module writes, should
            # EXPORT_DIR be shared with anything else.
            if path.is_file() and path.name not in kept and path.stat().st_mtime <= (now - hours).timestamp():
                path.unlink(missing_ok=True)
    return deleted
