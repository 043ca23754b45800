"""Clinics, their clinicians, and the record of who opened which runner's assessment.

A runner who starts from a clinic's invite link (/c/<code>/) is that clinic's client; the
clinic's clinicians see those assessments in the admin, and nothing of other clinics.
Runners who start from / belong to no clinic: only superusers see them.
"""

import secrets
import string

from django.conf import settings
from django.core.validators import MinLengthValidator, MinValueValidator
from django.db import models
from django.urls import reverse

INVITE_ALPHABET = string.ascii_letters + string.digits


def new_invite_code() -> str:
    """A private invite code: 16 letters and digits (95 random bits), unguessable.

    No '-' or '_': a code starting with '-' reads as an option to `createclinician --clinic`.
    """
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(16))


class Clinic(models.Model):
    name = models.CharField(max_length=120, unique=True)
    code = models.SlugField(
        "invite code",
        max_length=40,
        unique=True,
        default=new_invite_code,
        validators=[
            MinLengthValidator(12, "An invite code needs at least 12 characters, so that it cannot be guessed.")
        ],
        help_text=(
            "Private: anyone with the invite link can start a check that this clinic will see. "
            "Change it if the link was shared too widely (the old link stops working)."
        ),
    )
    clinicians = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="clinics",
        blank=True,
        limit_choices_to={"is_staff": True},
        help_text="Staff users who see this clinic's assessments and check-ins.",
    )
    # A clinic keeps its runners' records for as long as its own record-keeping rules say: by
    # default until it deletes them; with a number, `manage.py purge` deletes them that many days
    # after the runner's last check-in (or answers, without a check-in).
    retention_days = models.PositiveIntegerField(
        "keep records for (days)",
        null=True,
        blank=True,
        validators=[MinValueValidator(30, "Keep records at least 30 days, or leave it empty to keep them.")],
        help_text=(
            "Empty: the clinic keeps its runners' assessments and check-ins until it deletes them. A number: "
            "they are deleted that many days after the runner's last check-in (or their answers)."
        ),
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def invite_path(self) -> str:
        return reverse("clinics:invite", kwargs={"code": self.code})


class AccessRecord(models.Model):
    """One clinician's look at health data: who, when, what. Kept when the runner deletes."""

    class Action(models.TextChoices):
        OPENED = "opened", "Opened the assessment"
        OPENED_CHECK_IN = "opened_check_in", "Opened a check-in"
        EXPORTED_CSV = "export_csv", "Exported as CSV"
        EXPORTED_FHIR = "export_fhir", "Exported as FHIR"
        # A large export is written by the worker; taking the file away is its own record.
        DOWNLOADED_EXPORT = "export_download", "Downloaded an export file"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="access_records"
    )
    username = models.CharField(max_length=150, help_text="Kept if the user account is deleted.")
    action = models.CharField(max_length=20, choices=Action.choices)
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.SET_NULL, null=True, blank=True, related_name="access_records"
    )
    reference = models.CharField(
        max_length=12, blank=True, help_text="The assessment's reference, kept if the runner deletes it."
    )
    count = models.PositiveIntegerField(default=1, help_text="How many assessments (exports cover several).")
    details = models.TextField(
        blank=True, help_text="For an export: the references exported, or the list's filters when all were."
    )

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["assessment", "-at"], name="access_assessment_at")]

    def __str__(self):
        return f"{self.username} {self.get_action_display().lower()} ({self.at:%Y-%m-%d %H:%M})"

    @classmethod
    def record(cls, user, action: str, assessment=None, count: int = 1, details: str = "") -> "AccessRecord":
        return cls.objects.create(
            user=user,
            username=user.get_username(),
            action=action,
            assessment=assessment,
            reference=assessment.reference if assessment is not None else "",
            count=count,
            details=details,
        )
