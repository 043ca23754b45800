"""Delete expired export files (and their jobs): run it once a day, like clearsessions.

The worker also does it after each export; this command covers a site where nobody exports for a
while. Safe to run any number of times.
"""

from django.core.management.base import BaseCommand

from review.jobs import purge_expired


class Command(BaseCommand):
    help = "Delete expired export files and their jobs, and files no job owns any more."

    def handle(self, *args, **options):
        deleted = purge_expired()
        if options["verbosity"]:
            self.stdout.write(f"{deleted} expired export{'s' if deleted != 1 else ''} deleted.")
