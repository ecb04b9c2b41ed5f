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
# The suite mostly waits on subprocesses and sockets, so three pytest workers (pytest-xdist)
# on two cores take a third of the time of one. Each test file goes to one worker
# (--dist loadfile): a module's stack or server (module-scoped fixtures) starts once.
# `make test PYTEST_XDIST=` runs the suite in one process.
PYTEST_XDIST ?= -n 3 --dist loadfile
test: install
	env -u PYTHONDONTWRITEBYTECODE $(PY) -m pytest -q $(PYTEST_XDIST) $(PYTEST_ARGS)

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
