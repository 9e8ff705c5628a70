#!/usr/bin/env bash
# make test: lint, types, guard rails, then pytest (with coverage) against real PostgreSQL and Redis.
# No fallback. With arguments (`scripts/test.sh tests/claims -x`) only those tests run, without the
# coverage floor, which is a whole-suite figure.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_ENV=test
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/infusion_rcm}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

# A fresh machine has PostgreSQL running and no database: create the one DATABASE_URL names
# (pytest-django then creates its test_ database beside it). An unreachable server stops here.
$PY manage.py ensure_database
if ! $PY -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=3).ping()" 2>/dev/null; then
  echo "make test needs Redis at $REDIS_URL. Start redis-server or set REDIS_URL." >&2
  exit 1
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== mypy"
.venv/bin/mypy
echo "== django checks"
$PY manage.py check --fail-level WARNING
$PY manage.py makemigrations --check --dry-run
mkdir -p var
$PY manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml
echo "== pytest"
if [ $# -eq 0 ]; then
  # Branch coverage of the app packages; fails under [tool.coverage.report] fail_under. Two
  # xdist workers (one per core; each gets its own test_<db>_gw<n> database).
  .venv/bin/pytest -q -n "${PYTEST_WORKERS:-2}" --cov --cov-report=term:skip-covered
else
  .venv/bin/pytest -q "$@"
fi
