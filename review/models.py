"""An export too large to stream, written to a file by the background worker (see review.jobs)."""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from clinics.models import AccessRecord


class ExportJob(models.Model):
    """One clinician's request for a large export: what they may see, frozen when they asked."""

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        FHIR = "fhir", "FHIR R4 (JSON)"

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for the worker"
        RUNNING = "running", "Being written"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="export_jobs")
    requested = models.DateTimeField(default=timezone.now, db_index=True)
    format = models.CharField(max_length=4, choices=Format.choices)
    status = models.CharField(max_length=7, choices=Status.choices, default=Status.WAITING)
    count = models.PositiveIntegerField(help_text="How many assessments were selected.")
    # The selection, frozen when asked: the ids of the assessments the user could see then. The
    # worker re-applies the user's clinics at run time too (review.jobs.write_export).
    assessment_ids = models.JSONField(default=list)
    base_url = models.CharField(max_length=200, blank=True, help_text="The site's address, for FHIR's URLs.")
    task_id = models.CharField(max_length=64, blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    written = models.PositiveIntegerField(null=True, blank=True, help_text="How many assessments the file holds.")
    # The clinics whose runners are in the file (null for runners of no clinic): a download is
    # refused if the user no longer works for one of them.
    clinics = models.JSONField(default=list)
    file_name = models.CharField(max_length=100, blank=True, help_text="Under EXPORT_DIR.")
    size = models.PositiveBigIntegerField(null=True, blank=True)
    expires = models.DateTimeField(null=True, blank=True, db_index=True)
    error = models.TextField(blank=True)
    access_record = models.ForeignKey(AccessRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-requested"]
        verbose_name = "export"
        verbose_name_plural = "Your exports"

    def __str__(self):
        return f"{self.get_format_display()} export of {self.count} assessments ({self.requested:%Y-%m-%d %H:%M})"

    @property
    def path(self) -> Path | None:
        return Path(settings.EXPORT_DIR) / self.file_name if self.file_name else None

    @property
    def download_name(self) -> str:
        """The same file name as a streamed export: the day it was asked for."""
        day = timezone.localdate(self.requested)
        if self.format == self.Format.FHIR:
            return f"assessments-fhir-{day:%Y-%m-%d}.json"
        return f"assessments-{day:%Y-%m-%d}.csv"

    @property
    def content_type(self) -> str:
        return "application/fhir+json" if self.format == self.Format.FHIR else "text/csv; charset=utf-8"

    def is_expired(self, now=None) -> bool:
        return self.expires is not None and self.expires <= (now or timezone.now())

    def is_downloadable(self, now=None) -> bool:
        return self.status == self.Status.READY and not self.is_expired(now)

    @staticmethod
    def expiry_from(moment):
        return moment + timedelta(hours=settings.EXPORT_HOURS)
