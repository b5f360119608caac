# Two commands do everything on a fresh machine:
#   make run   venv, migrate, reference data, demo data, serve on http://127.0.0.1:8000 (SQLite, in-process tasks)
#   make test  the whole suite on PostgreSQL and Redis (started if installed but stopped), with lint
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha1sum requirements.txt | cut -c1-12)
TEST_ENV := DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance REDIS_URL=redis://127.0.0.1:6379/15
PYTEST_ARGS ?=
# The PostgreSQL pass in parallel, one worker per core of CI's two (pytest-xdist; each worker its own
# test database): the suite takes half the time.
PYTEST_WORKERS ?= 2

.PHONY: run test lint format sysdeps services messages venv bench clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

venv: sysdeps $(STAMP)

sysdeps:
	@bash scripts/sysdeps.sh

services:
	@bash scripts/services.sh alliance

messages: venv
	$(BIN)/python manage.py compilemessages -v0 --ignore=.venv

run: export DEBUG := on
run: venv messages
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py runserver 127.0.0.1:8000

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# `make run`'s database again: the ledger's balance triggers and guards are written in each
# database's dialect (specialists migrations 0002 and 0004), and the demo, the import job and the
# pages run on them there, and the one-active-liaison constraint (a partial unique index) holds there too.
SQLITE_TESTS := tests/liaisons/test_one_liaison.py tests/specialists/test_ledger.py tests/specialists/test_demo.py tests/specialists/test_import_jobs.py \
	tests/specialists/test_views.py tests/greenmine/test_admin_demo.py

test: venv messages services lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	DATABASE_URL=sqlite:///$(CURDIR)/.sqlite-tests.db $(BIN)/pytest -q -m "not e2e and not integration and not slow" $(SQLITE_TESTS)

bench: venv services
	$(TEST_ENV) $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache
