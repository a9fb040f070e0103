# Casework: `make run` serves the demo on http://127.0.0.1:8000; `make test` runs every check.
# DATABASE_URL=postgres://user@host:5432/name switches both from SQLite to PostgreSQL.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PYDEPS := $(VENV)/.installed-deps
NODEDEPS := node_modules/.installed-deps
CHROMIUM ?= /usr/bin/chromium
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck migrations-check unit chromium deps bench clean

deps: $(PYDEPS) $(NODEDEPS)

$(PYDEPS): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(NODEDEPS): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian's Chromium drives the browser tests (never a downloaded browser build).
chromium:
	@test -x $(CHROMIUM) || { \
	  echo "Installing Debian's chromium for the browser tests (needs root)..."; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

run: deps
	mkdir -p var
	CASEWORK_DEBUG=1 $(PY) manage.py migrate --noinput
	CASEWORK_DEBUG=1 $(PY) manage.py load_demo --if-empty
	CASEWORK_DEBUG=1 $(PY) manage.py runserver $(HOST):$(PORT)

lint: $(PYDEPS)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(PYDEPS)
	$(VENV)/bin/mypy casework

migrations-check: $(PYDEPS)
	mkdir -p var
	DJANGO_SETTINGS_MODULE=casework.config.settings_test $(PY) manage.py makemigrations --check --dry-run --skip-checks

unit: deps chromium
	$(VENV)/bin/pytest -n 2

test: deps chromium lint typecheck migrations-check
	@echo "Database: $${DATABASE_URL:-SQLite (embedded default)}"
	$(VENV)/bin/pytest -n 2

bench: deps
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) node_modules staticfiles test-artifacts
