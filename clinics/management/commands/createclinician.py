"""Create a clinician: a staff user in the Clinicians group, working for one or more clinics.

    python manage.py createclinician USERNAME --clinic CODE [--clinic CODE2] [--email E]

The password is asked for twice, or read from the CLINICIAN_PASSWORD environment variable
(with --no-input, for scripts). It is never a command-line argument: those end up in shell
histories and process lists.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clinics.models import Clinic
from clinics.permissions import ensure_clinicians_group

PASSWORD_VARIABLE = "CLINICIAN_PASSWORD"  # noqa: S105 - the name of a variable, not a password


class Command(BaseCommand):
    help = "Create a clinician (staff, Clinicians group) who sees the given clinics' runners in the admin."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--clinic",
            dest="clinics",
            action="append",
            required=True,
            metavar="CODE",
            help="The clinic's invite code (shown in the admin); repeat for several clinics.",
        )
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--no-input",
            "--noinput",
            dest="interactive",
            action="store_false",
            help=f"Do not prompt: the password comes from ${PASSWORD_VARIABLE}.",
        )

    def handle(self, username, clinics, email, interactive, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(
                f"A user named {username!r} already exists. Add them to a clinic in the admin (Clinics > clinicians)."
            )
        found = {c.code: c for c in Clinic.objects.filter(code__in=clinics)}
        unknown = [code for code in clinics if code not in found]
        if unknown:
            raise CommandError(f"No clinic has the invite code {', '.join(map(repr, unknown))}.")
        password = self.password(interactive)
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("The password is too weak: " + " ".join(exc.messages)) from None
        group = ensure_clinicians_group()
        if group is None:
            raise CommandError("The database is not migrated yet: run `python manage.py migrate` first.")
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group)
            for clinic in found.values():
                clinic.clinicians.add(user)
        names = ", ".join(sorted(c.name for c in found.values()))
        self.stdout.write(self.style.SUCCESS(f"Clinician {username!r} created for {names}."))

    def password(self, interactive: bool) -> str:
        from_env = os.environ.get(PASSWORD_VARIABLE)
        if from_env:
            return from_env
        if not interactive:
            raise CommandError(f"No password: set ${PASSWORD_VARIABLE}, or run without --no-input to be asked.")
        for _ in range(3):
            first = getpass.getpass("Password: ")
            if not first:
                self.stderr.write("The password cannot be empty.")
                continue
            if getpass.getpass("Password (again): ") == first:
                return first
            self.stderr.write("The two passwords differ. Please try again.")
        raise CommandError("No password was set.")
