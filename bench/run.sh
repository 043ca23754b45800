#!/usr/bin/env bash
# The benchmark behind `make bench`: the throughput table (bench/throughput.sh: the runner's
# pages, a questionnaire step and a check-in GET and POST, against a bare Django view in the
# same run, p50/p99) and the admin table at a given size (bench/admin_scale.sh, PostgreSQL).
# Writes bench/results/<YYYY-MM-DD>-<host>-<HHMM>.md, headed by a description of the machine,
# and shows everything on the terminal as it goes.
#
# Usage: bash bench/run.sh [--seconds N] [--admin-size N]
#   --seconds N     seconds of wrk per URL (default 10; or BENCH_SECONDS)
#   --admin-size N  assessments in the admin's database (default 10000; or BENCH_ADMIN_SIZE);
#                   0 skips the admin table
# Needs wrk. Without PostgreSQL (or root, which admin_scale.sh needs for runuser) the admin
# table is skipped with the reason, and the run goes on. Exits non-zero when a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n 's/^# \{0,1\}//; 8,11p' "$0" >&2; exit 2; }
BENCH_SECONDS="${BENCH_SECONDS:-10}"
BENCH_ADMIN_SIZE="${BENCH_ADMIN_SIZE:-10000}"
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) BENCH_SECONDS="${2:-}"; shift 2 || usage ;;
    --seconds=*) BENCH_SECONDS="${1#*=}"; shift ;;
    --admin-size) BENCH_ADMIN_SIZE="${2:-}"; shift 2 || usage ;;
    --admin-size=*) BENCH_ADMIN_SIZE="${1#*=}"; shift ;;
    *) usage ;;
  esac
done
[[ "$BENCH_SECONDS" =~ ^[1-9][0-9]*$ ]] || { echo "--seconds wants a whole number above 0, not '$BENCH_SECONDS'" >&2; exit 2; }
[[ "$BENCH_ADMIN_SIZE" =~ ^[0-9]+$ ]] || { echo "--admin-size wants a whole number, not '$BENCH_ADMIN_SIZE'" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: install it with apt-get install -y wrk" >&2; exit 1; }

# PostgreSQL for the admin table: its server version, or why there is none (on stdout, then exit 1).
postgres_version() {
  [ "$(id -u)" = 0 ] || { echo "not root (admin_scale.sh runs psql as the postgres user)"; return 1; }
  command -v pg_ctlcluster >/dev/null || { echo "PostgreSQL is not installed (no pg_ctlcluster)"; return 1; }
  pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster 15 main start >/dev/null 2>&1 \
    || { echo "cluster 15/main did not start"; return 1; }
  for _ in $(seq 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  PGPASSWORD=app psql -h 127.0.0.1 -U app -d postgres -tAc "SHOW server_version" 2>/dev/null \
    || { echo "no login as role app/app on 127.0.0.1:5432 (.ci/run sets it up)"; return 1; }
}
PG=""
if [ "$BENCH_ADMIN_SIZE" -gt 0 ]; then
  if PG_VERSION=$(postgres_version); then PG=yes; else PG_VERSION="not available: $PG_VERSION"; fi
fi

mkdir -p bench/results
NOW=$(date '+%F %H%M %Z'); read -r DAY HHMM ZONE <<<"$NOW"
OUT="bench/results/$DAY-$(hostname -s)-$HHMM.md"
say() { printf '%s\n' "$@" | tee -a "$OUT"; }
PY=.venv/bin/python
py() { $PY -c "$1" 2>/dev/null || echo unknown; }
dirty=$(git status --porcelain -- . ':(exclude)bench/results' 2>/dev/null | wc -l)
hypervisor=$(lscpu | sed -n 's/^Hypervisor vendor: *//p')
say "# Benchmark $DAY ${HHMM:0:2}:${HHMM:2} $ZONE on $(hostname -s)" "" \
  "- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores${hypervisor:+, virtual machine ($hypervisor)}" \
  "- RAM: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)" \
  "- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)" \
  "- load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)" \
  "- Python $(py 'import platform; print(platform.python_version())'), Django $(py 'import django; print(django.get_version())'), gunicorn $(py 'import gunicorn; print(gunicorn.__version__)'), SQLite $(py 'import sqlite3; print(sqlite3.sqlite_version)'), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)" \
  "- PostgreSQL: ${PG_VERSION:-not used}" \
  "- commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)$([ "$dirty" -gt 0 ] && echo ", with $dirty changed or new files")" \
  "- options: --seconds $BENCH_SECONDS --admin-size $BENCH_ADMIN_SIZE; throughput database: $([ -n "${DATABASE_URL:-}" ] && echo "DATABASE_URL (${DATABASE_URL%%:*})" || echo "SQLite, throw-away")"

failed=()
step() {  # title, command...: its output (errors too) in a fenced block
  say "" "## $1" "" '```'
  local rc=0
  "${@:2}" 2>&1 | tee -a "$OUT" || rc=$?
  say '```'
  if [ "$rc" -ne 0 ]; then say "" "**FAILED** (exit code $rc)"; failed+=("$1"); fi
}
step "Throughput (bench/throughput.sh $BENCH_SECONDS)" bash bench/throughput.sh "$BENCH_SECONDS"
if [ "$BENCH_ADMIN_SIZE" -eq 0 ]; then
  say "" "## Admin at scale" "" "Skipped: --admin-size 0."
elif [ -z "$PG" ]; then
  say "" "## Admin at scale" "" "Skipped: PostgreSQL $PG_VERSION."
else
  step "Admin at scale (bench/admin_scale.sh $BENCH_ADMIN_SIZE, PostgreSQL)" bash bench/admin_scale.sh "$BENCH_ADMIN_SIZE"
fi
say "" "Finished in $((SECONDS / 60)) min $((SECONDS % 60)) s$([ ${#failed[@]} -gt 0 ] && printf '; FAILED: %s' "${failed[*]}")."
echo "Written to $OUT" >&2
[ ${#failed[@]} -eq 0 ]
