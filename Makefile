# `make demo` and `make test` work on a fresh machine with nothing but Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BENCHMARKS := $(filter-out bench/__init__.py bench/apart.py bench/queue_adapters.py bench/scale_cluster.py bench/scale_world.py,$(wildcard bench/*.py))  # helpers

.PHONY: demo test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.demo-installed

demo: $(VENV)/.demo-installed
	$(BIN)/digest-bot demo

# Two processes (pytest-xdist): CI has two cores, and most tests wait on loopback servers.
test: $(VENV)/.test-installed
	$(BIN)/python -m pytest -q -n 2

bench: $(VENV)/.test-installed
	for script in $(BENCHMARKS); do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) out digest.db
