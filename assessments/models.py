import secrets

from django.db import models
from django.urls import reverse

from assessments import scoring
from assessments.answers import validate_answers
from assessments.questionnaire import QUESTIONNAIRE_VERSION
from assessments.scoring import CATALOGUE, score_answers


def new_token() -> str:
    """An unguessable private-link token: 32 random bytes (256 bits), URL-safe."""
    return secrets.token_urlsafe(32)


class AssessmentManager(models.Manager):
    def create_from_answers(self, answers: dict) -> "Assessment":
        """Validate and score the answers, then store them with the result.

        Raises answers.AnswerError (and stores nothing) when the answers do not
        fit the questionnaire. Callers wrap this in a transaction.
        """
        clean = validate_answers(answers)
        result = score_answers(clean)
        return self.create(
            questionnaire_version=QUESTIONNAIRE_VERSION,
            answers=clean,
            result=result.as_dict(),
            nickname=clean.get("nickname", ""),
            triage=result.triage,
            tier=result.tier,
            rest_day=result.rest_day,
            see_professional=result.see_professional,
            top_imbalance=result.top_imbalance,
            pain_now=clean["pain_now"],
        )


class Assessment(models.Model):
    # The values are the scoring engine's own constants.
    class Triage(models.TextChoices):
        EMERGENCY = scoring.EMERGENCY, "Seek emergency care now"
        SEE_PROFESSIONAL = scoring.SEE_PROFESSIONAL, "See a professional"
        SELF_CARE = scoring.SELF_CARE, "Self-care"

    class Tier(models.TextChoices):
        EMERGENCY = scoring.EMERGENCY, "Emergency"
        URGENT = scoring.URGENT, "Urgent (within 1-2 days)"
        ROUTINE = scoring.ROUTINE, "Routine appointment"
        SELF_CARE = scoring.SELF_CARE, "Self-care"

    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created = models.DateTimeField(auto_now_add=True, db_index=True)
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
    pain_now = models.PositiveSmallIntegerField(db_index=True)

    objects = AssessmentManager()

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["tier", "-created"], name="assessment_tier_created")]

    def __str__(self):
        return f"Assessment {self.created:%Y-%m-%d %H:%M} ({self.get_triage_display()})"

    def get_absolute_url(self):
        return reverse("assessments:result", kwargs={"token": self.token})
