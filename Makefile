# ECS Workbook — two commands: `make lab` to learn, `make test` to check everything.
# Works with only Python 3.11+, pip and make: the first run creates .venv and installs into it;
# later runs skip the install until pyproject.toml changes.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.ecs-workbook-installed
# JupyterLab refuses to run as root unless told (containers, CI machines).
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# The folder JupyterLab serves (the browser tests point it at a scratch copy).
LAB_ROOT ?= $(CURDIR)
# Extra arguments for JupyterLab (the launch test passes --no-browser, a port and a token).
LAB_ARGS ?=
# Extra arguments for pytest, e.g. `make test PYTEST_ARGS="-k sandbox"`.
PYTEST_ARGS ?=

.PHONY: help install lab test nb labs site bench lint format clean

help:
	@echo "make lab    - install (first time) and open JupyterLab on notebooks/00_start_here.ipynb"
	@echo "make test   - install (first time) and run every test"
	@echo "make nb     - re-run notebooks/ and solutions/ in place to refresh their stored outputs"
	@echo "make labs   - regenerate labs/ from solutions/ (and the grader's manifest)"
	@echo "make site   - render the notebooks to a static HTML site in _site/"
	@echo "make bench  - print the benchmarks' figures"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "ECS Workbook needs Python 3.11 or newer (found " + sys.version.split()[0] + "); set PYTHON=python3.12 for example")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir="$(LAB_ROOT)" \
	  --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $(ROOT_FLAG) $(LAB_ARGS)

test: install
	@bash tools/ensure-chromium.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

nb: install
	$(BIN)/python -m ecs_workbook.refresh notebooks solutions

labs: install
	$(BIN)/python -m ecs_workbook.grading.build

site: install
	$(BIN)/python -m ecs_workbook.site _site

bench: install
	@for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

lint: install
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf _site .pytest_cache build src/*.egg-info
