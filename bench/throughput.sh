#!/usr/bin/env bash
# Throughput of the runner's pages against a bare Django view, served the same way:
# gunicorn on 127.0.0.1 with DEBUG off, static files collected, a throw-away SQLite
# database (or DATABASE_URL if set). Prints requests/s, the ratio to the bare view and the
# median and 99th percentile latency.
# Pages are asked for compressed, as a browser asks. Then the same with the cache off (cold),
# and what each page transfers on a first visit.
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

# Today's ticks: two exercises done.
$PY manage.py shell -v0 -c "
from django.utils import timezone
from assessments.models import Assessment
from programs.models import Tick, program_for, library_specs
a = Assessment.objects.get(token='$TOKEN')
p = program_for(a, list(a.check_ins.all()), library_specs())
for e in (p.today.warm_up + p.today.exercises)[:2]:
    Tick.objects.create(assessment=a, day=timezone.localdate(), exercise=e.slug)
"

PORT=$($PY -c "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
serve() {
  if [ -n "${GUNICORN_PID:-}" ]; then kill "$GUNICORN_PID"; wait "$GUNICORN_PID" 2>/dev/null || true; fi
  BENCH_COLD="$1" .venv/bin/gunicorn bench.wsgi --bind "127.0.0.1:$PORT" --workers 2 --log-level warning &
  GUNICORN_PID=$!
  for _ in $(seq 50); do curl -sf "http://127.0.0.1:$PORT/__bare__/" >/dev/null && break; sleep 0.2; done
  kill -0 "$GUNICORN_PID" || { echo "gunicorn did not start" >&2; exit 1; }
}

# Each page asked for the way a browser asks: compressed (the pages are gzipped on the way out).
cat > "$WORK/gzip.lua" <<LUA
wrk.headers["Accept-Encoding"] = "gzip"
LUA
# requests/s, median and 99th percentile latency (ms) of one URL.
measure() {
  wrk -t2 -c16 -d"${SECONDS_PER_URL}s" --latency "$@" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /^ +50%/ {p50 = ms($2)} /^ +99%/ {p99 = ms($2)} /Requests\/sec/ {rps = $2}
    END {printf "%s %.2f %.2f", rps, p50, p99}'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
row() {  # name, figures, yardstick requests/s, note
  set -- "$1" $2 "$3" "${4:-}"
  printf '%-36s %10s %6s %8s %8s  %s\n' "$1" "$2" "$(ratio "$2" "$5")" "$3" "$4" "$6"
}
header() { printf '\n%s\n%-36s %10s %6s %8s %8s\n' "$1" "page" "req/s" "ratio" "p50 ms" "p99 ms"; }

serve 0
BARE=$(measure "http://127.0.0.1:$PORT/__bare__/"); BARE_RPS=${BARE%% *}
header "Warm page cache (gunicorn, 2 workers, DEBUG off; ratio to the bare view in the same run)"
row "bare Django view" "$BARE" "$BARE_RPS"
for page in "landing /" "result /r/$TOKEN/" "today's plan (21 check-ins) /r/$TOKEN/program/" "whole plan /r/$TOKEN/program/plan/" "print /r/$TOKEN/program/print/" "check-in form /r/$TOKEN/check-in/" "questionnaire first step /check/?reason=pain"; do
  name="${page% *}"; path="${page##* }"
  row "$name" "$(measure -s "$WORK/gzip.lua" "http://127.0.0.1:$PORT$path")" "$BARE_RPS"
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
# A wrk script that POSTs a form: file, body, cookie.
post_script() {
  printf 'wrk.method = "POST"\nwrk.body = "%s"\nwrk.headers["Content-Type"] = "application/x-www-form-urlencoded"\nwrk.headers["Cookie"] = "%s"\n' "$2" "$3" > "$WORK/$1"
}
post_script week.lua "$WEEK" "$COOKIE"
post_script bare_form.lua "csrfmiddlewaretoken=$CSRF&name=Sam&number=3" "$COOKIE"
cat > "$WORK/cookie.lua" <<LUA
wrk.headers["Cookie"] = "$COOKIE"
LUA
# Each answered POST is a redirect to the next step: check once that the step is really taken
# (a refused one redirects elsewhere, and would be measured too fast).
next=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Cookie: $COOKIE" --data "$WEEK" "http://127.0.0.1:$PORT/check/week/")
[ "$next" = "302 http://127.0.0.1:$PORT/check/pain/" ] || { echo "the week step was refused: $next" >&2; exit 1; }
shown=$(curl -s -H "Cookie: $COOKIE" "http://127.0.0.1:$PORT/check/week/" | grep -c 'name="weekly_distance"' || true)
[ "$shown" -ge 1 ] || { echo "the week step is not shown" >&2; exit 1; }
BARE_FORM=$(measure -s "$WORK/bare_form.lua" "http://127.0.0.1:$PORT/__bare_form__/"); BARE_FORM_RPS=${BARE_FORM%% *}
row "bare form POST saving a session" "$BARE_FORM" "$BARE_RPS"
row "questionnaire step GET (session)" "$(measure -s "$WORK/cookie.lua" "http://127.0.0.1:$PORT/check/week/")" "$BARE_RPS"
STEP=$(measure -s "$WORK/week.lua" "http://127.0.0.1:$PORT/check/week/")
row "questionnaire step POST" "$STEP" "$BARE_RPS" "($(ratio "${STEP%% *}" "$BARE_FORM_RPS") of the bare form POST)"
# A check-in POST: today's check-in updated, and the plan built to say what it changed.
CHECK_IN="csrfmiddlewaretoken=$CSRF&day=$(date +%F)&pain_now=2&routine_done=some&run=no_run&distance=&no_warning_signs=on&note="
post_script check_in.lua "$CHECK_IN" "csrftoken=$CSRF"
saved=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: csrftoken=$CSRF" --data "$CHECK_IN" "http://127.0.0.1:$PORT/r/$TOKEN/check-in/")
[ "$saved" = "302" ] || { echo "the check-in was refused: $saved" >&2; exit 1; }
row "check-in POST" "$(measure -s "$WORK/check_in.lua" "http://127.0.0.1:$PORT/r/$TOKEN/check-in/")" "$BARE_RPS" "(the plan rebuilt for the message)"

serve 1
BARE=$(measure "http://127.0.0.1:$PORT/__bare__/"); BARE_RPS=${BARE%% *}
header "Cold page cache (every page built from scratch; the exercise library cached)"
row "bare Django view" "$BARE" "$BARE_RPS"
for page in "result /r/$TOKEN/" "today's plan (21 check-ins) /r/$TOKEN/program/" "whole plan /r/$TOKEN/program/plan/" "print /r/$TOKEN/program/print/" "check-in form /r/$TOKEN/check-in/"; do
  name="${page% *}"; path="${page##* }"
  row "$name" "$(measure -s "$WORK/gzip.lua" "http://127.0.0.1:$PORT$path")" "$BARE_RPS"
done

printf '\n%s\n%-60s %10s %14s\n' "First visit: what a page and all its files transfer, compressed (KB)" "page" "HTML" "with files"
for path in "/" "/r/$TOKEN/" "/r/$TOKEN/program/" "/r/$TOKEN/program/plan/" "/r/$TOKEN/program/print/" "/r/$TOKEN/check-in/"; do
  $PY bench/page_weight.py "http://127.0.0.1:$PORT$path" | awk -v p="${path/$TOKEN/<token>}" '{printf "%-60s %10.1f %14.1f   (%s)\n", p, $2 / 1024, $3 / 1024, $4}'
done
