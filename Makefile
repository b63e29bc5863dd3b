# Atrium — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= var/demo

.PHONY: run test lint typecheck check setup server clean postgres desktop-libs

$(STAMP): pyproject.toml constraints.txt
	@scripts/check-python.sh $(PYTHON)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[server,dev]'
	@touch $(STAMP)

setup: $(STAMP)

## run: set up, start a demo server with demo content, open the desktop signed in
run: $(STAMP) desktop-libs
	$(BIN)/python -m atrium.devtools.demo --dir $(DEMO_DIR)

## server: only the demo server (no desktop)
server: $(STAMP)
	$(BIN)/python -m atrium.devtools.demo --dir $(DEMO_DIR) --server-only

## test: set up (PostgreSQL included) and run every test
test: $(STAMP) postgres
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS)

postgres:
	@scripts/ensure-postgres.sh

desktop-libs:
	@scripts/ensure-desktop-libs.sh

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) var build dist .mypy_cache .ruff_cache .pytest_cache
