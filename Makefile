# The single entry point: `make run` and `make test` work on a fresh machine with Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# Checks that load the settings outside pytest need some key (pytest-env sets it in tests).
CHECK_ENV := SECRET_KEY=$${SECRET_KEY:-tests-only-not-a-secret}

.PHONY: run worker demo test audit bench lint format migrations-check collectstatic clean

$(BIN)/python:
	@echo "==> Creating the virtual environment in $(VENV)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(STAMP): $(BIN)/python requirements.txt requirements-dev.txt
	@echo "==> Installing the Python packages into $(VENV) (the first time takes a minute or two)"
	$(BIN)/pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt
	@echo "==> Python packages ready"
	touch $(STAMP)

# The audit's judges from npm (Lighthouse, the Nu HTML checker), pinned by audit/package-lock.json.
AUDIT_TOOLS := audit/node_modules/.package-lock.json
$(AUDIT_TOOLS): audit/package.json audit/package-lock.json
	@echo "==> Installing the audit's npm tools into audit/node_modules"
	cd audit && npm ci --no-audit --no-fund --loglevel=error

# The task worker (it writes large exports) runs beside the development server and stops with it.
WITH_WORKER = DEBUG=$${DEBUG:-1} $(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM;

run: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_exercises
	$(WITH_WORKER) DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000

# The task worker alone (with `make run` it already runs): for a second terminal, or a server
# where the web server is gunicorn (see README, Production).
worker: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py db_worker

# A filled app on your machine: a demo clinic, its clinician, a superuser and five runners
# (passwords printed, new every run), then the development server. DEBUG only.
demo: $(STAMP)
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --noinput -v0
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_exercises
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py demo
	$(WITH_WORKER) DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(CHECK_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest

# Every runner and admin page judged as served in production (axe-core, the Nu HTML checker,
# Lighthouse) and check --deploy; one table, fails below the thresholds. Needs Chromium, Java
# and Node.js (see README). In a throw-away SQLite database, or AUDIT_DATABASE_URL (its own).
audit: $(STAMP) $(AUDIT_TOOLS)
	$(BIN)/python audit/audit.py $(AUDIT_ARGS)

# Throughput against a bare view, and the admin at BENCH_ADMIN_SIZE assessments (PostgreSQL);
# make bench BENCH_SECONDS=10 BENCH_ADMIN_SIZE=10000 (the defaults; 0 skips the admin table);
# the figures go to a file under bench/results/.
bench: $(STAMP)
	bash bench/run.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

migrations-check: $(STAMP)
	$(CHECK_ENV) $(BIN)/python manage.py makemigrations --check --dry-run

collectstatic: $(STAMP)
	$(BIN)/python manage.py collectstatic --noinput

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache audit/node_modules audit/out
