"""Running manage.py and the server in real processes, as a user or an operator would."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
# The variables of README's Production section (with a key of the right length): what
# `check --deploy --fail-level WARNING` passes with (the settings tests and make audit).
PRODUCTION_ENV = {
    "SECRET_KEY": "a-long-random-production-secret-key-of-more-than-fifty-characters-0123456789",
    "ALLOWED_HOSTS": "back.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://back.example.org",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_COOKIES": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_PRELOAD": "1",
    "BEHIND_PROXY": "1",
    "TRUSTED_PROXIES": "127.0.0.1",
}


def process_env(env: dict[str, str]) -> dict[str, str]:
    """This environment with only `env` for the settings (no inherited key, DEBUG or database)."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    return {**inherited, **env}


def run_manage(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    """`python manage.py ARGS` with only `env` for the settings (no inherited key, DEBUG or database)."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env=process_env(env),
        timeout=60,
        check=False,
    )


def free_port() -> int:
    """A port nothing listens on now, for a server of the test's own."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, log: Path, tries: int = 200) -> None:
    """Until a server listens on `port` (every 50 ms); the test fails with the end of its log if none does."""
    for _ in range(tries):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    pytest.fail("gunicorn did not start: " + log.read_text()[-2000:])
