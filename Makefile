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

# CumulusCI's keychain key, made once and kept 0600 under .eazybe/: org credentials and services
# CumulusCI writes to disk are encrypted with it. The same file serves this Makefile, a shell
# (.venv/bin/activate reads it) and systemd (EnvironmentFile=). `setup` encrypts the project's org
# configs CumulusCI wrote in the clear before (see eazybe_tasks/keychain.py).
KEY_FILE := .eazybe/cumulusci.env
-include $(KEY_FILE)
export CUMULUSCI_KEY

.PHONY: setup demo test clean

setup: $(VENV)/.installed node_modules/.installed $(KEY_FILE)
	@$(BIN)/python -m eazybe_tasks.keychain

$(KEY_FILE):
	mkdir -p $(dir $@)
	umask 077 && $(PYTHON) -c 'import secrets, string; \
		print("CUMULUSCI_KEY=" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(16)))' > $@

# setup.py and the .pyx files: the export parser's compiled part, rebuilt when they change.
$(VENV)/.installed: pyproject.toml setup.py $(wildcard eazybe_tasks/sources/exports/*.pyx)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	grep -q 'eazybe-salesforce-activate' $(BIN)/activate || printf '%s\n' \
		'# eazybe-salesforce-activate: the repository'"'"'s Salesforce CLI, and CumulusCI'"'"'s keychain key' \
		'PATH="$(CURDIR)/node_modules/.bin:$$PATH"; export PATH' \
		'SF_AUTOUPDATE_DISABLE=true SF_DISABLE_AUTOUPDATE=true SF_SKIP_NEW_VERSION_CHECK=true SF_DISABLE_TELEMETRY=true' \
		'export SF_AUTOUPDATE_DISABLE SF_DISABLE_AUTOUPDATE SF_SKIP_NEW_VERSION_CHECK SF_DISABLE_TELEMETRY' \
		'if [ -f "$(CURDIR)/$(KEY_FILE)" ]; then . "$(CURDIR)/$(KEY_FILE)"; export CUMULUSCI_KEY; fi' >> $(BIN)/activate
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The main job, on a fresh clone: check the metadata, start the local org and install the project
# into it with CumulusCI, load the sample people, put sample WhatsApp messages into the store,
# backfill 3 days and run one scheduled sync through notebooks/sync.ipynb, render the audit report.
# Each step prints one line with its duration; its whole output is in build/demo/logs/.
LOCAL_CA_BUNDLE := $(CURDIR)/.eazybe/local-orgs/tls/ca-bundle.pem
WITH_ORG := env REQUESTS_CA_BUNDLE=$(LOCAL_CA_BUNDLE)
RECIPE := datasets/dev/dev.recipe.yml
LOGS := build/demo/logs
STEP := $(BIN)/python -m eazybe_tasks.demo.step --logs $(LOGS)

demo: setup
	@rm -rf build/demo build/sample build/mdapi && mkdir -p build/sample
	@echo "make demo: each step's output is in $(LOGS)/"
	@$(STEP) "check the metadata" -- $(BIN)/cci task run check_metadata
	@$(STEP) "convert force-app/ as a deploy does" -- sf project convert source --source-dir force-app --output-dir build/mdapi
	@$(STEP) "generate the sample people (Snowfakery)" -- \
		$(BIN)/snowfakery $(RECIPE) --output-format csv --output-folder build/sample
	@$(STEP) "start the local org" -- $(BIN)/cci task run local_org_start
	@$(STEP) "install the project into it (prepare_local_org)" -- $(WITH_ORG) $(BIN)/cci flow run prepare_local_org --org local
	@$(STEP) "show the org (cci org info local)" -- $(WITH_ORG) $(BIN)/cci org info local
	@$(STEP) "load the sample people, unless there" -- $(WITH_ORG) sh -c \
		'$(BIN)/python -m eazybe_tasks.demo has-people --org local || $(BIN)/cci task run snowfakery --org local -o recipe $(RECIPE)'
	@$(STEP) "sample exports and webhook deliveries into the store" -- $(BIN)/python -m eazybe_tasks.demo history --out build/demo
	@$(STEP) "a WhatsApp Business app's history, echoes, contacts" -- $(BIN)/python -m eazybe_tasks.demo business-app
	@$(STEP) "backfill 3 days through notebooks/sync.ipynb" -- \
		$(WITH_ORG) $(BIN)/cci task run run_sync_notebook --org local -o mode backfill -o days 3
	@$(STEP) "new webhook deliveries into the store" -- $(BIN)/python -m eazybe_tasks.demo live
	@$(STEP) "one scheduled sync (run_sync_scheduler)" -- $(WITH_ORG) $(BIN)/cci task run run_sync_scheduler --org local -o max_runs 1
	@$(STEP) "render the audit report" -- $(WITH_ORG) $(BIN)/cci task run render_audit_report --org local
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
	@echo "the Metadata API package a deploy sends: build/mdapi/package.xml; every step's log: $(LOGS)/"
	@echo "The local org keeps running; use it from any client with export REQUESTS_CA_BUNDLE=$(LOCAL_CA_BUNDLE)"
	@echo "and stop it with: $(BIN)/cci task run local_org_stop"

test: setup
	$(BIN)/lint-imports
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) node_modules build
