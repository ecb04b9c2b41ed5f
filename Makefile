# tote — the Confluent stack for tote betting pools, in one pip install.
VENV ?= .venv
PY := $(VENV)/bin/python
TOTE := $(VENV)/bin/tote
SEED ?= ../shared/seed/poc-kafka-sql-registry

.PHONY: install test lint start down status logs prune bench clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

test: install
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The seed's stack targets. `build`, `play`, `cli` and `demo` need the ksqlDB server and
# land with it; `start` runs whatever services are built (see `tote up`).
start: install
	$(TOTE) up --detach

down: install
	$(TOTE) down

status: install
	$(TOTE) status

logs: install
	$(TOTE) logs --follow

prune: install
	$(TOTE) prune

bench: install
	$(TOTE) bench log

clean:
	rm -rf .tote .pytest_cache .mypy_cache .ruff_cache
