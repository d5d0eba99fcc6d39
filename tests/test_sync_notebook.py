"""notebooks/sync.ipynb executed with papermill on a real kernel against a running local org: the
tables it shows (chat-days written, unmatched numbers, do-not-log skips, failures with their
error codes, the run with its API calls) match what the org holds; a dry run writes nothing; a
backfill finds Salesforce up to date; no secret reaches the executed notebook. Then the same
notebook through the CumulusCI tasks run_sync_notebook and run_sync_scheduler."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from io import StringIO
from pathlib import Path
from typing import Any, Iterator

import nbformat
import pandas as pd
import papermill
import pytest
from simple_salesforce import Salesforce

from eazybe_local_org.org_home import org_home
from eazybe_local_org.registration import cumulusci_org_config
from eazybe_local_org.web.admin import call_faults_endpoint
from eazybe_tasks.scheduler.runs_folder import SUCCEEDED, RunsFolder
from eazybe_tasks.store.locks import held
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.sync.run_records import lock_name
from local_org_fixture import RunningOrg, local_org
from repo_paths import REPO, VENV_BIN
from test_sync_run import BUSINESS, ingest, message
from tools import tool_env

NOTEBOOK = REPO / "notebooks" / "sync.ipynb"


@pytest.fixture
def org_env(deployed_org: RunningOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The org registered with CumulusCI the way a CI job does (CUMULUSCI_ORG_local), in this
    process's environment, which the notebook's kernel inherits."""
    config = cumulusci_org_config(org_home("local", deployed_org.folder.parent), deployed_org.url)
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("CUMULUSCI_ORG_local", json.dumps(config))
    return config


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    opened.register_account(BUSINESS, label="Sales US", time_zone="America/Los_Angeles")
    return opened


def execute(tmp_path: Path, store: Store, name: str, **parameters: Any) -> nbformat.NotebookNode:
    output = tmp_path / f"{name}.ipynb"
    papermill.execute_notebook(str(NOTEBOOK), str(output), kernel_name="python3", cwd=str(REPO), progress_bar=False,
                               parameters={"store_url": str(store.engine.url), "project_dir": str(REPO), **parameters})
    return nbformat.read(output, as_version=4)


def tagged(executed: nbformat.NotebookNode, tag: str) -> dict:
    cell = next(c for c in executed.cells if tag in c.metadata.get("tags", []))
    return next(o["data"] for o in cell.outputs if o.get("output_type") in ("execute_result", "display_data"))


def table(executed: nbformat.NotebookNode, tag: str) -> pd.DataFrame:
    """The table a cell shows; numbers and ids stay as shown (pandas would read +336... as an int)."""
    html = tagged(executed, tag)["text/html"]
    return pd.read_html(StringIO(html), keep_default_na=False, converters={"number": str, "value": str})[0]


def run_values(executed: nbformat.NotebookNode) -> dict[str, str]:
    shown = table(executed, "run")
    return dict(zip(shown.iloc[:, 0].astype(str), shown["value"].astype(str)))


def recent(hours: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(hours=hours)


def chat_ids(sf: Salesforce, person: str) -> list[str]:
    return [r["Id"] for r in sf.query_all(f"SELECT Id FROM WhatsApp_Chat__c WHERE Contact__c = '{person}'")["records"]]


def test_the_notebook_shows_what_one_run_did(org_env: dict, deployed_org: RunningOrg, store: Store,
                                             tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    jane = sf.Contact.create({"LastName": "Doe", "FirstName": "Jane", "MobilePhone": "(415) 555-0134"})["id"]
    sf.Contact.create({"LastName": "Quiet", "Phone": "+49 151 23456789", "WhatsApp_Do_Not_Log__c": True})
    ingest(store, message(1, "+14155550134", recent(3), "Hi, it's Jane"),
           message(2, "+14155550134", recent(2.9), "Hello Jane"),
           message(1, "+4915123456789", recent(2), "Please don't log"),
           message(1, "+33612345678", recent(1), "Bonjour"), message(2, "+33612345678", recent(0.5), "Allô ?"))

    executed = execute(tmp_path, store, "first")

    run = run_values(executed)
    assert (run["status"], run["mode"], run["chat_days_written"], run["unmatched"]) == ("succeeded", "sync", "1", "1")
    assert int(run["api_calls"]) > 0 and run["api_limit"] == "15000" and int(run["api_used"]) >= int(run["api_calls"])
    assert "1 written" in tagged(executed, "report")["text/markdown"]
    written = table(executed, "written")
    assert list(written["person"]) == ["Jane Doe"] and list(written["messages"]) == [2]
    assert list(written["record_id"]) == chat_ids(sf, jane)
    unmatched = table(executed, "unmatched")
    assert list(unmatched["number"]) == ["+33612345678"] and list(unmatched["messages"]) == [2]
    assert list(table(executed, "do_not_log")["name"]) == ["Quiet"]
    assert table(executed, "failures").empty

    text = json.dumps(executed)
    for secret in (org_env["refresh_token"], org_env["client_secret"], sf.session_id):
        assert secret not in text

    again = execute(tmp_path, store, "again")
    assert run_values(again)["chat_days_written"] == "0" and table(again, "written").empty
    backfill = execute(tmp_path, store, "backfill", mode="backfill", days=1)
    assert (run_values(backfill)["mode"], run_values(backfill)["chat_days_unchanged"]) == ("backfill", "1")


def test_a_dry_run_lists_what_it_would_write_and_writes_nothing(org_env: dict, deployed_org: RunningOrg,
                                                                store: Store, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    lee = sf.Contact.create({"LastName": "Lee", "MobilePhone": "+1 415 555 0166"})["id"]
    ingest(store, message(1, "+14155550166", recent(1), "Dry?"))
    executed = execute(tmp_path, store, "dry", dry_run=True)
    assert run_values(executed)["mode"] == "dry_run"
    would = table(executed, "written")
    assert list(would["Contact__c"]) == [lee] and list(would["Message_Count__c"]) == [1]
    assert chat_ids(sf, lee) == []


def test_refused_records_show_with_their_error_code(org_env: dict, deployed_org: RunningOrg, store: Store,
                                                   tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    sf.Contact.create({"LastName": "Locked", "MobilePhone": "+1 415 555 0188"})
    ingest(store, message(1, "+14155550188", recent(1), "Row locks all day"))
    home = org_home("local", deployed_org.folder.parent)
    call_faults_endpoint(home, deployed_org.url, "67.0", "POST", '{"seed": 3, "row_lock_rate": 1.0}')
    try:
        executed = execute(tmp_path, store, "locked")
    finally:
        call_faults_endpoint(home, deployed_org.url, "67.0", "DELETE", None)
    failures = table(executed, "failures")
    assert list(failures["error_code"]) == ["UNABLE_TO_LOCK_ROW"] and list(failures["outcome"]) == ["pending"]
    assert list(failures["attempts"]) == [1]
    assert run_values(executed)["chat_days_failed"] == "1"


@pytest.fixture
def cci_env(deployed_org: RunningOrg, tmp_path: Path) -> Iterator[dict[str, str]]:
    config = cumulusci_org_config(org_home("local", deployed_org.folder.parent), deployed_org.url)
    yield {**tool_env(), "HOME": str(tmp_path / "home"), "REQUESTS_CA_BUNDLE": str(deployed_org.ca_bundle),
           "CUMULUSCI_ORG_local": json.dumps(config)}


def cci(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(VENV_BIN / "cci"), "task", "run", *args, "--org", "local"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=600)


def test_cci_tasks_run_the_notebook_once_and_on_a_schedule(cci_env: dict[str, str], deployed_org: RunningOrg,
                                                           store: Store, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    ana = sf.Contact.create({"LastName": "Scheduled", "MobilePhone": "+1 415 555 0199"})["id"]
    ingest(store, message(1, "+14155550199", recent(30), "Yesterday"))
    runs, url = tmp_path / "runs", str(store.engine.url)
    once = cci(cci_env, "run_sync_notebook", "-o", "mode", "backfill", "-o", "runs_dir", str(runs), "-o", "store_url", url)
    assert once.returncode == 0, once.stdout + once.stderr
    assert len(chat_ids(sf, ana)) == 1

    ingest(store, message(2, "+14155550199", recent(0.1), "Today"))
    scheduled = cci(cci_env, "run_sync_scheduler", "-o", "interval_s", "1", "-o", "max_runs", "2",
                    "-o", "runs_dir", str(runs), "-o", "store_url", url)
    assert scheduled.returncode == 0, scheduled.stdout + scheduled.stderr
    entries = RunsFolder(runs).entries()
    assert len(entries) == 3 and entries[0].status == entries[1].status == SUCCEEDED
    assert entries[0].report.startswith("Run 1 (backfill): 1 chat-days planned, 1 written")
    assert len(chat_ids(sf, ana)) == 2
    executed = nbformat.read(runs / entries[1].notebook, as_version=4)
    assert list(table(executed, "written")["messages"]) == [1]
    injected = next(c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert "store_url" not in injected.source  # the store went to the kernel's environment, not the notebook


def test_the_one_shot_task_warns_when_another_sync_is_running(cci_env: dict[str, str], store: Store,
                                                             tmp_path: Path) -> None:
    """Another sync holds the account's sync lock (a cci sync_whatsapp, say): the notebook stops on
    LockHeld and the run is recorded as skipped; the task only warns (under cron, the work is
    being done by the other run)."""
    with held(store.engine, lock_name(BUSINESS)):
        result = cci(cci_env, "run_sync_notebook", "-o", "runs_dir", str(tmp_path / "runs"),
                     "-o", "store_url", str(store.engine.url))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"no run: LockHeld: lock 'sync:{BUSINESS}' is held by" in result.stdout
    [entry] = RunsFolder(tmp_path / "runs").entries()
    assert entry.status == "skipped" and entry.notebook is not None


def test_a_failed_run_fails_the_one_shot_task(tmp_path: Path) -> None:
    """An org the project was never installed in: the sync's first query names fields the org
    does not have, the notebook fails, and so does the task, saying why."""
    with local_org(tmp_path / "bare") as bare:
        config = cumulusci_org_config(org_home("local", bare.folder.parent), bare.url)
        env = {**tool_env(), "HOME": str(tmp_path / "home"), "REQUESTS_CA_BUNDLE": str(bare.ca_bundle),
               "CUMULUSCI_ORG_local": json.dumps(config)}
        result = cci(env, "run_sync_notebook", "-o", "runs_dir", str(tmp_path / "runs"),
                     "-o", "store_url", f"sqlite:///{tmp_path / 'store.db'}")
    assert result.returncode != 0
    assert "the sync notebook run failed: SalesforceMalformedRequest" in result.stderr, result.stdout + result.stderr
    [entry] = RunsFolder(tmp_path / "runs").entries()
    assert entry.status == "failed" and "INVALID_FIELD" in entry.error
