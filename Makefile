# tote — the Confluent stack for tote betting pools, in one pip install.
VENV ?= .venv
PY := $(VENV)/bin/python
TOTE := $(VENV)/bin/tote

.PHONY: install test lint demo start build play cli down status logs prune bench clean

$(VENV)/.installed: pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

# Bytecode is cached even where the environment turns it off: the suite starts hundreds of
# `tote` processes, and each would compile every module it imports again.
test: install
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -q $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

# The seed's Makefile targets, without Docker: `tote up` runs the whole stack, `build`
# posts the seed's statements.sql and connector (shipped with tote), `play` its bets.
demo: install
	$(TOTE) demo

start: install
	$(TOTE) up --detach

build: install
	$(TOTE) build

play: install
	$(TOTE) play

cli: install
	$(TOTE) sql

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
