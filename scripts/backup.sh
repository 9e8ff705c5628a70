#!/usr/bin/env bash
# make backup: a pg_dump of DATABASE_URL in PostgreSQL's custom format (compressed; pg_restore reads
# it). Usage: scripts/backup.sh [OUT_FILE]   (default var/backups/<database>-<UTC time>.dump)
# The dump holds patient data: keep it on encrypted storage with the same access as the database.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${DATABASE_URL:?set DATABASE_URL to the database to back up (postgres://user@host:5432/name)}"
case "$DATABASE_URL" in postgres://* | postgresql://*) ;; *) echo "backup: DATABASE_URL is not PostgreSQL" >&2; exit 2 ;; esac
name=${DATABASE_URL##*/}; name=${name%%\?*}
out=${1:-var/backups/${name}-$(date -u +%Y%m%dT%H%M%SZ).dump}
mkdir -p "$(dirname "$out")"
umask 077  # the dump is readable by its owner only
pg_dump --format=custom --no-owner --no-privileges --file="$out.partial" "$DATABASE_URL"
mv "$out.partial" "$out"  # a half-written dump never carries the final name
echo "$out"
