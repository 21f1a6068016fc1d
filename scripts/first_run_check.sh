#!/usr/bin/env bash
# First run, scripted (issue 21): follows docs/operations.md section 1 ("A first run on one
# machine") step by step on a fresh clone of this repository — database and roles, .env from
# .env.example, migrate, reference data, the first administrator, web + worker + beat — then checks
# /readyz answers 200 from 127.0.0.1, that the web server connects as the runtime role, and that
# `git status` shows no .env to commit. Cleans everything up (processes, database, roles, clone)
# unless --keep. Exits non-zero at the first step that fails, naming it.
#
#   scripts/first_run_check.sh [--server postgres://postgres@127.0.0.1:5432] [--redis URL] [--keep]
#
# --server: a PostgreSQL superuser (it creates the roles and the database, as in the doc).
# FIRST_RUN_VENV=/path/.venv reuses an installed virtualenv instead of `pip install` (offline).
# The clone is of the committed HEAD: uncommitted changes are not part of the check.
set -euo pipefail

usage() {
  echo "Cách dùng / usage: scripts/first_run_check.sh [--server URL] [--redis URL] [--keep]" >&2
  exit 2
}
server=${FIRST_RUN_SERVER:-postgres://postgres@127.0.0.1:5432}
redis=${FIRST_RUN_REDIS:-redis://127.0.0.1:6379/0}
keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --server) [ $# -ge 2 ] || usage; server=${2%/}; shift 2 ;;
    --redis) [ $# -ge 2 ] || usage; redis=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) usage ;;
  esac
done

source_repo=$(cd "$(dirname "$0")/.." && pwd)
suffix=$$
db=cdht_first_run_$suffix
owner=cdht_owner_$suffix
app=cdht_app_$suffix
work=$(mktemp -d "${TMPDIR:-/tmp}/first-run-XXXXXX")
clone=$work/cdht
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pids=()
step() { printf '\n== %s\n' "$*"; }

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ "$keep" = 0 ]; then
    psql "$server/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    psql "$server/postgres" -qc "DROP ROLE IF EXISTS $app" -c "DROP ROLE IF EXISTS $owner" >/dev/null 2>&1 || true
    rm -rf "$work"
  else
    echo "kept: $clone, database $db, roles $owner and $app"
  fi
}
trap cleanup EXIT

step "0. A fresh clone"
git clone -q "$source_repo" "$clone"
cd "$clone"
if [ -n "${FIRST_RUN_VENV:-}" ]; then
  ln -s "$FIRST_RUN_VENV" .venv
else
  python3 -m venv .venv && .venv/bin/pip install -q -r requirements.txt
fi
mkdir -p var

step "1. The database and its two roles (as a PostgreSQL superuser)"
owner_pw=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
app_pw=$(python3 -c 'import secrets; print(secrets.token_urlsafe(18))')
psql "$server/postgres" -v ON_ERROR_STOP=1 -q <<SQL
CREATE ROLE $owner LOGIN PASSWORD '$owner_pw';
CREATE ROLE $app LOGIN PASSWORD '$app_pw' NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE $db OWNER $owner;
SQL
psql "$server/$db" -v ON_ERROR_STOP=1 -q <<SQL
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO $owner;
GRANT USAGE ON SCHEMA public TO $app;
SQL

step "2. .env from .env.example, filled in"
cp .env.example .env
chmod 600 .env
key() { python3 -c "import base64,os;print(base64.b64encode(os.urandom(32)).decode())"; }
hostport=${server#*@}
cat >> .env <<ENV

# --- filled in by the first run ---
DJANGO_SECRET_KEY=$(key)
FIELD_ENCRYPTION_KEYS=k1:$(key)
BLIND_INDEX_KEY=$(key)
AUDIT_CHAIN_KEY=$(key)
DATABASE_URL=postgres://$app:$app_pw@$hostport/$db
DATABASE_OWNER_URL=postgres://$owner:$owner_pw@$hostport/$db
DATABASE_RUNTIME_USER=$app
CELERY_BROKER_URL=$redis
REDIS_URL=$redis
# plain HTTP on a test machine, no TLS proxy in front
DJANGO_BEHIND_TLS_PROXY=0
TRUSTED_PROXY_COUNT=0
DJANGO_SECURE_SSL_REDIRECT=0
DJANGO_SECURE_COOKIES=0
GUNICORN_BIND=127.0.0.1:$port
OUTREACH_PUBLIC_BASE_URL=http://127.0.0.1:$port
ENV
set -a && . ./.env && set +a

step "3. migrate (as the owner), reference data, content, static files"
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py load_reference_data -v 0
.venv/bin/python manage.py load_outreach_content -v 0
.venv/bin/python manage.py collectstatic --noinput -v 0

step "4. The first administrator (TOTP at the first sign-in)"
printf '%s\n' "first-run $(key)" | .venv/bin/python manage.py create_first_admin quan-tri --password-stdin

step "5. web, worker, beat"
.venv/bin/gunicorn -c config/gunicorn.py config.wsgi >var/web.log 2>&1 & pids+=($!)
.venv/bin/celery -A config worker -Q sending,retries,default -n "first-run-$suffix@%h" -c 2 >var/worker.log 2>&1 & pids+=($!)
.venv/bin/celery -A config beat -s var/celerybeat-schedule >var/beat.log 2>&1 & pids+=($!)

step "6. /readyz from 127.0.0.1"
status=000
for _ in $(seq 1 120); do
  status=$(curl -s -o var/readyz.json -w '%{http_code}' "http://127.0.0.1:$port/readyz" || true)
  [ "$status" = 200 ] && break
  sleep 0.5
done
cat var/readyz.json 2>/dev/null; echo
if [ "$status" != 200 ]; then
  echo "FAILED: /readyz answered $status" >&2
  tail -n 30 var/web.log >&2
  exit 1
fi

step "7. The processes connect as the runtime role, which cannot rewrite the audit tables"
user=$(DJANGO_SETTINGS_MODULE=config.settings .venv/bin/python -c 'import django; django.setup(); from django.db import connection
with connection.cursor() as c: c.execute("SELECT current_user"); print(c.fetchone()[0])')
echo "the application connects as: $user"
[ "$user" = "$app" ] || { echo "FAILED: the application connects as $user, not $app" >&2; exit 1; }
if psql "$DATABASE_URL" -qc 'TRUNCATE registry_accessevent' 2>var/truncate.err; then
  echo "FAILED: the runtime role may TRUNCATE the access log" >&2; exit 1
fi
grep -q 'permission denied' var/truncate.err || { cat var/truncate.err >&2; exit 1; }
echo "TRUNCATE registry_accessevent as $app: permission denied"

step "8. git status shows no .env to commit"
git status --porcelain
if git status --porcelain --untracked-files=all | grep -q '\.env$'; then
  echo "FAILED: .env would be committed" >&2
  exit 1
fi
echo "first run: OK"
