# Two entry points: `make run` (the Studio on an example; headless without a display)
# and `make test` (lint, types, layering, all tests). Both set up .venv first.
# `make bundle bundle-smoke` builds the desktop bundle (build/dist/) and smoke-tests it.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
EXAMPLE ?= resources/examples/etl_pipeline.aflow
BUNDLE_STAMP := $(VENV)/.bundle-stamp
BUNDLE_APP   := build/dist/aetherflow-studio/aetherflow-studio

.PHONY: setup run test lint bench bundle bundle-smoke clean

$(STAMP): pyproject.toml engine/pyproject.toml engine/src/aetherflow/VERSION
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e './engine[dask]' -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python -m aetherflow_studio.app.launch $(EXAMPLE) --run

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy engine/src/aetherflow
	$(BIN)/lint-imports

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

$(BUNDLE_STAMP): $(STAMP) packaging/requirements.txt
	$(BIN)/python -m pip install --quiet -r packaging/requirements.txt
	touch $(BUNDLE_STAMP)

bundle: $(BUNDLE_STAMP)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath build/dist --workpath build/work \
		packaging/aetherflow-studio.spec

# The default smoke test, then every example flow bundled in the app (their node modules
# are imported from inside the bundle, so a missing module shows up here).
bundle-smoke: bundle
	QT_QPA_PLATFORM=offscreen $(BUNDLE_APP) --smoke-test
	for flow in build/dist/aetherflow-studio/_internal/resources/examples/*.aflow; do \
		QT_QPA_PLATFORM=offscreen $(BUNDLE_APP) --smoke-test "$$flow" || exit 1; \
	done

bench: setup
	$(BIN)/python -m pip install --quiet -r benchmarks/requirements.txt
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
