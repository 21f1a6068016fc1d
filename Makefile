# The two commands (DESIGN.md section 7):
#   make run   — set up the embedded development site (SQLite in var/) and serve it on 127.0.0.1:8000
#   make test  — the whole suite on PostgreSQL (DATABASE_URL, else 127.0.0.1:5432, else a throwaway
#                cluster from the installed PostgreSQL binaries)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
DEMO_PEOPLE ?= 300
BENCH_PEOPLE ?= 1000000
BENCH_RECIPIENTS ?= 100000
BENCH_ROWS ?= 100000

# `make setup` / `make run` are the embedded development site: debug on, development keys in var/.
DEV_ENV := DJANGO_DEBUG=1 ENCRYPTION_DEV_KEYS=1

.PHONY: setup run test lint bench bench-seed bench-access bench-pages bench-api bench-outreach bench-load bench-reports bench-import profile-pages messages clean

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Cần Python 3.11 trở lên / Python 3.11+ required")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev-installed: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

setup: $(VENV)/.installed
	@mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput -v 0
	$(DEV_ENV) $(PY) manage.py load_reference_data
	$(DEV_ENV) $(PY) manage.py load_outreach_content
	$(DEV_ENV) $(PY) manage.py seed_demo --people $(DEMO_PEOPLE) --seed 1 --if-empty
	$(DEV_ENV) $(PY) manage.py outreach_demo
	$(DEV_ENV) $(PY) manage.py create_demo_users

run: setup
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

test: $(VENV)/.dev-installed
	@mkdir -p var
	@scripts/ensure_test_tools.sh
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	redis=$$($(PY) scripts/testredis.py url) || exit 1; \
	echo "Cơ sở dữ liệu kiểm thử / test database: $${url%%\?*}; Redis: $$redis"; \
	DATABASE_URL=$$url REDIS_URL=$$redis DJANGO_SECRET_KEY=test-only-not-a-secret DJANGO_SECURE_SSL_REDIRECT=0 $(VENV)/bin/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff check --select DTZ --ignore-noqa .

bench: bench-seed bench-access bench-pages bench-api bench-outreach bench-load bench-reports bench-import

# Seeds BENCH_PEOPLE people into a fresh PostgreSQL database and prints the timing as JSON.
bench-seed: $(VENV)/.dev-installed
	@mkdir -p var
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	BENCH_DATABASE_URL=$$url BENCH_PEOPLE=$(BENCH_PEOPLE) $(PY) bench/bench_seed.py

messages: $(VENV)/.dev-installed
	DJANGO_DEBUG=1 $(PY) manage.py makemessages -l en -i ".venv/*" -i "tests/*" -i "bench/*" -v 0
	$(PY) locale/translate_en.py locale/en/LC_MESSAGES/django.po
	msgfmt -o locale/en/LC_MESSAGES/django.mo locale/en/LC_MESSAGES/django.po

# The scoped case list of a commune officer against the same list unscoped (reuses the seeded database).
bench-access: $(VENV)/.dev-installed
	@mkdir -p var
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	BENCH_DATABASE_URL=$$url BENCH_PEOPLE=$(BENCH_PEOPLE) $(PY) bench/bench_access.py

# The staff pages of a commune officer (home, worklist, case list, case page, search) beside bare
# queries of their rows (reuses the seeded database).
# Where a staff page's server time goes: per page, CPU, SQL and the parts (docs/performance.md).
profile-pages: $(VENV)/.dev-installed
	@mkdir -p var
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	BENCH_DATABASE_URL=$$url BENCH_PEOPLE=$(BENCH_PEOPLE) $(PY) bench/profile_pages.py

bench-pages: $(VENV)/.dev-installed
	@mkdir -p var
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	BENCH_DATABASE_URL=$$url BENCH_PEOPLE=$(BENCH_PEOPLE) $(PY) bench/bench_pages.py

# The province-wide yearly report (figures, Excel, PDF) over BENCH_PEOPLE cases (reuses the seeded
# database).
bench-reports: $(VENV)/.dev-installed
	@mkdir -p var
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	BENCH_DATABASE_URL=$$url BENCH_PEOPLE=$(BENCH_PEOPLE) $(PY) bench/bench_reports.py

# Importing BENCH_ROWS release notices (dry run, all-or-nothing commit, CSV and XLSX) into a fresh
# database.
bench-import: $(VENV)/.dev-installed
	@mkdir -p var
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	BENCH_DATABASE_URL=$$url BENCH_ROWS=$(BENCH_ROWS) $(PY) bench/bench_import.py

# Four API endpoints beside bare raw-SQL views returning the same rows (reuses the seeded database).
bench-api: $(VENV)/.dev-installed
	@mkdir -p var
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	BENCH_DATABASE_URL=$$url BENCH_PEOPLE=$(BENCH_PEOPLE) $(PY) bench/bench_api.py

# The outbox of a BENCH_RECIPIENTS campaign, dispatch by two Celery workers to the local fake
# provider beside a bare HTTP loop, and a rate-limited sender (PostgreSQL and Redis).
bench-outreach: $(VENV)/.dev-installed
	@mkdir -p var
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	BENCH_DATABASE_URL=$$url BENCH_RECIPIENTS=$(BENCH_RECIPIENTS) $(PY) bench/bench_outreach.py

# Locust, headless: 50 commune officers browsing against gunicorn on the seeded database (JSON).
bench-load: $(VENV)/.dev-installed
	@mkdir -p var
	@url=$$($(PY) scripts/testdb.py url) || exit 1; \
	BENCH_DATABASE_URL=$$url BENCH_PEOPLE=$(BENCH_PEOPLE) $(PY) bench/bench_load.py

clean:
	$(PY) scripts/testdb.py stop || true
	$(PY) scripts/testredis.py stop || true
	rm -rf var $(VENV)
