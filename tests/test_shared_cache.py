"""The cache and the database as several app machines need them: REDIS_URL, the pooler setting,
and pages that are still served while Redis does not answer. No Redis server is needed here
(tests/test_scale_out.py runs two instances on a real one)."""

import logging
import socket

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from assessments.models import Assessment
from backpain.release import release_digest
from tests.personas import runner_with, submit_answers
from tests.processes import run_manage


def _settings_of(env: dict[str, str], expression: str) -> str:
    # Only what the test names: not a REDIS_URL of the test run's own (CI sets one).
    env = {"REDIS_URL": "", "DB_POOLER_TRANSACTION_MODE": "", **env}
    result = run_manage("shell", "-c", f"from django.conf import settings; print({expression})", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_with_redis_url_the_cache_is_djangos_redis_cache_under_the_releases_prefix():
    env = {"SECRET_KEY": "x", "REDIS_URL": "redis://cache.internal:6379/3"}
    assert _settings_of(env, "settings.CACHES['default']['BACKEND']") == "backpain.cache.SharedRedisCache"
    assert _settings_of(env, "settings.CACHES['default']['LOCATION']") == "redis://cache.internal:6379/3"
    # Every process of this release, on any machine, names its keys alike.
    prefix = _settings_of(env, "settings.CACHES['default']['KEY_PREFIX']")
    assert prefix == "backpain-" + release_digest(django_settings.BASE_DIR)


def test_without_redis_url_each_process_keeps_its_own_cache_as_on_one_machine():
    backend = _settings_of({"SECRET_KEY": "x"}, "settings.CACHES['default']['BACKEND']")
    assert backend == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.parametrize("value", ["http://cache:6379", "redis://", "127.0.0.1:6379"])
def test_a_redis_address_that_is_not_one_fails_loudly(value):
    result = run_manage("check", env={"SECRET_KEY": "x", "REDIS_URL": value})
    assert result.returncode != 0
    assert f"REDIS_URL={value!r} is not a Redis address" in result.stderr
    assert "Traceback" not in result.stderr


def test_pgbouncers_transaction_mode_turns_server_side_cursors_off():
    url = "postgres://app:secret@127.0.0.1:6432/app"
    expression = "settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False)"
    assert _settings_of({"SECRET_KEY": "x", "DATABASE_URL": url}, expression) == "False"
    pooled = {"SECRET_KEY": "x", "DATABASE_URL": url, "DB_POOLER_TRANSACTION_MODE": "1"}
    assert _settings_of(pooled, expression) == "True"


def test_a_new_release_names_its_cache_keys_afresh(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "requirements.txt").write_text("Django==5.2.19\n")
    page = tmp_path / "templates" / "page.html"
    page.write_text("<p>one</p>")
    before = release_digest(tmp_path)
    assert release_digest(tmp_path) == before
    page.write_text("<p>two</p>")
    assert release_digest(tmp_path) != before


@pytest.fixture
def unreachable_redis(settings):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "backpain.cache.SharedRedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/7",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    return port


@pytest.mark.django_db
def test_runners_pages_are_served_while_redis_does_not_answer(client, unreachable_redis, library, caplog):
    with caplog.at_level(logging.WARNING, logger="backpain.cache"):
        response = submit_answers(client, runner_with())
        assert response.status_code == 302
        token = Assessment.objects.get().token
        for _ in range(2):
            assert client.get(response.url).status_code == 200
            assert client.get(reverse("programs:program", args=[token])).status_code == 200
        assert client.post(reverse("assessments:delete", args=[token])).status_code == 302
    assert not Assessment.objects.exists()
    assert cache.get("anything", "a miss") == "a miss"
    assert "The cache (Redis) did not answer" in caplog.text


@pytest.fixture
def library(db):
    from django.core.management import call_command

    call_command("load_exercises", verbosity=0)


@pytest.mark.django_db
def test_behind_a_transaction_mode_pooler_exports_read_rows_by_key_in_chunks_in_the_same_order(
    monkeypatch, django_assert_num_queries
):
    from django.db import connection

    from review import exports
    from tests.personas import stored_assessment

    names = [f"runner {n}" for n in reversed(range(7))]  # the order asked for
    for n in range(7):
        stored_assessment(runner_with(nickname=f"runner {n}"))
    queryset = Assessment.objects.order_by("-nickname")
    monkeypatch.setattr(exports, "CHUNK", 3)
    through_a_cursor = list(exports.csv_rows(queryset))

    monkeypatch.setitem(connection.settings_dict, "DISABLE_SERVER_SIDE_CURSORS", True)
    with django_assert_num_queries(1 + 3):  # the keys, then 3 + 3 + 1 rows
        by_key = list(exports.csv_rows(queryset))
    assert by_key == through_a_cursor
    assert [next(n for n in names if n in line) for line in by_key] == names
