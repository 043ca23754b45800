"""Data has a lifetime: one command, safe to schedule daily and to run any number of times.

It deletes expired sessions (an unfinished questionnaire is kept a day), the assessments whose
retention is over with their check-ins and ticks (Assessment.objects.expired: RETENTION_DAYS for
those no clinic keeps, a clinic's own retention_days for its runners'), and expired export files.
The access records stay: they say who opened or exported what, by reference only.
"""

from importlib import import_module

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment
from review.jobs import purge_expired

BATCH = 1000  # assessments per transaction: a big first purge never holds one huge lock


class Command(BaseCommand):
    help = (
        "Delete expired sessions, the assessments (with their check-ins) whose retention is over, and expired "
        "export files. Safe to run daily and repeatedly; --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count what would be deleted, delete nothing")

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        expired = Assessment.objects.expired(today)
        if dry_run:
            self.stdout.write(f"Would delete {expired.count()} assessments whose retention is over (dry run).")
            return
        engine = import_module(settings.SESSION_ENGINE)
        engine.SessionStore.clear_expired()
        deleted = 0
        while ids := list(expired.order_by("pk").values_list("pk", flat=True)[:BATCH]):
            with transaction.atomic():
                gone = Assessment.objects.filter(pk__in=ids).delete()[1].get("assessments.Assessment", 0)
            if not gone:
                break  # deleted meanwhile by the runner, or held by something: never loop for ever
            deleted += gone
        exports = purge_expired()
        if options["verbosity"]:
            self.stdout.write(
                f"Expired sessions deleted. {deleted} assessment{'s' if deleted != 1 else ''} deleted "
                f"(retention over), with their check-ins. {exports} expired export{'s' if exports != 1 else ''} "
                "deleted."
            )
