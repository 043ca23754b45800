"""A double click on "See my result": two posts of the last step at the same instant.

Served as in production, by gunicorn with two worker processes, on the test run's database
(PostgreSQL's test database, or an SQLite file of its own), so that the two posts really run
at once in two processes. Each questionnaire must store one assessment, and both responses
must lead to the same private link.
"""

import http.cookiejar
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from assessments.models import Assessment
from tests.personas import runner_with, step_posts, step_url
from tests.processes import PROJECT, free_port, run_manage, wait_for_port

pytestmark = pytest.mark.django_db(transaction=True)

TRIES = 8


def _database_url(tmp: Path) -> str:
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("postgresql"):
        user = urllib.parse.quote(db["USER"])
        password = urllib.parse.quote(db["PASSWORD"])
        return f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    # The test run's SQLite database lives in memory, out of another process's reach: a file of its own.
    url = f"sqlite:///{tmp / 'concurrency.sqlite3'}"
    migrated = run_manage("migrate", "--noinput", env={"SECRET_KEY": "tests-only", "DATABASE_URL": url})
    assert migrated.returncode == 0, migrated.stderr
    return url


@pytest.fixture
def gunicorn():
    """The app under gunicorn with two sync workers; yields (base URL, database URL)."""
    with tempfile.TemporaryDirectory() as tmp:
        database_url = _database_url(Path(tmp))
        port = free_port()
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL")},
            "SECRET_KEY": "tests-only-" + secrets.token_hex(8),
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": "0",
        }
        command = [sys.executable, "-m", "gunicorn", "backpain.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        log = Path(tmp) / "gunicorn.log"
        with log.open("wb") as output:
            server = subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=output)
        try:
            wait_for_port(port, log)
            yield f"http://127.0.0.1:{port}", database_url
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _browser():
    """An opener that keeps cookies and does not follow redirects, with a CSRF cookie of its own."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    token = secrets.token_hex(16)  # 32 characters: Django takes it as the cookie's secret
    return opener, jar, token


def _post(opener, jar, token, base, path, data) -> tuple[int, str]:
    cookies = "; ".join([f"csrftoken={token}", *(f"{c.name}={c.value}" for c in jar)])
    body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
    request = urllib.request.Request(base + path, data=body, headers={"Cookie": cookies})  # noqa: S310 - http only
    try:
        response = opener.open(request, timeout=20)
    except urllib.error.HTTPError as answer:  # a redirect, not followed
        jar.extract_cookies(answer, request)
        return answer.code, answer.headers.get("Location", "")
    jar.extract_cookies(response, request)
    return response.status, ""


def _send_twice_at_once(opener, jar, token, base, code, data) -> list[tuple[int, str]]:
    """The same step posted by two threads released at the same instant: [(status, Location)]."""
    start = threading.Barrier(2)
    answers = []

    def send():
        start.wait()
        answers.append(_post(opener, jar, token, base, step_url(code), data))

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return answers


def test_the_last_step_sent_twice_at_once_stores_one_assessment_and_gives_one_link(gunicorn):
    base, database_url = gunicorn
    posts = step_posts(runner_with())
    for _ in range(TRIES):
        opener, jar, token = _browser()
        for code, data in posts[:-1]:
            status, location = _post(opener, jar, token, base, step_url(code), data)
            assert status == 302, (code, status)
        answers = _send_twice_at_once(opener, jar, token, base, *posts[-1])
        assert [status for status, _ in answers] == [302, 302], answers
        assert answers[0][1] == answers[1][1] and answers[0][1].startswith("/r/"), answers

    if database_url.startswith("postgres"):
        assert Assessment.objects.count() == TRIES
        assert Assessment.objects.values("submission_key").distinct().count() == TRIES
    else:
        counted = run_manage(
            "shell",
            "-c",
            "from assessments.models import Assessment; print(Assessment.objects.count())",
            env={"SECRET_KEY": "tests-only", "DATABASE_URL": database_url},
        )
        assert counted.stdout.split()[-1] == str(TRIES), counted.stdout + counted.stderr
