#!/usr/bin/env bash
# make test: lint, guard rails, then pytest against real PostgreSQL and Redis. No fallback.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
export DJANGO_ENV=test
export DATABASE_URL=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/infusion_rcm}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/0}

if ! $PY - <<'PYEOF'
import os, sys
import psycopg2
try:
    psycopg2.connect(os.environ["DATABASE_URL"], connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL is not reachable at {os.environ['DATABASE_URL']}: {exc}".strip(), file=sys.stderr)
    sys.exit(1)
PYEOF
then
  echo "make test needs PostgreSQL. Start it (pg_ctlcluster ... main start) or set DATABASE_URL." >&2
  exit 1
fi
if ! $PY -c "import os, redis; redis.Redis.from_url(os.environ['REDIS_URL'], socket_connect_timeout=3).ping()" 2>/dev/null; then
  echo "make test needs Redis at $REDIS_URL. Start redis-server or set REDIS_URL." >&2
  exit 1
fi

echo "== ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== django checks"
$PY manage.py check --fail-level WARNING
$PY manage.py makemigrations --check --dry-run
mkdir -p var
$PY manage.py spectacular --validate --fail-on-warn --file var/openapi.yaml
echo "== pytest"
.venv/bin/pytest -q "$@"
