# Two commands set everything up on a fresh Linux or macOS machine with Python 3.11+:
#   make site   build the website into _site/ and serve it on http://127.0.0.1:8000
#   make test   run the whole test suite (package tests and every lesson notebook)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: site build serve test lab check lint clean bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed: run make PYTHON=python3.12 (or another 3.11+ interpreter)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[docs]"
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[test,docs,dev]"
	@touch $@

site: $(VENV)/.installed
	$(BIN)/curriculum build
	$(BIN)/curriculum serve --port $(PORT) --no-build

build: $(VENV)/.installed
	$(BIN)/curriculum build

serve: $(VENV)/.installed
	$(BIN)/curriculum serve --port $(PORT)

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest
	$(BIN)/python -m pytest --nbval-lax lessons/

check: $(VENV)/.installed
	$(BIN)/curriculum check --strict

lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

lab: $(VENV)/.installed
	$(BIN)/jupyter lab --notebook-dir=lessons

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _site .curriculum-cache .pytest_cache
