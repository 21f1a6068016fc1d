#!/usr/bin/env bash
# Restore drill (docs/operations.md section 5): restore a pg_dump (custom format) into a fresh
# database and read encrypted values back with the keyring in the environment
# (FIELD_ENCRYPTION_KEYS and BLIND_INDEX_KEY, or KEYRING_FILE). Exits non-zero when anything fails.
#
#   scripts/restore_drill.sh backup.dump postgres://postgres@127.0.0.1:5432   [database name]
set -euo pipefail
dump=$1
server=${2%/}
name=${3:-restore_drill_$(date +%Y%m%d%H%M%S)}
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$here/.venv/bin/python}

psql "$server/postgres" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
trap 'psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
pg_restore --no-owner --no-privileges --exit-on-error -d "$server/$name" "$dump"
cd "$here"
DATABASE_URL="$server/$name" DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-restore-drill} \
  "$python" manage.py migrate --check -v 0
# A dump restored without privileges grants the runtime role nothing: the check reads as the owner.
DATABASE_URL="$server/$name" DATABASE_RUNTIME_USER= DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-restore-drill} \
  "$python" manage.py restore_check
echo "restore drill: OK ($name)"
