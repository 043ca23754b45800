"""Assessments stored before the review queue get its sortable fields.

The urgency rank comes from the tier, and check-ins that reported a new warning sign flag
their assessment as new ones do. A migration of its own, after the ones that add the fields:
on PostgreSQL, rows updated in a migration that also builds indexes can stop it with "pending
trigger events" (seen on a database of 100,000 assessments).
"""

from django.db import migrations


# The tiers' order at the time of this migration (assessments.models.URGENCY).
URGENCY = {"emergency": 0, "urgent": 1, "routine": 2, "self_care": 3}


def rank_existing(apps, schema_editor):
    """Assessments stored before the urgency rank get it from their tier."""
    Assessment = apps.get_model("assessments", "Assessment")
    for tier, rank in URGENCY.items():
        Assessment.objects.filter(tier=tier).update(urgency=rank)


def flag_earlier_check_ins(apps, schema_editor):
    """Check-ins stored before this migration that reported a new warning sign (one the
    assessment's triage had not already counted) put their assessment back at the top of the
    review queue, as a new one does (programs.models.record_warning_signs)."""
    CheckIn = apps.get_model("programs", "CheckIn")
    Assessment = apps.get_model("assessments", "Assessment")
    for check_in in CheckIn.objects.exclude(warning_signs=[]).select_related("assessment").iterator():
        assessment = check_in.assessment
        known = {code for reason in assessment.result["triage_reasons"] for code in reason["answers"]}
        if set(check_in.warning_signs) - known:
            day = max(filter(None, (assessment.warning_sign_day, check_in.day)))
            Assessment.objects.filter(pk=assessment.pk).update(
                urgency=0, reviewed=False, reviewed_by=None, reviewed_at=None, warning_sign_day=day
            )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0004_check_in_warning_sign"),
        ("programs", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(rank_existing, migrations.RunPython.noop),
        migrations.RunPython(flag_earlier_check_ins, migrations.RunPython.noop),
    ]
