"""WSGI entry point for benchmarks only: the real settings with the yardstick view added."""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

settings.ROOT_URLCONF = "bench.urls"
application = get_wsgi_application()
