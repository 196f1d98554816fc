# ads-sync: `make demo` runs the main job on the embedded default, `make test` runs the whole suite.
# Both bootstrap .venv from the lock (requirements.txt) with uv; nothing else needs installing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/plugins:$(CURDIR)

.PHONY: install browser demo status test test-unit sandbox reliability reliability-ci lock lint clean bench airflow settings e2e schema bench-quick

install: $(STAMP)

# after the sync (which removes what the lock does not list), the checkout itself, editable and without
# dependencies: the `ads-sync` console command and the provider entry point Airflow's Connections form reads;
# setuptools comes from the lock, so the build needs no download
$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$$(grep '^uv==' requirements.txt)"
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: install
	$(BIN)/python -m ads_sync.cli demo

status: install
	$(BIN)/python -m ads_sync.cli status

# benchmarks of issue 7 (not part of `make test`): prints the table, writes bench/RESULTS.md; 35-42 min, half of it the 200-account Celery run
bench: install
	$(BIN)/python -m bench.run

# a ~2-minute subset for a developer's loop (load at 60 days, decoding, API requests); also appends to bench/history.csv
bench-quick: install
	$(BIN)/python -m bench.run --quick

# The UI end-to-end tests drive Debian's Chromium through Playwright (no browser download). Installed here
# when missing and we may (root with apt-get); otherwise say the one command, and the UI tests fail with it.
CHROMIUM_INSTALL := apt-get install -y chromium chromium-driver
browser:
	@if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "make: installing Debian's chromium for the UI tests (once) ..."; \
	  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive $(CHROMIUM_INSTALL) -qq >/dev/null; \
	else \
	  echo "make: Chromium is missing and cannot be installed from here; the UI tests will fail until you run:" >&2; \
	  echo "  sudo $(CHROMIUM_INSTALL)" >&2; \
	fi

# FAST=1 leaves out the end-to-end tests (real Airflow processes, several minutes; the browser with them)
test: install $(if $(FAST),,browser)
	$(BIN)/python -m pytest $(if $(FAST),--ignore=tests/e2e)

e2e: install browser
	$(BIN)/python -m pytest tests/e2e

# a real Airflow 3 (api-server, scheduler, dag-processor, triggerer) on the sandbox; Ctrl-C stops it
airflow: install
	$(BIN)/python -m ads_sync.cli airflow

# load airflow_settings.yaml (connections, pools, variables) into $AIRFLOW_HOME's Airflow (default .local/airflow)
settings: install
	$(BIN)/python -m ads_sync.cli settings

test-unit: install
	$(BIN)/python -m pytest tests/unit

sandbox: install
	$(BIN)/python -m sandbox --state-dir .local/sandbox

# The fault soak (tests/reliability/soak.py): 20 accounts, 200 runs with seeded faults, one table.
reliability: install
	$(BIN)/python -m tests.reliability.soak --accounts 20 --runs 200

# The soak sized for CI (.ci/run): every fault class 5 times, round-robin, against the same exact reference
reliability-ci: install
	$(BIN)/python -m tests.reliability.soak --accounts 3 --each 5 --runs 0

# include/accounts.schema.json from the registry's models (editors validate accounts.yaml with it)
schema: install
	$(BIN)/python -m ads_sync.registry_schema

lock:
	$(BIN)/uv pip compile --quiet --python-version 3.11 requirements.in -o requirements.txt

lint: install
	$(BIN)/ruff check plugins dags sandbox tests bench
	$(BIN)/mypy plugins/ads_sync

clean:
	rm -rf .local $(VENV)
