# Registri Inovasi Daerah — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/registri
# `make run PORT=8001` serves on another port (links in e-mails follow it).
HOST ?= 127.0.0.1
PORT ?= 8000
DEV_ENV := DJANGO_DEBUG=true REGISTRI_BASE_URL=http://$(HOST):$(PORT)
# The PostgreSQL test database is named after this checkout's path; `make test TEST_DATABASE_NAME=...` names it.
TEST_ENV := $(if $(TEST_DATABASE_NAME),DJANGO_TEST_DATABASE_NAME=$(TEST_DATABASE_NAME))

.PHONY: run serve test lint format messages chromium clean-db bench

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

# Creates the virtualenv, migrates, loads the demo (idempotent) and serves on http://127.0.0.1:8000
# (HOST= and PORT= change it), with a background worker for e-mail and other tasks (stopped with the server).
run: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py migrate --noinput
	$(DEV_ENV) $(PY) manage.py seed_demo
	$(DEV_ENV) $(PY) manage.py db_worker --no-startup-delay & worker=$$!; \
		trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(DEV_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

# Production mode (docs/deploy.md): collects static files, migrates, then runs gunicorn (gunicorn.conf.py) and
# the task worker together; Ctrl-C stops both, and if one dies the other is stopped and make fails. Settings
# come from the environment or from an env file: make serve ENV_FILE=/etc/registri/registri.env
serve:
	@test -x $(PY) || { echo "No $(PY): python3 -m venv .venv && .venv/bin/pip install ."; exit 1; }
	$(PY) deploy/serve.py $(if $(ENV_FILE),--env-file $(ENV_FILE))

# Lint and the layers (import-linter), then the whole suite on SQLite, then again on PostgreSQL when it answers.
test: $(VENV)/.installed chromium
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run
	env -u DATABASE_URL $(PY) -m pytest
	@if [ -n "$$DATABASE_URL" ]; then \
		echo "== PostgreSQL ($$DATABASE_URL)"; $(TEST_ENV) $(PY) -m pytest; \
	elif $(PY) -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2)" 2>/dev/null; then \
		echo "== PostgreSQL ($(POSTGRES_URL))"; DATABASE_URL=$(POSTGRES_URL) $(TEST_ENV) $(PY) -m pytest; \
	else \
		echo "== PostgreSQL not reachable on 127.0.0.1:5432: suite ran on SQLite only"; \
	fi

# Browser tests drive Debian's chromium; Playwright cannot download its own here.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

# Refresh the Indonesian catalogue after changing user-facing strings (needs GNU gettext).
messages: $(VENV)/.installed
	$(DEV_ENV) $(PY) manage.py makemessages --locale id --ignore ".venv/*" --ignore "staticfiles/*"
	$(DEV_ENV) $(PY) manage.py compilemessages --locale id --ignore ".venv/*"

# Every benchmark of bench/ in turn, each printing its table (about 10-15 minutes; not part of `make test`): on
# PostgreSQL when it answers (BENCH_DATABASE_URL's server, else 127.0.0.1:5432), each in a fresh database of its
# own, the deadline peak (bench/peak.py: gunicorn + worker under load) included; else on SQLite, without the peak.
# `make bench BENCH=review_queue` runs some of them.
bench: $(VENV)/.installed
	$(PY) bench/run_all.py $(BENCH)

clean-db:
	rm -f db.sqlite3 db.sqlite3-wal db.sqlite3-shm
