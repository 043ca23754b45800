"""Results stored before the scoring engine gave caution flags get them from their answers.

The programme builder never chooses an exercise whose caution matches a flag, so a
result without its flags must not reach it. This uses the engine's current flag rules
(`scoring.caution_flags`): they only read the stored answers, which never change.
"""

from dataclasses import asdict

from django.db import migrations


def add_flags(apps, schema_editor):
    from assessments.scoring import caution_flags

    Assessment = apps.get_model("assessments", "Assessment")
    for assessment in Assessment.objects.filter(result__flags__isnull=True).iterator():
        assessment.result["flags"] = [asdict(flag) for flag in caution_flags(assessment.answers)]
        assessment.save(update_fields=["result"])


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(add_flags, migrations.RunPython.noop)]
