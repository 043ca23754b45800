"""Two app machines on one PostgreSQL and one Redis, as README's "Several app machines" sets up.

Two gunicorn instances (two ports, two workers each) serve the test run's PostgreSQL database
and share one Redis cache (REDIS_URL). A runner walks the whole journey with every request
going to the other instance than the one before: the questionnaire's steps, the result, the
plan, a check-in, the deletion. Then 200 runners answer at once across both. Nothing may be
lost or duplicated, a page one instance rendered is served by the other from the shared
cache, and a deleted result is gone from both (and from the cache).

Needs PostgreSQL and Redis: skipped on a machine without them (`make test` on a fresh
machine), run by `bash .ci/run` in its PostgreSQL phase (which starts Debian's redis-server
and sets REDIS_URL to a database of its own).
"""

import http.cookiejar
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Assessment
from assessments.views import ResultView, page_cache_key, result_page_key
from programs.models import CheckIn
from tests.personas import check_in_data, runner_with, step_posts, step_url
from tests.processes import PROJECT, free_port, run_manage, wait_for_port

RUNNERS = 200
# Every request names this host, as a proxy in front of both machines passes the site's name on:
# the private link (and so the result's rendering) names the host.
HOST = "127.0.0.1"


def _missing_service() -> str:
    """Why this machine cannot run the test ("" when it can)."""
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return (
            "needs PostgreSQL: run with DATABASE_URL=postgres://... and REDIS_URL=redis://127.0.0.1:6379/7 "
            "(bash .ci/run does, in its PostgreSQL phase)"
        )
    if not settings.REDIS_URL:
        return "needs Redis: run with REDIS_URL=redis://127.0.0.1:6379/7 (bash .ci/run starts redis-server and sets it)"
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as error:
        return f"needs Redis: REDIS_URL={settings.REDIS_URL} does not answer ({error})"
    return ""


def _skip_or_fail_without_services():
    reason = _missing_service()
    if reason and os.environ.get("CI") and settings.REDIS_URL:
        pytest.fail(reason + "; CI asked for Redis and must run this test")
    if reason:
        pytest.skip(reason)


pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user, password = urllib.parse.quote(db["USER"]), urllib.parse.quote(db["PASSWORD"])
    return f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start(port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "backpain.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
    # Two instances on one machine: each without gunicorn's control socket (one path for all by default).
    command += ["--timeout", "120", "--backlog", "512", "--no-control-socket"]
    with log.open("wb") as output:
        return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=output, stderr=output)


@pytest.fixture(scope="module")
def collected_static():
    """The hashed static files that gunicorn with DEBUG off serves (as `make audit` collects them)."""
    collected = run_manage("collectstatic", "--noinput", "-v0", env={"SECRET_KEY": "tests-only"})
    assert collected.returncode == 0, collected.stderr


@pytest.fixture
def instances(collected_static):
    """Two gunicorn instances on the test database and the shared Redis: [base URL A, base URL B]."""
    _skip_or_fail_without_services()
    call_command("load_exercises", verbosity=0)
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "REDIS_URL")},
        "SECRET_KEY": "tests-only-" + secrets.token_hex(8),  # one key for both, as for every machine
        "ALLOWED_HOSTS": HOST,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CONN_MAX_AGE": "0",
    }
    with tempfile.TemporaryDirectory() as tmp:
        ports = [free_port(), free_port()]
        servers = [_start(port, env, Path(tmp) / f"gunicorn-{port}.log") for port in ports]
        try:
            for port in ports:
                wait_for_port(port, Path(tmp) / f"gunicorn-{port}.log", tries=300)
            yield [f"http://127.0.0.1:{port}" for port in ports]
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
            for port in ports:  # shown when a test fails
                print(f"gunicorn on {port}:", (Path(tmp) / f"gunicorn-{port}.log").read_text()[-3000:])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One runner's browser: its cookies (session, messages) and a CSRF cookie of its own."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.csrf = secrets.token_hex(16)  # 32 characters: Django takes it as the cookie's secret

    def send(self, base: str, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, Location, body) of a GET, or of a POST when there is data."""
        cookies = "; ".join([f"csrftoken={self.csrf}", *(f"{c.name}={c.value}" for c in self.jar)])
        body = None
        if data is not None:
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": self.csrf}, doseq=True).encode()
        headers = {"Cookie": cookies, "Host": HOST}
        request = urllib.request.Request(base + path, data=body, headers=headers)  # noqa: S310 - http only
        try:
            response = self.opener.open(request, timeout=120)
        except urllib.error.HTTPError as answer:  # a redirect (not followed) or an error page
            self.jar.extract_cookies(answer, request)
            return answer.code, answer.headers.get("Location", ""), answer.read().decode()
        self.jar.extract_cookies(response, request)
        return response.status, "", response.read().decode()

    def answer_questionnaire(self, bases: list[str], first: int = 0) -> str:
        """Every step, each to the other instance than the one before; the private link's path."""
        location = ""
        for index, (code, data) in enumerate(step_posts(runner_with())):
            status, location, body = self.send(bases[(first + index) % 2], step_url(code), data)
            assert status == 302, (code, status, body[-500:])
        assert location.startswith("/r/"), location
        return location


def test_a_runners_journey_alternating_between_two_machines_loses_nothing(instances):
    a, b = instances
    runner = Browser()
    result = runner.answer_questionnaire([a, b])
    assessment = Assessment.objects.get()
    assert result == assessment.get_absolute_url()

    # The result, rendered by A, is kept in the shared cache, and B serves that same rendering.
    status, _, page_a = runner.send(a, result)
    assert status == 200 and "private link" in page_a.lower()
    key = page_cache_key(ResultView.template_name, result_page_key(assessment, HOST))
    kept = cache.get(key)
    assert kept is not None, "A's rendering is not in the shared cache"
    cache.set(key, kept.replace("</body>", "<!-- kept by A -->\n</body>"), 600)
    status, _, page_b = runner.send(b, result)
    assert status == 200 and "<!-- kept by A -->" in page_b

    # The plan on B, the check-in sent to A, and B's pages show it at once.
    program = reverse("programs:program", args=[assessment.token])
    check_in = reverse("programs:check_in", args=[assessment.token])
    assert runner.send(b, program)[0] == 200
    assert runner.send(b, check_in)[0] == 200
    status, location, _ = runner.send(a, check_in, check_in_data(pain_now="2"))
    assert (status, location) == (302, program)
    status, _, page = runner.send(b, program)
    assert status == 200 and "Your check-in for today is saved" in page
    for base in (b, a):  # the plan B kept before the check-in is not served again by either
        status, _, page = runner.send(base, program)
        assert "Update today's check-in" in page and "Check in for today" not in page
    assert [(c.pain_now, c.routine_done) for c in CheckIn.objects.all()] == [(2, "all")]

    # Deleted through B: gone from both machines, and from the shared cache.
    status, location, _ = runner.send(b, reverse("assessments:delete", args=[assessment.token]), {})
    assert (status, location) == (302, reverse("assessments:landing"))
    assert runner.send(a, result)[0] == 404
    assert runner.send(b, result)[0] == 404
    assert runner.send(a, program)[0] == 404
    assert cache.get(key) is None
    assert not Assessment.objects.exists() and not CheckIn.objects.exists()


def test_two_hundred_runners_at_once_across_two_machines_are_each_stored_once(instances):
    links: list[str] = []
    failures: list[str] = []
    start = threading.Barrier(RUNNERS)

    def run(number: int):
        runner = Browser()
        try:
            start.wait()
            link = runner.answer_questionnaire(instances, first=number % 2)
            status, _, _ = runner.send(instances[(number + 1) % 2], link)  # read on the other machine
            assert status == 200, status
            links.append(link)
        except Exception as error:  # noqa: BLE001 - every runner's failure is reported
            failures.append(f"runner {number}: {error!r}")

    began = time.monotonic()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(RUNNERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(600)
    took = time.monotonic() - began

    assert failures == [], failures[:5]
    assert len(links) == len(set(links)) == RUNNERS
    assert Assessment.objects.count() == RUNNERS, f"{Assessment.objects.count()} stored in {took:.0f}s"
    assert Assessment.objects.values("submission_key").distinct().count() == RUNNERS
    assert {a.get_absolute_url() for a in Assessment.objects.all()} == set(links)
