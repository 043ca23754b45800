import os

import pytest

from tests.personas import runner_with


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The hashed-name storage needs `collectstatic` first; tests use the plain one.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def runner_answers():
    """A complete, valid set of answers from a typical runner (a fresh copy per test)."""
    return runner_with()


@pytest.fixture(autouse=True)
def _export_dir(settings, tmp_path):
    # Export files go to the test's own directory, never to the project's var/exports.
    settings.EXPORT_DIR = tmp_path / "exports"
    return settings.EXPORT_DIR


@pytest.fixture(autouse=True)
def _empty_cache():
    # Renderings and the exercise library are cached per process; each test starts without them.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def browser():
    """One Chromium for a test module (Debian's; skipped where missing, except under CI)."""
    from playwright.sync_api import expect, sync_playwright

    from tests.chromium import CHROMIUM, CHROMIUM_ARGS

    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium)"
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run the browser tests")
        pytest.skip(reason)
    expect.set_options(timeout=10_000)  # a loaded CI machine can be slow to render a step
    # The sync API runs an event loop in this thread, and Django refuses ORM calls (the
    # test database flush after each test) while one runs unless told it is safe here.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="module")
def axe():
    from axe_playwright_python.sync_playwright import Axe

    return Axe()
