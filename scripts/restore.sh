#!/usr/bin/env bash
# make restore: load a dump made by scripts/backup.sh into a NEW (or empty) database.
# Usage: scripts/restore.sh DUMP_FILE TARGET_DATABASE_URL
# Creates the target database when it does not exist and refuses one that already has tables, so
# a restore never overwrites live data. One transaction: a failed restore leaves nothing behind.
set -euo pipefail
dump=${1:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL}
target=${2:?usage: restore.sh DUMP_FILE TARGET_DATABASE_URL}
[ -r "$dump" ] || { echo "restore: cannot read $dump" >&2; exit 2; }
name=${target##*/}; name=${name%%\?*}
server=${target%/*}/postgres
[[ "$name" =~ ^[A-Za-z0-9_]+$ ]] || { echo "restore: database name '$name' must be letters, digits, _" >&2; exit 2; }
if [ "$(psql -XAtq "$server" -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != "1" ]; then
  psql -Xq "$server" -c "CREATE DATABASE \"$name\""
fi
tables=$(psql -XAtq "$target" -c "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'")
if [ "$tables" != "0" ]; then
  echo "restore: $name already has $tables tables; restore into a new database, then switch DATABASE_URL" >&2
  exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$target" "$dump"
echo "restored $dump into $name"
