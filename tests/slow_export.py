"""`python -m tests.slow_export ARGS`: `manage.py ARGS`, or `gunicorn ...`, with every CSV row slowed.

For the test that an export larger than one web worker timeout still arrives whole: rather than
seed tens of thousands of assessments, each row of the CSV export takes SLOW_ROW_SECONDS longer,
in the web server or in the task worker. Nothing else changes. Tests only.
"""

import os
import sys
import time

import django
from django.core.management import execute_from_command_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")
django.setup()

from gunicorn.app.wsgiapp import run  # noqa: E402 - after django.setup(), as the exports

from review import exports  # noqa: E402 - the models need django.setup() first

_row_of = exports.row_of
DELAY = float(os.environ.get("SLOW_ROW_SECONDS", "0.005"))


def slow_row_of(assessment):
    time.sleep(DELAY)
    return _row_of(assessment)


exports.row_of = slow_row_of

if __name__ == "__main__":
    if sys.argv[1:2] == ["gunicorn"]:
        # Its workers are forked from this process: they keep the slowed rows.
        sys.argv = sys.argv[1:]
        run()
    else:
        execute_from_command_line(["manage.py", *sys.argv[1:]])
