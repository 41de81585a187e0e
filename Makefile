# The two commands a newcomer needs: `make run` and `make test`. Everything else is optional.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: run test bench install migrate clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Apel needs Python 3.11, found " + sys.version'
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(INSTALLED)

install: $(INSTALLED)

migrate: $(INSTALLED)
	$(BIN)/apel db upgrade

# Migrates, loads the sample office into an empty database, starts the channels that have tokens.
run: migrate
	$(BIN)/apel run --sample-if-empty

# One worker per CPU, up to 4 (pytest-xdist). The slow tests are collected first (tests/conftest.py) and an
# idle worker takes queued tests from a busy one (worksteal): handed out last, they kept one worker running
# minutes after the other was idle. Every worker migrates its own schema and temporary directory.
# Serial: `.venv/bin/pytest`.
TEST_WORKERS ?= auto
test: $(INSTALLED)
	$(BIN)/pytest -n $(TEST_WORKERS) --maxprocesses=4 --dist worksteal

bench: $(INSTALLED)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis *.egg-info
