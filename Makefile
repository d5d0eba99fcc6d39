# Set-up and the project's two commands: `make demo` (the main job) and `make test`.
# Everything installs into the repository: Python packages into .venv/, the Salesforce CLI into
# node_modules/. Re-running a target only redoes what changed.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PATH := $(CURDIR)/node_modules/.bin:$(CURDIR)/$(BIN):$(PATH)
export SF_AUTOUPDATE_DISABLE := true
export SF_SKIP_NEW_VERSION_CHECK := true
export SF_DISABLE_TELEMETRY := true

.PHONY: setup demo test clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Today's main job: check the metadata, generate the sample people, start the local org and
# deploy the project into it with CumulusCI. The sync joins it as it lands.
LOCAL_CA_BUNDLE := $(CURDIR)/.eazybe/local-orgs/tls/ca-bundle.pem

demo: setup
	$(BIN)/cci task run check_metadata
	sf project convert source --source-dir force-app --output-dir build/mdapi
	rm -rf build/sample && mkdir -p build/sample
	$(BIN)/snowfakery datasets/dev/dev.recipe.yml --output-format csv --output-folder build/sample
	$(BIN)/cci task run local_org_start
	REQUESTS_CA_BUNDLE=$(LOCAL_CA_BUNDLE) $(BIN)/cci flow run prepare_local_org --org local
	REQUESTS_CA_BUNDLE=$(LOCAL_CA_BUNDLE) $(BIN)/cci org info local
	@echo
	@echo "The local org is running and holds the project's metadata (cci org info local, above)."
	@echo "Use it from any client: export REQUESTS_CA_BUNDLE=$(LOCAL_CA_BUNDLE)"
	@echo "Stop it with: $(BIN)/cci task run local_org_stop"
	@echo "Metadata API package (what a deploy sends): build/mdapi/package.xml"
	@echo "Sample people (CSV, one file per object):"
	@wc -l build/sample/*.csv

test: setup
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) node_modules build
