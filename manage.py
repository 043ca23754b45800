#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")
    if sys.argv[1:2] != ["runserver"]:
        # DB_STATEMENT_TIMEOUT is for web requests; a migration, the task worker or a purge may
        # rightly run longer (README, "When the database is down").
        os.environ["DB_STATEMENT_TIMEOUT"] = os.environ.get("DB_COMMAND_STATEMENT_TIMEOUT", "0")
    try:
        from django.core.exceptions import ImproperlyConfigured
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A missing or bad environment variable: one line that says which, not a traceback.
        sys.exit(f"Configuration error: {exc}")


if __name__ == "__main__":
    main()
