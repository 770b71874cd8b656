# Developer entry points. The README's two commands are `make demo` and `make test`.
# Everything installs into this folder: .venv (Python) and node_modules (the pinned CDK CLI + Node.js 22 for jsii).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

# Offline, quiet CDK: jsii on the pinned Node.js 22, no CLI telemetry, notices (cdk.json) or version check.
export JSII_NODE := $(CURDIR)/node_modules/.bin/node
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20
export CDK_DISABLE_CLI_TELEMETRY := true
export CDK_DISABLE_VERSION_CHECK := 1
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: dev demo test lint format typecheck bench pr clean

dev: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml requirements.txt
	$(PYTHON) -c 'import sys; sys.exit("Python 3.11+ is required, found " + sys.version.split()[0]) if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

demo: dev
	$(VENV)/bin/ecr-lifecycle-guard demo

test: dev
	$(PY) -m pytest -n 2 -q

lint: dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: dev
	$(VENV)/bin/mypy

bench: dev
	$(PY) bench/bench_evaluate.py
	$(PY) bench/bench_handler.py
	$(PY) bench/bench_synth.py

pr: lint typecheck test

clean:
	rm -rf $(VENV) node_modules cdk.out build dist
