# coopdec — the two set-up commands are `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
STAMP := $(VENV)/.installed

.PHONY: run test test-fast test-slow bench stress lint format install migrate data clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	@mkdir -p var
	$(MANAGE) migrate --noinput

# Reference data and the scale-1 demonstration dataset, only when the database has none.
data: migrate
	$(MANAGE) load_reference --if-empty
	$(MANAGE) generate_demo --scale 1 --seed 42 --if-empty
	$(MANAGE) create_demo_accounts --if-missing
	$(MANAGE) rebuild_search_index --if-stale

run: data
	$(MANAGE) runserver 127.0.0.1:8000

test: $(STAMP)
	$(PY) -m pytest

test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow"

test-slow: $(STAMP)
	$(PY) -m pytest -m slow

bench: migrate
	$(PY) bench/run.py

# Issue 5 (docs/reliability.md): load at 50/100/200 users on gunicorn + PostgreSQL, PostgreSQL restarted
# under load, kill -9 during long commands, and the property-based tests with many more examples.
STRESS_STAMP := $(VENV)/.installed-stress
$(STRESS_STAMP): $(STAMP)
	$(PY) -m pip install --quiet -e ".[dev,stress]"
	touch $(STRESS_STAMP)

stress: $(STRESS_STAMP)
	$(PY) bench/faults.py
	$(PY) bench/load.py
	$(PY) bench/pg_restart.py --reuse

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) var/*.sqlite3*
