#!/usr/bin/env bash
# Restore drill (docs/operations.md section 5): restore a pg_dump (custom format) into a fresh
# database and prove it can be used with the keyring in the environment (FIELD_ENCRYPTION_KEYS and
# BLIND_INDEX_KEY, or KEYRING_FILE): every migration applied, every non-empty encrypted value
# opens, the blind index of a sample recomputes to the stored one. Exits non-zero, naming the key,
# when anything fails.
set -euo pipefail

usage() {
  cat >&2 <<'USAGE'
Cách dùng / usage:
  scripts/restore_drill.sh [--server URL] [--name NAME] [--keep] DUMP
  scripts/restore_drill.sh DUMP URL [NAME]          (older form)

  DUMP          pg_dump --format=custom file
  --server URL  PostgreSQL server as a role that may create databases, without a database name
                (default: $RESTORE_SERVER_URL, else postgres://postgres@127.0.0.1:5432)
  --name NAME   name of the restored database (default: restore_drill_<date and time>_<pid>)
  --keep        keep the restored database afterwards (default: dropped at the end)
The keyring comes from the environment, as for the application.
USAGE
  exit 2
}

server=${RESTORE_SERVER_URL:-postgres://postgres@127.0.0.1:5432}
name=restore_drill_$(date +%Y%m%d%H%M%S)_$$
keep=0
dump=
positional=()
while [ $# -gt 0 ]; do
  case $1 in
    --server) [ $# -ge 2 ] || usage; server=$2; shift 2 ;;
    --name) [ $# -ge 2 ] || usage; name=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) usage ;;
    -*) echo "Tùy chọn không hợp lệ / unknown option: $1" >&2; usage ;;
    *) positional+=("$1"); shift ;;
  esac
done
case ${#positional[@]} in
  1) dump=${positional[0]} ;;
  2) dump=${positional[0]}; server=${positional[1]} ;;
  3) dump=${positional[0]}; server=${positional[1]}; name=${positional[2]} ;;
  *) usage ;;
esac
[ -f "$dump" ] || { echo "Không thấy tệp sao lưu / no such dump: $dump" >&2; usage; }
[[ $name =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "Tên cơ sở dữ liệu không hợp lệ / bad name: $name" >&2; usage; }
server=${server%/}
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-$here/.venv/bin/python}

psql "$server/postgres" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
if [ "$keep" = 1 ]; then
  trap 'echo "restore drill: database $name kept (drop it with: psql $server/postgres -c \"DROP DATABASE $name\")"' EXIT
else
  trap 'psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
fi
pg_restore --no-owner --no-privileges --exit-on-error -d "$server/$name" "$dump"
cd "$here"
# A dump restored without privileges grants the runtime role nothing: the checks read as the
# server's role (DATABASE_RUNTIME_USER empty).
unset DATABASE_OWNER_URL
export DATABASE_URL="$server/$name" DATABASE_RUNTIME_USER= \
  DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-restore-drill} ENCRYPTION_DEV_KEYS=0
"$python" manage.py migrate --check -v 0
"$python" manage.py restore_check
echo "restore drill: OK ($name)"
