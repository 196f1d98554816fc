# ads-sync: `make demo` runs the main job on the embedded default, `make test` runs the whole suite.
# Both bootstrap .venv from the lock (requirements.txt) with uv; nothing else needs installing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)/plugins:$(CURDIR)

.PHONY: install demo status test test-unit sandbox reliability reliability-ci lock lint clean bench bench-quick airflow settings e2e

install: $(STAMP)

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip --version >/dev/null 2>&1 || $(BIN)/python -m ensurepip --default-pip >/dev/null
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "$$(grep '^uv==' requirements.txt)"
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements.txt
	touch $(STAMP)

demo: install
	$(BIN)/python -m ads_sync.cli demo

status: install
	$(BIN)/python -m ads_sync.cli status

# benchmarks of issue 7 (not part of `make test`): prints the table, writes bench/RESULTS.md; ~15 min
bench: install
	$(BIN)/python -m bench.run

# a ~2-minute subset for a developer's loop (load at 60 days, decoding, API requests); also appends to bench/history.csv
bench-quick: install
	$(BIN)/python -m bench.run --quick

# FAST=1 leaves out the end-to-end tests (real Airflow processes, several minutes)
test: install
	$(BIN)/python -m pytest $(if $(FAST),--ignore=tests/e2e)

e2e: install
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

lock:
	$(BIN)/uv pip compile --quiet --python-version 3.11 requirements.in -o requirements.txt

lint: install
	$(BIN)/ruff check plugins dags sandbox tests
	$(BIN)/mypy plugins/ads_sync

clean:
	rm -rf .local $(VENV)
