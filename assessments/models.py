import secrets
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, models
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from assessments import scoring
from assessments.answers import validate_answers
from assessments.questionnaire import PREVENTION, QUESTIONNAIRE_VERSION
from assessments.scoring import CATALOGUE, score_answers
from clinics.models import Clinic

# The changelist's default order: most urgent first (a stored rank, so that the order can use an index).
URGENCY = {tier: rank for rank, tier in enumerate(scoring.Tier)}
# How many characters of the token identify an assessment to a clinician ("reference"): the full
# token is the runner's private key and is never shown in the admin.
REFERENCE_LENGTH = 8


def looks_like_reference(term: str) -> bool:
    """Could a search term be a reference (the start of a private token, at most REFERENCE_LENGTH long)?"""
    return 4 <= len(term) <= REFERENCE_LENGTH and all(c.isascii() and (c.isalnum() or c in "-_") for c in term)


# The plan's state before any check-in, by the result's tier (the builder's PlanDays.state_on).
PLAN_AT_START = {
    scoring.Tier.EMERGENCY: "stopped",
    scoring.Tier.URGENT: "gentle",
    scoring.Tier.ROUTINE: "gentle",
    scoring.Tier.SELF_CARE: "full",
}


def new_token() -> str:
    """An unguessable private-link token: 32 random bytes (256 bits), URL-safe."""
    return secrets.token_urlsafe(32)


def pain_at_start(answers: dict) -> int | None:
    """Pain at the start of the plan: none on the prevention path, unknown after an emergency sign."""
    if "pain_now" in answers:
        return answers["pain_now"]
    return 0 if answers.get("reason") == PREVENTION else None


# The stored documents of an assessment: large, and only needed to build a page that is not cached.
DOCUMENTS = ("answers", "result")


class AssessmentManager(models.Manager):
    def light_columns(self, alias: str) -> str:
        """The SQL column list of an assessment without its stored documents (see `light`)."""
        q = connection.ops.quote_name
        return ", ".join(f"{alias}.{q(f.column)}" for f in self.model._meta.concrete_fields if f.name not in DOCUMENTS)

    def light(self, token: str) -> "Assessment | None":
        """The assessment with this private token, without its stored answers and result (they
        are read when first used, see `load_documents`): what a page served from the cache
        needs, in the plainest SQL (the ORM took longer to compose the query than the database
        to answer it)."""
        table = connection.ops.quote_name(self.model._meta.db_table)
        sql = f"SELECT {self.light_columns('a')} FROM {table} a WHERE a.token = %s"  # noqa: S608 (names from the model)
        return next(iter(self.raw(sql, [token])), None)

    def create_from_answers(self, answers: dict, clinic=None, submission_key=None) -> "Assessment":
        """Validate and score the answers, then store them with the result.

        Raises answers.AnswerError (and stores nothing) when the answers do not
        fit the questionnaire, and IntegrityError when `submission_key` was stored
        already (the same questionnaire sent twice). Callers wrap this in a transaction.
        """
        assessment = self.build_from_answers(answers, clinic=clinic, submission_key=submission_key)
        assessment.save(force_insert=True)
        return assessment

    def expired(self, today) -> models.QuerySet:
        """The assessments whose time is up on `today` (`manage.py purge` deletes them): those no
        clinic keeps, RETENTION_DAYS after the runner's last check-in (or their answers without
        one); a clinic's, after its own `retention_days` when it set one."""
        expired = models.Q(pk__in=[])

        def older_than(days: int) -> models.Q:
            cutoff = today - timedelta(days=days)
            last_activity = models.Q(latest_check_in__isnull=True) | models.Q(latest_check_in__lt=cutoff)
            # Before the cutoff day began, in the site's time zone (a range on the created index).
            return models.Q(created__lt=timezone.make_aware(datetime.combine(cutoff, time.min))) & last_activity

        if settings.RETENTION_DAYS:
            expired |= models.Q(clinic__isnull=True) & older_than(settings.RETENTION_DAYS)
        for clinic_id, days in Clinic.objects.filter(retention_days__isnull=False).values_list("pk", "retention_days"):
            expired |= models.Q(clinic_id=clinic_id) & older_than(days)
        return self.filter(expired)

    def build_from_answers(self, answers: dict, clinic=None, **fields) -> "Assessment":
        """An unsaved assessment: the validated answers, their result and its sortable copies."""
        clean = validate_answers(answers)
        result = score_answers(clean)
        fields.setdefault("created", timezone.now())
        return self.model(
            questionnaire_version=QUESTIONNAIRE_VERSION,
            answers=clean,
            result=result.as_dict(),
            nickname=clean.get("nickname", ""),
            triage=result.triage,
            tier=result.tier,
            urgency=URGENCY[result.tier],
            rest_day=result.rest_day,
            see_professional=result.see_professional,
            top_imbalance=result.top_imbalance,
            pain_now=pain_at_start(clean),
            # The plan before any check-in: what programs.builder.plan_now says on day 1.
            plan_status=PLAN_AT_START[result.tier],
            rest_until=timezone.localdate(fields["created"]) if result.rest_day else None,
            clinic=clinic,
            **fields,
        )


class Assessment(models.Model):
    # The values are the scoring engine's own (scoring.Triage and scoring.Tier), with words for people.
    class Triage(models.TextChoices):
        EMERGENCY = scoring.Triage.EMERGENCY, "Seek emergency care now"
        SEE_PROFESSIONAL = scoring.Triage.SEE_PROFESSIONAL, "See a professional"
        SELF_CARE = scoring.Triage.SELF_CARE, "Self-care"

    class Tier(models.TextChoices):
        EMERGENCY = scoring.Tier.EMERGENCY, "Emergency"
        URGENT = scoring.Tier.URGENT, "Urgent (within 1-2 days)"
        ROUTINE = scoring.Tier.ROUTINE, "Routine appointment"
        SELF_CARE = scoring.Tier.SELF_CARE, "Self-care"

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    questionnaire_version = models.CharField(max_length=20)
    answers = models.JSONField(help_text="The runner's answers exactly as validated, by question code.")
    result = models.JSONField(help_text="The scoring engine's result for these answers.")
    nickname = models.CharField(max_length=40, blank=True)

    # Copies of the result that clinicians filter and sort on.
    triage = models.CharField(max_length=20, choices=Triage.choices, db_index=True)
    tier = models.CharField(max_length=20, choices=Tier.choices, db_index=True)
    rest_day = models.BooleanField(db_index=True)
    see_professional = models.BooleanField(db_index=True)
    top_imbalance = models.CharField(
        max_length=40, blank=True, db_index=True, choices=[(i.code, i.label) for i in CATALOGUE]
    )
    pain_now = models.PositiveSmallIntegerField(
        null=True, blank=True, db_index=True, help_text="Empty when an emergency sign ended the questionnaire first."
    )
    # One questionnaire in progress stores one assessment, however often its last step is sent.
    submission_key = models.CharField(max_length=32, unique=True, null=True, blank=True, editable=False)
    urgency = models.PositiveSmallIntegerField(
        default=URGENCY[scoring.Tier.SELF_CARE],
        help_text="0 is most urgent: the result's tier, or 0 after a check-in alert.",
    )
    # A check-in that reports a new warning sign stops the plan (programs.builder) and puts the
    # assessment back at the top of the review queue, unreviewed, whatever its triage was.
    warning_sign_day = models.DateField(
        "warning sign at a check-in", null=True, blank=True, editable=False, db_index=True
    )

    # The runner's state now, kept by every check-in (programs.models.record_check_in) so that the
    # queue shows, filters and sorts on it: the stored result above is the state at the start.
    class Plan(models.TextChoices):
        # The builder's plan states (programs.builder.PlanStatus), with words for clinicians.
        FULL = "full", "Full plan"
        GENTLE = "gentle", "Gentle movement only"
        STOPPED = "stopped", "Stopped"

    latest_check_in = models.DateField("latest check-in", null=True, blank=True, editable=False)
    latest_pain = models.PositiveSmallIntegerField("pain at the latest check-in", null=True, blank=True, editable=False)
    plan_status = models.CharField("plan now", max_length=10, choices=Plan.choices, default=Plan.FULL, editable=False)
    rest_until = models.DateField(
        "rest day until", null=True, blank=True, editable=False, db_index=True,
        help_text="The last of the rest days the result or the latest check-in set; empty when none.",
    )  # fmt: skip
    # Kept by the clinic's tailoring (programs.models.PlanAdjustment): the queue says "Paused".
    plan_paused = models.BooleanField("plan paused by the clinic", default=False, editable=False)

    # Set by the invite link the runner started from; none when they started from the home page.
    clinic = models.ForeignKey(
        "clinics.Clinic", on_delete=models.PROTECT, null=True, blank=True, related_name="assessments"
    )

    # The clinician's review: the only fields the admin lets anyone change.
    class FollowUp(models.TextChoices):
        NONE_YET = "", "Not decided"
        CONTACT = "contact", "Contact the runner"
        BOOKED = "booked", "Appointment booked"
        REFERRED = "referred", "Referred on (doctor, emergency)"
        NOT_NEEDED = "not_needed", "No follow-up needed"

    clinician_notes = models.TextField(
        blank=True, help_text="Seen by the clinic's clinicians only, never by the runner."
    )
    follow_up = models.CharField(max_length=20, choices=FollowUp.choices, blank=True, db_index=True)
    reviewed = models.BooleanField(default=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, editable=False)

    # The check-ins in numbers, kept by every check-in (programs.models.record_check_in) for the
    # clinic's outcomes page (review.outcomes), which sums them over a period without reading
    # the check-ins themselves.
    check_ins_total = models.PositiveSmallIntegerField("check-ins", default=0, editable=False)
    check_ins_done_all = models.PositiveSmallIntegerField(
        "check-ins with the whole routine done", default=0, editable=False
    )
    check_ins_done_some = models.PositiveSmallIntegerField(
        "check-ins with part of the routine done", default=0, editable=False
    )
    check_in_weeks = models.PositiveSmallIntegerField(
        default=0, editable=False,
        help_text="The weeks of the plan with a check-in: bit 0 for week 1 (days 1-7), up to bit 14 for week 15.",
    )  # fmt: skip

    objects = AssessmentManager()

    class Meta:
        ordering = ["-created"]
        indexes = [
            models.Index(fields=["tier", "-created"], name="assessment_tier_created"),
            # The admin's default order (unreviewed, most urgent, newest), for everyone and per clinic.
            models.Index(fields=["reviewed", "urgency", "-created"], name="assessment_review_queue"),
            models.Index(fields=["clinic", "reviewed", "urgency", "-created"], name="assessment_clinic_queue"),
            # The queue filtered by triage, in its default order.
            models.Index(fields=["tier", "reviewed", "urgency", "-created"], name="assessment_tier_queue"),
            # Each sortable column of the queue, with the id that breaks ties in the same direction
            # (review.paginators.SteadyOrderChangeList), read forwards or backwards: these columns
            # hold few distinct values, so without the id PostgreSQL sorted every row of a value.
            models.Index(fields=["nickname", "id"], name="assessment_by_nickname"),
            models.Index(fields=["urgency", "id"], name="assessment_by_urgency"),
            models.Index(fields=["latest_pain", "id"], name="assessment_by_latest_pain"),
            models.Index(fields=["plan_status", "id"], name="assessment_by_plan_status"),
            models.Index(fields=["latest_check_in", "id"], name="assessment_by_latest_check_in"),
            models.Index(fields=["reviewed", "id"], name="assessment_by_reviewed"),
            models.Index(fields=["clinic", "id"], name="assessment_by_clinic"),
            # A clinic's outcomes over a period (review.outcomes), read from the index alone on
            # PostgreSQL (ignored elsewhere).
            models.Index(
                fields=["clinic", "created"],
                include=[
                    "tier",
                    "pain_now",
                    "latest_pain",
                    "check_ins_total",
                    "check_ins_done_all",
                    "check_ins_done_some",
                    "check_in_weeks",
                    "reviewed_at",
                ],
                name="assessment_clinic_outcomes",
            ),  # fmt: skip
        ]

    def __str__(self):
        # Also stored in the admin's change log, which outlives the runner's deletion and a
        # clinician's move to another clinic: so no nickname, reference or result here.
        return f"Assessment {self.pk} of {self.created:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("assessments:result", kwargs={"token": self.token})

    def load_documents(self) -> None:
        """The stored answers and result, in one query when they were left out of the first one."""
        deferred = set(DOCUMENTS) & self.get_deferred_fields()
        if deferred:
            self.refresh_from_db(fields=sorted(deferred))

    @cached_property
    def scoring_result(self) -> scoring.Result:
        """The stored result as the scoring engine's typed value (what the plan, pages and exports read)."""
        return scoring.Result.from_dict(self.result)

    @property
    def needs_professional(self) -> bool:
        """Emergency, urgent or routine: a professional should see this runner (the flag clinicians filter on)."""
        return self.urgency <= URGENCY[scoring.Tier.ROUTINE]

    @property
    def reference(self) -> str:
        """What identifies the assessment to a clinician: the start of the private token."""
        return self.token[:REFERENCE_LENGTH]
