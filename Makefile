# Set-up and the project's two commands: `make demo` (the main job) and `make test`.
# Everything installs into the repository: Python packages into .venv/, the Salesforce CLI into
# node_modules/. Re-running a target only redoes what changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)
export SF_AUTOUPDATE_DISABLE := true
# ...and the name oclif's update plugin reads (without it, every sf run in a fresh HOME spawns `sf update`)
export SF_DISABLE_AUTOUPDATE := true
export SF_SKIP_NEW_VERSION_CHECK := true
export SF_DISABLE_TELEMETRY := true

.PHONY: setup demo test clean

setup: $(VENV)/.installed node_modules/.installed

# setup.py and the .pyx files: the export parser's compiled part, rebuilt when they change.
$(VENV)/.installed: pyproject.toml setup.py $(wildcard eazybe_tasks/sources/exports/*.pyx)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The main job, on a fresh clone: check the metadata, start the local org and install the project
# into it with CumulusCI, load the sample people, put sample WhatsApp messages into the store,
# backfill 3 days and run one scheduled sync through notebooks/sync.ipynb, render the audit report.
LOCAL_CA_BUNDLE := $(CURDIR)/.eazybe/local-orgs/tls/ca-bundle.pem
WITH_ORG := REQUESTS_CA_BUNDLE=$(LOCAL_CA_BUNDLE)
RECIPE := datasets/dev/dev.recipe.yml

demo: setup
	$(BIN)/cci task run check_metadata
	sf project convert source --source-dir force-app --output-dir build/mdapi
	rm -rf build/sample && mkdir -p build/sample
	$(BIN)/snowfakery $(RECIPE) --output-format csv --output-folder build/sample
	$(BIN)/cci task run local_org_start
	$(WITH_ORG) $(BIN)/cci flow run prepare_local_org --org local
	$(WITH_ORG) $(BIN)/cci org info local
	$(WITH_ORG) $(BIN)/python -m eazybe_tasks.demo has-people --org local || \
		$(WITH_ORG) $(BIN)/cci task run snowfakery --org local -o recipe $(RECIPE)
	$(BIN)/python -m eazybe_tasks.demo history --out build/demo
	$(WITH_ORG) $(BIN)/cci task run run_sync_notebook --org local -o mode backfill -o days 3
	$(BIN)/python -m eazybe_tasks.demo live
	$(WITH_ORG) $(BIN)/cci task run run_sync_scheduler --org local -o max_runs 1
	$(WITH_ORG) $(BIN)/cci task run render_audit_report --org local
	@echo
	@echo "Where to look:"
	@$(WITH_ORG) $(BIN)/python -m eazybe_tasks.demo where --org local 2>/dev/null
	@echo "  (log in with the username and password in .eazybe/local-orgs/local/credentials.json;"
	@echo "  your browser will ask you to trust .eazybe/local-orgs/tls/ca.pem)"
	@echo "The audit report:"
	@ls -1 reports/audit-*.html | tail -n 1
	@echo "Executed sync notebooks (the backfill, then the scheduled run), with each day's index.jsonl:"
	@ls -1 runs/*/*.ipynb | tail -n 2
	@echo "Sample chat exports: build/demo/exports/; sample people: build/sample/*.csv;"
	@echo "the Metadata API package a deploy sends: build/mdapi/package.xml"
	@echo "The local org keeps running; use it from any client with export REQUESTS_CA_BUNDLE=$(LOCAL_CA_BUNDLE)"
	@echo "and stop it with: $(BIN)/cci task run local_org_stop"

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) node_modules build
