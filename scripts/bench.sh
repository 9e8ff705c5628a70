#!/usr/bin/env bash
# make bench: run every bench/*.py; each prints `BENCH <name> <value> <unit>` lines.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_ENV=${DJANGO_ENV:-test}
for script in bench/*.py; do
  [ -e "$script" ] || continue
  echo "== $script" >&2
  .venv/bin/python "$script"
done
