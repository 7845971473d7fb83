# Every target bootstraps .venv itself: on a fresh machine `make generate` and `make test` are enough.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: generate check test test-slow test-all golden lint typecheck bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

generate: $(STAMP)
	$(BIN)/lowcodegen generate

check: $(STAMP)
	$(BIN)/lowcodegen check

lint: $(STAMP)
	$(BIN)/ruff check generator templates/package/runtime generated tests
	$(BIN)/mypy generator generated/anthropic_lowcodeapi

# The README's test command: under 5 minutes on 2 cores. The large corpus specs, kill tests and fresh
# virtualenvs are marked `slow` and run by `test-slow` (CI runs both: .ci/run).
test: $(STAMP) check lint
	$(BIN)/python -m pytest -q -m "not slow"

test-slow: $(STAMP)
	$(BIN)/python -m pytest -q -m slow

test-all: test test-slow

golden: $(STAMP)
	$(BIN)/python -m tests.golden.regenerate

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
