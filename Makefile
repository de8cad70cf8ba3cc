# Two commands set everything up on a fresh Linux or macOS machine with Python 3.11+:
#   make site   build the website into _site/ and serve it on http://127.0.0.1:8000
#   make test   run the whole test suite (package tests and every lesson notebook)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000

.PHONY: site build serve test test-fast lab check lint clean bench

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

# The browser code's development tools (ESLint, Prettier, TypeScript) and the GIFT parser the
# export tests read GIFT files with (gift-pegjs), at the exact versions in package.json, into
# node_modules/ (git-ignored; nothing of it ships). No lock file: it would
# record registry addresses (.npmrc says package-lock=false).
node_modules/.installed: package.json
	npm install --no-package-lock --no-audit --no-fund --loglevel=error
	@touch $@

site: $(VENV)/.installed
	$(BIN)/curriculum build
	$(BIN)/curriculum serve --port $(PORT) --no-build

build: $(VENV)/.installed
	$(BIN)/curriculum build

serve: $(VENV)/.installed
	$(BIN)/curriculum serve --port $(PORT)

# Both suites always run, even when the first fails; each reports its result, and the
# target fails if either failed. Every test has a deadline (see CONTRIBUTING.md). The package
# tests run in one worker process a core (at most four), each taking whole test files, so a
# module's fixtures are made once.
PACKAGE_TESTS  = $(BIN)/python -m pytest --numprocesses=auto --maxprocesses=4 --dist=loadfile
NOTEBOOK_TESTS = $(BIN)/python -m pytest --nbval-lax --nbval-cell-timeout=300 lessons/

test: $(VENV)/.installed-test
	@package=0; notebooks=0; \
	echo "$(PACKAGE_TESTS)"; $(PACKAGE_TESTS) || package=$$?; \
	echo "$(NOTEBOOK_TESTS)"; $(NOTEBOOK_TESTS) || notebooks=$$?; \
	report() { if [ "$$2" = 0 ]; then echo "  $$1 passed"; else echo "  $$1 FAILED (pytest exit status $$2)"; fi; }; \
	echo; echo "make test:"; report "package tests:   " $$package; report "lesson notebooks:" $$notebooks; \
	[ $$package = 0 ] && [ $$notebooks = 0 ]

# While working: the package tests without the browser and the slow whole-repository builds.
test-fast: $(VENV)/.installed-test
	$(PACKAGE_TESTS) -m "not browser and not slow"

check: $(VENV)/.installed
	$(BIN)/curriculum check --strict

# `curriculum check --strict` fails on content warnings, on a stale _freeze/ (CUR605) and on a
# stale reference/ (CUR606), naming the command that refreshes them (curriculum build; then commit).
lint: $(VENV)/.installed-test node_modules/.installed
	$(BIN)/curriculum check --strict
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	node_modules/.bin/eslint --max-warnings=0 .
	node_modules/.bin/prettier --check --log-level=warn .
	node_modules/.bin/tsc --project tsconfig.json

# The residents' reader notebooks (rendered from lessons/) in JupyterLab, on 127.0.0.1 only.
# --allow-root only for uid 0 (containers often run as root; Jupyter refuses root without it).
lab: $(VENV)/.installed
	$(BIN)/curriculum notebooks --out _notebooks
	$(BIN)/jupyter lab --ServerApp.root_dir=_notebooks --ServerApp.ip=127.0.0.1 \
	  $$(if [ "$$(id -u)" = 0 ]; then echo --allow-root; fi)

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/report.py
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _site ._site.* _site-* ._site-* .curriculum-cache .pytest_cache node_modules
