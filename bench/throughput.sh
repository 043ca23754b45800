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

rate() { wrk -t2 -c16 -d"${SECONDS_PER_URL}s" --latency "$@" | awk '/Requests\/sec/ {print $2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
printf '%-34s %12s %8s\n' "page" "requests/s" "ratio"
BARE=$(rate "http://127.0.0.1:$PORT/__bare__/")
printf '%-34s %12s %8s\n' "bare Django view" "$BARE" "1.00"
for page in "landing /" "result /r/$TOKEN/" "questionnaire first step /check/?reason=pain" "program (21 check-ins) /r/$TOKEN/program/" "program print /r/$TOKEN/program/print/" "check-in form /r/$TOKEN/check-in/"; do
  name="${page% *}"; path="${page##* }"
  r=$(rate "http://127.0.0.1:$PORT$path")
  printf '%-34s %12s %8s\n' "$name" "$r" "$(ratio "$r" "$BARE")"
done

# A runner part-way through the questionnaire: a session (consent given, warning signs answered)
# and a CSRF cookie of our own (a 32-character secret, sent back as the form's token).
CSRF=0123456789abcdef0123456789abcdef
JAR="$WORK/cookies"
post() { curl -sf -o /dev/null -b "csrftoken=$CSRF" -c "$JAR" -b "$JAR" --data "csrfmiddlewaretoken=$CSRF&$2" "http://127.0.0.1:$PORT$1"; }
post /check/start/ "age_band=30_39&reason=pain&pregnancy=no&consent=on&action=next"
post /check/warning/ "no_warning_signs=on&action=next"
SESSION=$(awk '$6 == "sessionid" {print $7}' "$JAR")
COOKIE="csrftoken=$CSRF; sessionid=$SESSION"
WEEK="csrfmiddlewaretoken=$CSRF&action=next&distance_unit=km&weekly_distance=25&distance_change=same_or_less&shoes=fitted&strength_training=none&sitting_hours=8&driving_hours=1&breaks=hourly&lumbar_support=yes&screen_height=eye_level"
cat > "$WORK/week.lua" <<LUA
wrk.method = "POST"
wrk.body = "$WEEK"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$COOKIE"
LUA
cat > "$WORK/bare_form.lua" <<LUA
wrk.method = "POST"
wrk.body = "csrfmiddlewaretoken=$CSRF&name=Sam&number=3"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Cookie"] = "$COOKIE"
LUA
cat > "$WORK/cookie.lua" <<LUA
wrk.headers["Cookie"] = "$COOKIE"
LUA
# Each answered POST is a redirect to the next step: check once that the step is really taken
# (a refused one redirects elsewhere, and would be measured too fast).
next=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Cookie: $COOKIE" --data "$WEEK" "http://127.0.0.1:$PORT/check/week/")
[ "$next" = "302 http://127.0.0.1:$PORT/check/pain/" ] || { echo "the week step was refused: $next" >&2; exit 1; }
shown=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/check/week/" | grep -c 'name="weekly_distance"' || true)
[ "$shown" -ge 1 ] || { echo "the week step is not shown" >&2; exit 1; }
BARE_FORM=$(rate -s "$WORK/bare_form.lua" "http://127.0.0.1:$PORT/__bare_form__/")
printf '%-34s %12s %8s\n' "bare form POST saving a session" "$BARE_FORM" "$(ratio "$BARE_FORM" "$BARE")"
r=$(rate -s "$WORK/cookie.lua" "http://127.0.0.1:$PORT/check/week/")
printf '%-34s %12s %8s\n' "questionnaire step GET (session)" "$r" "$(ratio "$r" "$BARE")"
r=$(rate -s "$WORK/week.lua" "http://127.0.0.1:$PORT/check/week/")
printf '%-34s %12s %8s   %s\n' "questionnaire step POST" "$r" "$(ratio "$r" "$BARE")" "($(ratio "$r" "$BARE_FORM") of the bare form POST)"
