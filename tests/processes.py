"""Running manage.py in a real process, as a user or an operator would."""

import os
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent


def run_manage(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    """`python manage.py ARGS` with only `env` for the settings (no inherited key, DEBUG or database)."""
    inherited = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=PROJECT,
        env={**inherited, **env},
        timeout=60,
        check=False,
    )
