#!/usr/bin/env bash
# make run: embedded by default (SQLite in var/, tasks in-process). If REDIS_URL is unset but a
# Redis answers on 127.0.0.1:6379, use it and start a Celery worker beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var
export DEMO_MODE=${DEMO_MODE:-true}
# Likewise PostgreSQL on 127.0.0.1:5432 (the managers' dashboards run PostgreSQL's SQL): the
# demo gets its own database, created by ensure_database below. EMBEDDED=1 keeps SQLite.
if [ -z "${DATABASE_URL:-}" ] && [ -z "${EMBEDDED:-}" ]; then
  if $PY -c "import psycopg2; psycopg2.connect(host='127.0.0.1', port=5432, user='postgres', dbname='postgres', connect_timeout=2).close()" 2>/dev/null; then
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/infusion_rcm_demo
    echo "PostgreSQL at 127.0.0.1:5432: using database infusion_rcm_demo"
  fi
fi
if [ -z "${REDIS_URL:-}" ] && [ -z "${EMBEDDED:-}" ]; then
  if $PY -c "import redis,sys; redis.Redis(socket_connect_timeout=1).ping()" 2>/dev/null; then
    export REDIS_URL=redis://127.0.0.1:6379/1
  fi
fi
$PY manage.py ensure_database
$PY manage.py migrate --noinput
$PY manage.py load_reference_data
$PY manage.py seed_demo
worker_pid=""
if [ -n "${REDIS_URL:-}" ]; then
  echo "Redis at $REDIS_URL: starting a Celery worker (log: var/worker.log)"
  .venv/bin/celery -A infusion_rcm.celery worker -l info -Q default,scrub,batch,eligibility,era \
    --concurrency 2 >var/worker.log 2>&1 &
  worker_pid=$!
  trap '[ -n "$worker_pid" ] && kill $worker_pid 2>/dev/null || true' EXIT
else
  echo "No Redis: tasks run in-process (embedded mode)."
fi
echo "Infusion RCM on http://127.0.0.1:8000/"
$PY manage.py runserver 127.0.0.1:8000
