#!/usr/bin/env bash
# The clinician admin at scale on PostgreSQL: fills a database of its own (backpain_bench)
# with N generated assessments (default 100,000) and their check-ins, then prints the server
# time and queries of every clinician and superuser admin page (the review queue with each filter,
# sort and search, the check-ins, the access records, the front page, one assessment, one check-in)
# and the CSV and FHIR exports' peak memory for 1,000, 10,000 and all assessments
# (the first two only when N is larger). A database of another size is made again.
# Needs the machine's PostgreSQL 15 and the role `app` (as .ci/run sets up).
# Usage: bash bench/admin_scale.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
N="${1:-100000}"
PY=.venv/bin/python
pg_isready -q -h 127.0.0.1 -p 5432 || { pg_ctlcluster 15 main start; sleep 2; }
(cd / && runuser -u postgres -- psql -q -tAc "SELECT 1 FROM pg_database WHERE datname = 'backpain_bench'" | grep -q 1) \
  || (cd / && runuser -u postgres -- createdb -O app backpain_bench)
export DATABASE_URL=postgres://app:app@127.0.0.1:5432/backpain_bench
export SECRET_KEY="bench-only-$(date +%s)" DEBUG=0 ALLOWED_HOSTS=testserver
$PY manage.py collectstatic --noinput -v0
$PY manage.py migrate --noinput -v0
$PY manage.py load_exercises -v0 >/dev/null
HAVE=$($PY manage.py shell -v0 -c "from assessments.models import Assessment; print(Assessment.objects.count())")
if [ "$HAVE" -ne 0 ] && [ "$HAVE" -ne "$N" ]; then  # always one seed_demo run of N, so that runs compare
  echo "backpain_bench holds $HAVE assessments, not $N: making it again" >&2
  (cd / && runuser -u postgres -- dropdb backpain_bench && runuser -u postgres -- createdb -O app backpain_bench)
  $PY manage.py migrate --noinput -v0
  $PY manage.py load_exercises -v0 >/dev/null
  HAVE=0
fi
if [ "$HAVE" -lt "$N" ]; then
  DEBUG=1 $PY manage.py seed_demo --assessments "$((N - HAVE))" --seed 1
fi
(cd / && runuser -u postgres -- psql -q -d backpain_bench -c "VACUUM ANALYZE")
$PY -m bench.admin_scale
for action in export_csv export_fhir; do
  for limit in 1000 10000 0; do
    [ "$limit" -lt "$N" ] || continue  # no first 10,000 of a smaller database: "all" covers it
    $PY -m bench.admin_scale "$action" "$limit"   # one process each: the peak is that export's own
  done
done
