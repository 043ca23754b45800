"""Start-up configuration: strict by default, production-ready with the README's variables."""

import pytest

from tests.processes import PRODUCTION_ENV as PRODUCTION
from tests.processes import run_manage as manage


def test_it_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = manage("check", env={})
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_a_bad_boolean_fails_loudly():
    result = manage("check", env={"SECRET_KEY": "x", "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_the_deploy_check_passes_with_the_production_variables():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(("debug", "expected"), [(None, "False"), ("0", "False"), ("1", "True")])
def test_debug_is_off_unless_asked(debug, expected):
    env = {"SECRET_KEY": "x"} if debug is None else {"SECRET_KEY": "x", "DEBUG": debug}
    result = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)", env=env)
    assert result.stdout.strip().splitlines()[-1] == expected, result.stderr


def test_a_missing_secret_key_is_explained_in_one_line_not_a_traceback():
    result = manage("check", env={})
    assert result.stderr.strip().splitlines() == [
        "Configuration error: SECRET_KEY is not set: set the SECRET_KEY environment variable "
        "(or DEBUG=1 for local development only)."
    ]


def test_a_time_zone_that_does_not_exist_fails_loudly():
    result = manage("check", env={"SECRET_KEY": "x", "TIME_ZONE": "Mars/Olympus"})
    assert result.returncode != 0
    assert "TIME_ZONE='Mars/Olympus' is not a time zone name" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_static_files_storage_works_out_each_files_url_once(tmp_path, settings):
    import json

    from backpain.storage import StaticFilesStorage

    settings.DEBUG = False
    manifest = {"version": "1.1", "hash": "0", "paths": {"css/app.css": "css/app.0123456789ab.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    storage = StaticFilesStorage(location=tmp_path, base_url="/static/")
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
    storage.hashed_files = {}  # what a second look-up would find now: the first answer is kept
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
    with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
        storage.url("css/other.css")
