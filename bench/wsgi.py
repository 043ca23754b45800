"""WSGI entry point for benchmarks only: the real settings with the yardstick views added.

BENCH_COLD=1 keeps no page in the cache, so that every page is built from scratch: the
figures of a cold page cache (the exercise library stays cached, as it does between releases).
"""

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backpain.settings")

from django.conf import settings  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

settings.ROOT_URLCONF = "bench.urls"
application = get_wsgi_application()
if os.environ.get("BENCH_COLD") == "1":
    from assessments.views import CachedPageMixin  # noqa: E402 (the apps are loaded by now)

    CachedPageMixin.page_seconds = 0  # a timeout of 0 keeps nothing
