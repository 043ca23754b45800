"""Create a clinic and print its invite link, so that a clinic can be set up without the admin.

    python manage.py createclinic "Riverside Physio" [--base-url https://check.example.org]

Then give the clinic a clinician with `createclinician USERNAME --clinic CODE`, the code
printed here. Runners who start from the invite link are the clinic's clients.
"""

from django.core.management.base import BaseCommand, CommandError

from clinics.models import Clinic


class Command(BaseCommand):
    help = "Create a clinic and print its invite code and link."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The clinic's name, as runners and clinicians see it.")
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the app is served, for the printed link (default: the development server).",
        )

    def handle(self, name: str, base_url: str, **options):
        name = " ".join(name.split())
        if not name:
            raise CommandError("The clinic needs a name.")
        if len(name) > Clinic._meta.get_field("name").max_length:
            raise CommandError(f"The name is too long: at most {Clinic._meta.get_field('name').max_length} characters.")
        if Clinic.objects.filter(name__iexact=name).exists():
            raise CommandError(f"A clinic named {name!r} already exists: its invite link is on its page in the admin.")
        clinic = Clinic.objects.create(name=name)
        self.stdout.write(self.style.SUCCESS(f"Clinic {clinic.name!r} created."))
        self.stdout.write(f"Invite code: {clinic.code}")
        self.stdout.write(f"Invite link: {base_url.rstrip('/')}{clinic.invite_path()}")
        self.stdout.write(f"Add a clinician: python manage.py createclinician USERNAME --clinic {clinic.code}")
