"""No private link in the logs, and no `Server: gunicorn` header, with the app served as in production.

gunicorn starts as README's Production section has it (the `gunicorn` script in the project's
directory, so that it reads gunicorn.conf.py), with an access log as well, on an SQLite file of
its own. A stranger probes a runner's private link: a page that is not there (404), a method the
page does not take (405), a post without the CSRF cookie (403), a page that fails (500: its
table is gone), a request line gunicorn refuses, and a Referer carrying the link. The log, as the
operator would read it (Django's warnings, tracebacks, gunicorn's error and access logs), holds
each of those lines with the token cut to its first 4 characters, never the token itself.
"""

import io
import logging
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from backpain.logs import shorten_tokens
from tests.processes import PROJECT, free_port, process_env, run_manage, wait_for_port

GUNICORN = Path(sys.executable).parent / "gunicorn"
TOKEN = "kQ2v_Xr7-Lm9PzT4bN6yWc8dHf1gJs3aE5uRiO0pYtA"  # the shape of assessments.models.new_token()
MAKE_RUNNER = (
    "from assessments.models import Assessment; from tests.personas import runner_with; "
    "print(Assessment.objects.create_from_answers(runner_with()).token)"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(base URL, a runner's real token, the log file) of the app under gunicorn."""
    tmp = tmp_path_factory.mktemp("served")
    database = tmp / "db.sqlite3"
    env = {"SECRET_KEY": "tests-only-served", "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": f"sqlite:///{database}"}
    for command in (("migrate", "-v0"), ("collectstatic", "--noinput", "-v0")):  # pages as in production
        done = run_manage(*command, env=env)
        assert done.returncode == 0, done.stderr
    made = run_manage("shell", "-c", MAKE_RUNNER, env=env)
    assert made.returncode == 0, made.stderr
    token = made.stdout.split()[-1]
    assert len(token) == 43
    # The plan page then fails as a bug would: a 500 with a traceback in the log (a stored check-in
    # the code cannot read; a database error would be a 503, see tests/test_outages.py).
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO programs_checkin (assessment_id, day, pain_now, routine_done, run, warning_signs, note, "
            "created, updated) SELECT id, date('now'), 3, 'bogus', 'no_run', '[]', '', datetime('now'), "
            "datetime('now') FROM assessments_assessment"
        )
    port = free_port()
    log = tmp / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [str(GUNICORN), "backpain.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
            + ["--access-logfile", "-"],
            cwd=PROJECT,
            env=process_env(env),
            stdout=output,
            stderr=output,
        )
    try:
        wait_for_port(port, log)
        yield f"http://127.0.0.1:{port}", token, log
    finally:
        server.terminate()
        server.wait(timeout=10)


def fetch(url, method="GET", headers=None, data=None):
    """(status, headers) of one request."""
    request = urllib.request.Request(url, method=method, headers=headers or {}, data=data)  # noqa: S310 - http only
    try:
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - http only
            return response.status, response.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


def raw_request(base, line: str) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(line.encode() + b"\r\nHost: 127.0.0.1\r\n\r\n")
        return s.recv(65536)


def written(log: Path, *lines: str) -> str:
    """The log once every one of `lines` is in it (the worker writes as it answers)."""
    for _ in range(100):
        text = log.read_text(errors="replace")
        if all(line in text for line in lines):
            return text
        time.sleep(0.05)
    return text


def test_a_stranger_probing_a_private_link_leaves_no_token_in_the_servers_logs(served):
    base, token, log = served
    short = f"/r/{token[:4]}..."
    assert fetch(f"{base}/r/{token}/no-such-page/")[0] == 404
    assert fetch(f"{base}/r/{token}x/")[0] == 404  # one character too many: the token all the same
    assert fetch(f"{base}/r/{token[:-1]}/")[0] == 404  # one too few: 42 of the 43 characters
    assert fetch(f"{base}/r/{token}/program/done/")[0] == 405
    assert fetch(f"{base}/r/{token}/check-in/", method="POST", data=b"pain_now=3")[0] == 403
    assert fetch(f"{base}/r/{token}/program/", headers={"Referer": f"{base}/r/{token}/"})[0] == 500
    assert fetch(f"{base}/admin/login/?next=%2Fr%2F{token}%2Fprogram%2F")[0] == 200
    refused = raw_request(base, f"GET /r/{token}/ HTTP/1.1 and more")
    assert refused.startswith(b"HTTP/1.1 400"), refused[:100]

    text = written(
        log,
        f"Not Found: {short}/no-such-page/",
        f"Method Not Allowed (GET): {short}/program/done/",
        f"Forbidden (CSRF cookie not set.): {short}/check-in/",
        f"Internal Server Error: {short}/program/",
        "KeyError: 'bogus'",  # the traceback
        "Invalid request from ip=127.0.0.1",  # gunicorn's error log
        f'"GET {short}/program/ HTTP/1.1" 500',  # gunicorn's access log, with the Referer
    )
    for line in (
        f"Not Found: {short}/no-such-page/",
        f"Not Found: {short}/",
        f"Method Not Allowed (GET): {short}/program/done/",
        f"Forbidden (CSRF cookie not set.): {short}/check-in/",
        f"Internal Server Error: {short}/program/",
        "KeyError: 'bogus'",
        "Invalid request from ip=127.0.0.1",
        f'"GET {short}/program/ HTTP/1.1" 500',
        f'"{base}{short}/"',
        f"next=%2Fr%2F{token[:4]}...%2Fprogram%2F",
    ):
        assert line in text, f"not in the log: {line}\n{text[-3000:]}"
    assert token[:-1] not in text and token[1:] not in text, f"a private token in the log:\n{text[-3000:]}"


def test_responses_served_by_gunicorn_do_not_name_the_server(served):
    base, token, _ = served
    for path, status in (("/", 200), (f"/r/{token}/", 200), ("/no-such-page/", 404), (f"/r/{token}/program/", 500)):
        answered, headers = fetch(base + path)
        assert answered == status, path
        assert "Server" not in headers, f"{path}: Server: {headers['Server']}"
    assert b"\r\nserver:" not in raw_request(base, "GET /r/ HTTP/1.1 and more").lower()


def test_a_traceback_naming_a_token_is_logged_with_the_token_shortened():
    # Through the handler settings.LOGGING gives every Django log: message, arguments, traceback.
    console = next(h for h in logging.getLogger().handlers if h.name == "console")
    output = io.StringIO()
    previous = console.setStream(output)
    try:
        try:
            raise LookupError(f"no plan for /r/{TOKEN}/program/ (token {TOKEN})")
        except LookupError:
            logging.getLogger("django.request").exception("Failed: %s", f"/r/{TOKEN}/program/")
    finally:
        console.setStream(previous)
    text = output.getvalue()
    assert "Failed: /r/kQ2v.../program/" in text
    assert "LookupError: no plan for /r/kQ2v.../program/ (token kQ2v...)" in text
    assert TOKEN[:10] not in text, text


@pytest.mark.parametrize(
    "text, shortened",
    [
        (f"GET /r/{TOKEN}/program/ HTTP/1.1", "GET /r/kQ2v.../program/ HTTP/1.1"),
        (f"/r/{TOKEN[:20]}/", "/r/kQ2v.../"),  # half a token is still too much
        (f"?next=%2Fr%2F{TOKEN}%2F", "?next=%2Fr%2FkQ2v...%2F"),
        (f"token={TOKEN}.", "token=kQ2v...."),
        (f"?q=%3D{TOKEN}&", "?q=%3DkQ2v...&"),
        ("/r/abcd/ and /check/warning/ and a_python_name_of_forty_two_characters_xx", None),  # left alone
        ("File /usr/lib/python3.11/site-packages/django/core/handlers/base.py", None),
    ],
)
def test_private_tokens_are_cut_to_four_characters_wherever_they_are(text, shortened):
    assert shorten_tokens(text) == (text if shortened is None else shortened)
