"""Fill the runner's state now (assessments 0007) for the assessments stored before it: what each
check-in keeps from now on (programs.models.record_check_in)."""

from django.db import migrations
from django.utils import timezone

from assessments import scoring
from programs import builder

CHUNK = 2000


def fill(apps, schema_editor):
    Assessment = apps.get_model("assessments", "Assessment")
    CheckIn = apps.get_model("programs", "CheckIn")
    today = timezone.localdate()
    last = 0
    while True:
        batch = list(Assessment.objects.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not batch:
            break
        last = batch[-1].pk
        check_ins = {}
        for c in CheckIn.objects.filter(assessment__in=batch).order_by("day"):
            check_ins.setdefault(c.assessment_id, []).append(c)
        for a in batch:
            result = scoring.Result.from_dict(a.result)
            start = timezone.localdate(a.created)
            mine = check_ins.get(a.pk, [])
            specs = [
                builder.CheckInSpec(
                    day=c.day,
                    pain=c.pain_now,
                    routine_done=c.routine_done,
                    run=c.run,
                    distance=float(c.distance) if c.distance is not None else None,
                    warning_signs=tuple(c.warning_signs or ()),
                )
                for c in mine
            ]
            now = builder.plan_now(
                result,
                start,
                specs,
                start_pain=a.pain_now if a.pain_now is not None else 0,
                weeks_before=a.answers.get("home_care_weeks", 0),
                today=today,
                unit=a.answers.get("distance_unit", "km"),
            )
            a.plan_status, a.rest_until = now.status.value, now.rest_until
            a.latest_check_in = mine[-1].day if mine else None
            a.latest_pain = mine[-1].pain_now if mine else None
        Assessment.objects.bulk_update(batch, ["plan_status", "rest_until", "latest_check_in", "latest_pain"])


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0007_now_state"),
        ("programs", "0003_tick"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
