# CitizenCRM: `make run` and `make test` work on a fresh machine (see README).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
export PATH := $(CURDIR)/$(BIN):$(PATH)
# Runs a command with the services: the configured ones, or embedded ones that `devstack run`
# starts for it and stops afterwards (also on Ctrl-C) unless they were running already.
WITH_SERVICES := $(PY) -m citizencrm.devstack run --
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: help install lock audit backup restore assets messages messages-extract setup run test lint format bench chaos \
	manage services-up services-down clean

help:
	@echo "make run     set up everything and run web + worker + beat on http://127.0.0.1:$(PORT)"
	@echo "make test    set up everything and run the test suite (lint, translations, pytest)"
	@echo "make lint    ruff check + ruff format --check"
	@echo "make audit   known vulnerabilities in the locked Python and npm packages"
	@echo "make lock    re-resolve requirements/*.txt (UPGRADE=pkg or UPGRADE_ALL=1 to move)"
	@echo "make format  ruff format + ruff check --fix"
	@echo "make bench   benchmarks (bench/)"
	@echo "make chaos   slow reliability suites (pytest -m slow)"
	@echo "make manage ARGS='…'  python manage.py … with the venv and the services"
	@echo "make services-up    start the embedded PostgreSQL/Redis and print their exports"
	@echo "make services-down  stop the embedded PostgreSQL/Redis"

# Exactly the tested versions, each file checked against its hash (requirements/*.txt, made
# from pyproject.toml by `make lock`); the project itself is installed on top, without deps.
$(BIN)/.installed: pyproject.toml requirements/dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required (set PYTHON=python3.11)")'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements/dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

# Re-resolve requirements/{prod,dev}.txt from pyproject.toml at the newest allowed versions
# (UPGRADE=package to move one package only), with hashes for every platform; then `make test`.
lock: install
	$(PY) -m pip install --quiet uv
	for kind in prod dev; do \
	  $(BIN)/uv pip compile pyproject.toml $$([ $$kind = dev ] && echo --extra dev) --universal \
	    --python-version 3.11 --generate-hashes --no-annotate --custom-compile-command "make lock" \
	    $(if $(UPGRADE),--upgrade-package $(UPGRADE),$(if $(filter 1,$(UPGRADE_ALL)),--upgrade,)) \
	    -o requirements/$$kind.txt --quiet; \
	done

install: $(BIN)/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/.installed: node_modules/.installed scripts/vendor-assets
	scripts/vendor-assets node_modules static/vendor

assets: static/vendor/.installed

# .po files are committed; .mo files are built here with Babel (no GNU gettext needed).
messages: install
	$(BIN)/pybabel compile --statistics -d locale -D django

# Refresh locale/*/django.po from the source (needs GNU gettext's xgettext), then translate.
messages-extract: install
	$(PY) manage.py makemessages --all --no-obsolete --ignore=.venv --ignore=node_modules \
	  --ignore=static --ignore=staticfiles --ignore=tests --ignore=.devdata

setup: install assets messages

run: setup
	$(WITH_SERVICES) bash -c '$(PY) manage.py migrate --no-input && $(PY) manage.py load_demo_data \
	  && echo && echo "CitizenCRM: http://127.0.0.1:$(PORT)/  (staff: http://127.0.0.1:$(PORT)/staff/login/)" \
	  && echo "Ctrl-C stops web, worker, beat and the embedded servers this run started." && echo \
	  && PORT=$(PORT) exec $(BIN)/honcho start -f Procfile'

# Known vulnerabilities with a fix in the locked packages fail (security/audit-allowlist.toml).
audit: install
	$(PY) scripts/audit-deps

# manage.py backup / restore with the services (README "Operations"): TO=folder, FROM=folder.
backup: setup
	$(WITH_SERVICES) $(PY) manage.py backup $(if $(TO),--to $(TO),)

restore: setup
	@test -n "$(FROM)" || { echo "usage: make restore FROM=backups/<folder>"; exit 2; }
	$(WITH_SERVICES) $(PY) manage.py restore $(FROM)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup lint
	@scripts/ensure-chromium
	$(WITH_SERVICES) $(PY) -m pytest -n $(PYTEST_WORKERS) -m "not slow" $(PYTEST_ARGS)

chaos: setup
	@scripts/ensure-chromium
	$(WITH_SERVICES) $(PY) -m pytest -m slow $(PYTEST_ARGS)

bench: setup
	$(WITH_SERVICES) env BENCH_CASES="$(BENCH_CASES)" $(PY) bench/run.py $(BENCH_ARGS)

# make manage ARGS='createsuperuser' (any `python manage.py …` of the README)
manage: setup
	$(WITH_SERVICES) $(PY) manage.py $(ARGS)

# eval "$(make -s services-up)" exports DATABASE_URL/REDIS_URL for your shell; the servers
# stay up until `make services-down`.
services-up: install
	@$(PY) -m citizencrm.devstack up

services-down:
	@if [ -x $(PY) ]; then $(PY) -m citizencrm.devstack down; fi

clean: services-down
	rm -rf $(VENV) node_modules static/vendor staticfiles .devdata
