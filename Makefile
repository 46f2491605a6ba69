# The two set-up commands of the README: `make demo` (the main job on the bundled examples) and `make test`.
# Each one does all the set-up it needs on a fresh machine (venv, install, Docker engine, base images).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test test-fast bench clean-venv

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev,ray]'
	touch $@

demo: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/demo.sh

test: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/test.sh

test-fast: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/test.sh -m "not slow"

bench: setup
	PATH="$(CURDIR)/$(BIN):$$PATH" bash scripts/bench.sh

clean-venv:
	rm -rf $(VENV)
