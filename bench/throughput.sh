#!/usr/bin/env bash
# Throughput of the runner's pages against a bare Django view, served the same way:
# gunicorn on 127.0.0.1 with DEBUG off, static files collected, a throw-away SQLite
# database (or DATABASE_URL if set). Prints requests/s and the ratio to the bare view.
# Needs wrk (Debian package `wrk`). Usage: bash bench/throughput.sh [seconds]
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_URL="${1:-10}"
WORK="$(mktemp -d)"
stop() {
  if [ -n "${GUNICORN_PID:-}" ]; then kill "$GUNICORN_PID" 2>/dev/null || true; wait "$GUNICORN_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap stop EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
export SECRET_KEY="bench-only-$(date +%s)" DEBUG=0 ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="${DATABASE_URL:-sqlite:///$WORK/bench.sqlite3}"
PY=.venv/bin/python
$PY manage.py collectstatic --noinput -v0
$PY manage.py migrate --noinput -v0
$PY manage.py load_exercises -v0 >/dev/null
# A runner three weeks into the plan, with a check-in every day so far.
TOKEN=$($PY manage.py shell -v0 -c "
from datetime import timedelta
from django.utils import timezone
from assessments.models import Assessment
from programs.models import CheckIn
from tests.personas import RUNNER_ANSWERS
a = Assessment.objects.create_from_answers(dict(RUNNER_ANSWERS, sitting_hours=9, hip_flexor_test='both_sides'))
Assessment.objects.filter(pk=a.pk).update(created=timezone.now() - timedelta(days=20))
today = timezone.localdate()
for n in range(21):
    CheckIn.objects.create(assessment=a, day=today - timedelta(days=n), pain_now=3 - n % 2, routine_done='all', run='no_run')
print(a.token)")

PORT=$($PY -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
.venv/bin/gunicorn bench.wsgi --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
GUNICORN_PID=$!
for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/__bare__/" >/dev/null && break; sleep 0.2; done
kill -0 "$GUNICORN_PID" || { echo "gunicorn did not start" >&2; exit 1; }

rate() { wrk -t2 -c16 -d"${SECONDS_PER_URL}s" --latency "$1" | awk '/Requests\/sec/ {print $2}'; }
printf '%-28s %12s %8s\n' "page" "requests/s" "ratio"
BARE=$(rate "http://127.0.0.1:$PORT/__bare__/")
printf '%-28s %12s %8s\n' "bare Django view" "$BARE" "1.00"
for page in "landing /" "result /r/$TOKEN/" "questionnaire step 1 /check/" "program (21 check-ins) /r/$TOKEN/program/" "program print /r/$TOKEN/program/print/" "check-in form /r/$TOKEN/check-in/"; do
  name="${page% *}"; path="${page##* }"
  r=$(rate "http://127.0.0.1:$PORT$path")
  printf '%-28s %12s %8s\n' "$name" "$r" "$(awk -v a="$r" -v b="$BARE" 'BEGIN {printf "%.2f", a/b}')"
done
