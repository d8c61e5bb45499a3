# SIKKEP Satu Data warehouse. `make run` and `make test` take a fresh machine all the way.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_HOUSEHOLDS ?= 20000
DEMO_PERIODS ?= 2
DEMO_SEED ?= 1
RAW_DIR := $(or $(SIKKEP_RAW_DIR),raw)

export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export DAGSTER_DISABLE_TELEMETRY := 1

.PHONY: install run test bench ui docs clean dbt-parse postgres postgres-stop

$(BIN)/.installed: pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-warn-script-location -r requirements.lock 2>&1 \
	  | grep -v "is ignored: it is neither a file nor a directory" || true
	$(BIN)/python -c "import dagster, dbt, splink, great_expectations, duckdb, playwright, psycopg"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

# A DuckDB 1.x reader beside the project (DuckDB 2.0): the test that BI drivers can open public.duckdb.
DUCKDB1_VENV := .venv-duckdb1
$(DUCKDB1_VENV)/.installed: requirements-duckdb1.lock
	test -x $(DUCKDB1_VENV)/bin/python || $(PYTHON) -m venv $(DUCKDB1_VENV)
	$(DUCKDB1_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-duckdb1.lock 2>&1 \
	  | grep -v "is ignored: it is neither a file nor a directory" || true
	$(DUCKDB1_VENV)/bin/python -c "import duckdb; assert duckdb.__version__.startswith('1.')"
	touch $@

install: $(BIN)/.installed $(DUCKDB1_VENV)/.installed

dbt-parse: install
	$(BIN)/python -c "from orchestration.dbt_runtime import ensure_manifest; ensure_manifest()"

run: install dbt-parse
	@if [ -z "$$(find $(RAW_DIR) -mindepth 3 -type f \( -name '*.csv' -o -name '*.xlsx' \) 2>/dev/null | head -1)" ]; then \
	  echo "No extracts in $(RAW_DIR)/: generating a demo data set ($(DEMO_HOUSEHOLDS) households, $(DEMO_PERIODS) periods)"; \
	  $(BIN)/sikkep generate --households $(DEMO_HOUSEHOLDS) --periods $(DEMO_PERIODS) --seed $(DEMO_SEED) --out $(RAW_DIR); \
	fi
	$(BIN)/sikkep refresh
	$(BIN)/sikkep status

test: install dbt-parse
	$(BIN)/python -m pytest -q

bench: install dbt-parse
	$(BIN)/python -m orchestration.bench

# The Dagster UI: webserver + daemon on 127.0.0.1:3001, nginx with a login on 127.0.0.1:3000 (deploy/ui/).
# Once: apt-get install nginx-light; $(BIN)/python -m orchestration.serve --add-user NAME.
# Settings SIKKEP_UI_*: docs/operations.md, section Settings.
ui: install dbt-parse
	$(BIN)/python -m orchestration.serve

# A local PostgreSQL server for the demo of the PostgreSQL publication (Debian's postgresql, once:
# apt-get install postgresql): data, socket and log in warehouse/postgres/, 127.0.0.1:$(POSTGRES_PORT).
# Then: export SIKKEP_PUBLISH_POSTGRES=<the URL it prints>; make run. Stop: make postgres-stop. docs/bi.md.
POSTGRES_PORT ?= 5433
postgres: install
	@url=$$($(BIN)/python -m orchestration.publish.pg_local start warehouse/postgres $(POSTGRES_PORT)) && \
	  echo "PostgreSQL runs. Publish to it with:" && echo "  export SIKKEP_PUBLISH_POSTGRES='$$url'"

postgres-stop:
	$(BIN)/python -m orchestration.publish.pg_local stop warehouse/postgres

docs: install dbt-parse
	mkdir -p warehouse/build warehouse/docs
	cd dbt_project && SIKKEP_BUILD_DB=$${SIKKEP_BUILD_DB:-$(CURDIR)/warehouse/build/sikkep.duckdb} \
	  ../$(BIN)/dbt docs generate --profiles-dir . --static --target-path $(CURDIR)/warehouse/docs --quiet
	@echo "dbt docs (offline, one file): warehouse/docs/static_index.html (or index.html)"

clean:
	rm -rf warehouse/build warehouse/published warehouse/exports
