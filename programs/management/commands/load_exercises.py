from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programs.library import LIBRARY_FILE, LibraryError, load_library


class Command(BaseCommand):
    help = (
        "Load the exercise library file into the database: an upsert by slug, safe to run again. "
        "Exercises added or changed by a clinician in the admin are kept as they are."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", default=str(LIBRARY_FILE), help="the library file (TOML)")

    def handle(self, *args, **options):
        try:
            report = load_library(Path(options["file"]))
        except LibraryError as exc:
            raise CommandError(
                "the exercise library was not loaded (nothing changed):\n  " + "\n  ".join(exc.problems), returncode=2
            ) from exc
        self.stdout.write(str(report))
