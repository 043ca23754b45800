"""A database that is down, hangs or dies mid-request: a 503 page in seconds, nothing half-written.

The page the runner gets (503, Retry-After, the emergency advice) needs no database. The
processes below run manage.py with a database that cannot be reached; the tests of a
connection killed mid-submit run in this process, on SQLite and PostgreSQL (by making the
second statement fail) and, on PostgreSQL, by terminating the request's own backend.
"""

import socket
import subprocess
import sys
import time
from contextlib import closing

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from assessments.models import Assessment
from programs.models import CheckIn
from tests.personas import check_in_data, runner_with, step_posts, step_url
from tests.processes import PROJECT, process_env

ON_POSTGRESQL = connection.vendor == "postgresql"
postgresql_only = pytest.mark.skipif(not ON_POSTGRESQL, reason="PostgreSQL's timeouts and backends")

EMERGENCY = "seek emergency care now"
# Pages that read or write the database at once (the start page does not).
SCRIPT = """
import time
from django.test import Client
client = Client(raise_request_exception=False)
for method, url, data in [
    ("get", "/r/{token}/", None),
    ("get", "/r/{token}/check-in/", None),
    ("post", "/check/start/",
     {{"action": "next", "consent": "on", "age_band": "30_39", "reason": "pain", "pregnancy": "no"}}),
]:
    start = time.monotonic()
    response = getattr(client, method)(url, data)
    print(url, response.status_code, response.get("Retry-After"), round(time.monotonic() - start, 1),
          "{emergency}" in response.content.decode())
""".format(token="a" * 43, emergency=EMERGENCY)


def serve_with_database(url: str, **env) -> list[list[str]]:
    """Each page's (url, status, Retry-After, seconds, emergency advice shown) with DATABASE_URL=url."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", SCRIPT],
        cwd=PROJECT,
        env=process_env({"SECRET_KEY": "x", "ALLOWED_HOSTS": "testserver", "DATABASE_URL": url, **env}),
        capture_output=True,
        text=True,
        timeout=45,
        check=False,
    )
    rows = [line.split() for line in done.stdout.splitlines() if line.startswith("/")]
    assert len(rows) == 3, done.stdout + done.stderr
    return rows


def assert_friendly_503s(rows):
    for url, status, retry_after, _seconds, advice in rows:
        assert (status, retry_after, advice) == ("503", "30", "True"), url


def test_a_database_file_that_cannot_open_gives_the_runner_a_503_with_retry_after_and_the_emergency_advice():
    assert_friendly_503s(serve_with_database("sqlite:////nonexistent-directory/db.sqlite3"))


def test_a_postgresql_server_refusing_connections_gives_a_503():
    with closing(socket.socket()) as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert_friendly_503s(serve_with_database(f"postgres://app:app@127.0.0.1:{port}/app"))


def test_a_postgresql_server_that_never_answers_gives_a_503_after_the_connect_timeout_not_a_hang():
    with closing(socket.socket()) as silent:  # accepts the connection, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        rows = serve_with_database(f"postgres://app:app@127.0.0.1:{port}/app", DB_CONNECT_TIMEOUT="2")
    assert_friendly_503s(rows)
    for url, _status, _retry, seconds, _advice in rows:
        assert float(seconds) < 6, url  # 2 s of timeout, and more for the first Django import


def settings_options(*command: str, **env) -> str:
    done = subprocess.run(
        [sys.executable, *command],
        cwd=PROJECT,
        env=process_env({"SECRET_KEY": "x", "DATABASE_URL": "postgres://app:app@127.0.0.1:5432/app", **env}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


PRINT_OPTIONS = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"


def test_web_requests_get_a_connect_and_a_statement_timeout_and_manage_py_commands_no_statement_timeout():
    as_web = "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'backpain.settings'; django.setup(); "
    as_web += PRINT_OPTIONS
    web = settings_options("-c", as_web)
    assert "'connect_timeout': 5" in web and "statement_timeout=10s" in web
    assert "statement_timeout=3s" in settings_options("-c", as_web, DB_STATEMENT_TIMEOUT="3")
    # migrate, the task worker and the purges run as manage.py commands
    command = settings_options("manage.py", "shell", "-c", PRINT_OPTIONS, DB_STATEMENT_TIMEOUT="3")
    assert "'connect_timeout': 5" in command and "statement_timeout" not in command
    longer = settings_options("manage.py", "shell", "-c", PRINT_OPTIONS, DB_COMMAND_STATEMENT_TIMEOUT="600")
    assert "statement_timeout=600s" in longer


def test_bad_timeouts_fail_loudly():
    done = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=PROJECT,
        env=process_env({"DEBUG": "1", "DB_CONNECT_TIMEOUT": "0"}),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0 and "DB_CONNECT_TIMEOUT must be at least 1" in done.stderr


# --- a connection lost mid-submit ---------------------------------------------------------------


def lost_connection():
    raise OperationalError("server closed the connection unexpectedly")


def kill_this_connection():
    """Terminate this process's PostgreSQL backend from another connection, and wait until it is gone."""
    import psycopg2

    pid = connection.connection.get_backend_pid()
    with closing(psycopg2.connect(**connection.get_connection_params())) as other:
        other.autocommit = True
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])


def end_of_request():
    """Drop a broken connection, as Django does when a request ends (the test client does not);
    inside a test's own transaction (the simulated failures) it is kept."""
    if not connection.in_atomic_block:
        connection.close_if_unusable_or_obsolete()


@pytest.fixture
def runner():
    """A browser that cannot see exceptions, as a runner's cannot."""
    return Client(raise_request_exception=False)


def post_all_but_the_last_step(client, answers) -> tuple[str, dict]:
    posts = step_posts(answers)
    for code, data in posts[:-1]:
        assert client.post(step_url(code), data).status_code == 302, code
    return posts[-1]


def the_last_step_fails_after_the_insert(monkeypatch, fail):
    original = Assessment.save

    def save_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)
        fail()

    monkeypatch.setattr(Assessment, "save", save_then_fail)


def the_check_in_fails_after_the_insert(monkeypatch, fail):
    import programs.views

    original = programs.views.record_check_in

    def fail_then_record(*args, **kwargs):
        fail()
        return original(*args, **kwargs)

    monkeypatch.setattr(programs.views, "record_check_in", fail_then_record)


def assert_last_step_lost_mid_submit_stores_nothing_and_keeps_the_answers(runner, monkeypatch, fail):
    code, data = post_all_but_the_last_step(runner, runner_with())
    with monkeypatch.context() as patch:
        the_last_step_fails_after_the_insert(patch, fail)
        response = runner.post(step_url(code), data)
    end_of_request()
    assert response.status_code == 503 and EMERGENCY in response.content.decode()
    assert Assessment.objects.count() == 0
    # the answers waited in the session: sent again, they are stored once
    response = runner.post(step_url(code), data)
    assert response.status_code == 302 and response.url.startswith("/r/")
    assert Assessment.objects.count() == 1


def assert_check_in_lost_mid_submit_stores_nothing(runner, monkeypatch, fail):
    assessment = Assessment.objects.create_from_answers(runner_with())
    before = Assessment.objects.values().get(pk=assessment.pk)
    url = reverse("programs:check_in", kwargs={"token": assessment.token})
    with monkeypatch.context() as patch:
        the_check_in_fails_after_the_insert(patch, fail)
        response = runner.post(url, check_in_data(pain_now="8"))
    end_of_request()
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert CheckIn.objects.count() == 0
    assert Assessment.objects.values().get(pk=assessment.pk) == before
    # once the database is back, the same check-in is taken
    assert runner.post(url, check_in_data(pain_now="8")).status_code == 302
    assert CheckIn.objects.count() == 1


@pytest.mark.django_db
def test_a_questionnaire_whose_connection_fails_after_the_insert_stores_nothing_and_keeps_the_answers(
    runner, monkeypatch
):
    assert_last_step_lost_mid_submit_stores_nothing_and_keeps_the_answers(runner, monkeypatch, lost_connection)


@pytest.mark.django_db
def test_a_check_in_whose_connection_fails_after_the_insert_stores_nothing(runner, monkeypatch):
    assert_check_in_lost_mid_submit_stores_nothing(runner, monkeypatch, lost_connection)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_questionnaire_whose_backend_is_terminated_mid_submit_stores_nothing(runner, monkeypatch):
    assert_last_step_lost_mid_submit_stores_nothing_and_keeps_the_answers(runner, monkeypatch, kill_this_connection)


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_check_in_whose_backend_is_terminated_mid_submit_stores_nothing(runner, monkeypatch):
    assert_check_in_lost_mid_submit_stores_nothing(runner, monkeypatch, kill_this_connection)


@postgresql_only
@pytest.mark.django_db
def test_web_requests_run_under_the_statement_timeout():
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "10s"


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_a_check_in_stuck_behind_a_lock_is_cancelled_by_the_statement_timeout_and_stores_nothing(runner):
    import psycopg2

    assessment = Assessment.objects.create_from_answers(runner_with())
    url = reverse("programs:check_in", kwargs={"token": assessment.token})
    with closing(psycopg2.connect(**connection.get_connection_params())) as other:
        with other.cursor() as cursor:  # another transaction holds the assessment's row
            cursor.execute("SELECT id FROM assessments_assessment WHERE id = %s FOR UPDATE", [assessment.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '500ms'")
        start = time.monotonic()
        response = runner.post(url, check_in_data())
        elapsed = time.monotonic() - start
        other.rollback()
    with connection.cursor() as cursor:
        cursor.execute("RESET statement_timeout")
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert elapsed < 5
    assert CheckIn.objects.count() == 0
