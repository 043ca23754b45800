"""Fill the check-ins in numbers (assessments 0011) for the assessments stored before it: what
each check-in keeps from now on (programs.models.record_check_in, check_in_counts)."""

from django.conf import settings
from django.db import migrations
from django.utils import timezone

CHUNK = 2000
WEEKS = 15  # programs.models.COUNTED_WEEKS, as it was when this migration was written
FIELDS = ("check_ins_total", "check_ins_done_all", "check_ins_done_some", "check_in_weeks")

# PostgreSQL: one statement (a million assessments in about a minute); the plan's first day is
# the day the assessment was created in the site's time zone.
FILL_SQL = """
UPDATE assessments_assessment a SET
    check_ins_total = s.n, check_ins_done_all = s.done_all, check_ins_done_some = s.done_some, check_in_weeks = s.weeks
FROM (
    SELECT c.assessment_id,
        count(*) AS n,
        count(*) FILTER (WHERE c.routine_done = 'all') AS done_all,
        count(*) FILTER (WHERE c.routine_done = 'some') AS done_some,
        coalesce(bit_or(CASE WHEN c.day - (b.created AT TIME ZONE %s)::date BETWEEN 0 AND %s
            THEN 1 << ((c.day - (b.created AT TIME ZONE %s)::date) / 7) END), 0) AS weeks
    FROM programs_checkin c JOIN assessments_assessment b ON b.id = c.assessment_id
    GROUP BY c.assessment_id
) s
WHERE s.assessment_id = a.id
"""


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(FILL_SQL, [settings.TIME_ZONE, WEEKS * 7 - 1, settings.TIME_ZONE])
        return
    Assessment = apps.get_model("assessments", "Assessment")
    CheckIn = apps.get_model("programs", "CheckIn")
    last = 0
    while True:
        batch = list(Assessment.objects.filter(pk__gt=last).order_by("pk").only("pk", "created")[:CHUNK])
        if not batch:
            break
        last = batch[-1].pk
        check_ins = {}
        for pk, day, done in CheckIn.objects.filter(assessment__in=batch).values_list(
            "assessment_id", "day", "routine_done"
        ):
            check_ins.setdefault(pk, []).append((day, done))
        changed = []
        for a in batch:
            mine = check_ins.get(a.pk)
            if not mine:
                continue
            start = timezone.localdate(a.created)
            weeks = 0
            for day, _ in mine:
                week = (day - start).days // 7
                if 0 <= week < WEEKS:
                    weeks |= 1 << week
            a.check_ins_total = len(mine)
            a.check_ins_done_all = sum(done == "all" for _, done in mine)
            a.check_ins_done_some = sum(done == "some" for _, done in mine)
            a.check_in_weeks = weeks
            changed.append(a)
        Assessment.objects.bulk_update(changed, FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0011_outcome_counts"),
        ("programs", "0007_clinic_exercises"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop, elidable=True)]
