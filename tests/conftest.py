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
def _empty_cache():
    # Renderings and the exercise library are cached per process; each test starts without them.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
