"""The audit report end to end: real sync runs into a running local org (one refused for a row
lock), then notebooks/audit_report.ipynb executed by papermill on a real kernel, its tables read
back and checked against what the runs did; records then edited, deleted and made by hand in the
org, and the reconciliation lists exactly those differences. The report rendered by the real
`cci task run render_audit_report` is opened in headless Chromium."""
from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from statistics import median
from typing import Iterator

import lxml.html
import nbformat
import pytest

from eazybe_local_org.org_home import org_home
from eazybe_local_org.registration import cumulusci_org_config
from eazybe_local_org.tls import ensure_tls
from eazybe_local_org.web.admin import call_faults_endpoint
from eazybe_tasks.audit.expected_records import STORE_CHANGED
from eazybe_tasks.audit.latency import readable_duration
from eazybe_tasks.audit.rendering import execute, render_html
from eazybe_tasks.sources.model import Direction
from eazybe_tasks.store.store import open_store
from eazybe_tasks.sync.run import sync_once
from eazybe_tasks.sync.run_records import RunReport
from local_org_fixture import RunningOrg
from repo_paths import REPO, VENV_BIN
from test_local_org_html_view import chromium, needs_chromium
from test_sync_run import BUSINESS, ingest, message
from tools import tool_env

NOTEBOOK = REPO / "notebooks" / "audit_report.ipynb"
JANE, LEAD, QUIET, MAX = "+14155550134", "+447700900123", "+4915123456789", "+14155550199"
UNKNOWN, OTHER_UNKNOWN = "+33612345678", "+5511987654321"


@dataclass(frozen=True)
class Synced:
    org: RunningOrg
    store_url: str
    day: date  # yesterday (UTC): most messages
    runs: tuple[RunReport, RunReport]
    latencies: tuple[float, ...]  # seconds, of the messages logged
    jane: str  # the Contact's id

    @property
    def parameters(self) -> dict[str, object]:
        return {"org_name": "local", "store_url": self.store_url, "start": (self.day - timedelta(days=1)).isoformat(),
                "end": (self.day + timedelta(days=1)).isoformat(), "project_dir": str(REPO)}


def _org_environment(org: RunningOrg, home: Path) -> dict[str, str]:
    """What CumulusCI needs to find the org outside a task: its own HOME and the org as
    CUMULUSCI_ORG_local (the papermill kernel inherits both)."""
    return {"HOME": str(home), "REQUESTS_CA_BUNDLE": str(org.ca_bundle),
            "CUMULUSCI_ORG_local": json.dumps(cumulusci_org_config(org_home("local", org.folder.parent), org.url))}


@pytest.fixture(scope="module")
def synced(deployed_org: RunningOrg, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synced]:
    """Account in UTC. Yesterday: Jane writes twice and is answered, a Lead writes, a person
    marked do-not-log writes, two unknown numbers write (three messages); the day before, Jane
    once. Run 1 logs them; then Max writes and run 2 is refused by row locks on every record."""
    folder = tmp_path_factory.mktemp("audit")
    store_url = f"sqlite:///{folder / 'store.db'}"
    store = open_store(store_url)
    store.register_account(BUSINESS, label="Sales US", time_zone="UTC")
    org = deployed_org.org_client()
    sf = org.sf
    jane = sf.Contact.create({"LastName": "Doe", "FirstName": "Jane", "MobilePhone": "(415) 555-0134"})["id"]
    sf.Lead.create({"LastName": "Lee", "Company": "Acme", "Phone": "+44 7700 900123"})
    sf.Contact.create({"LastName": "Quiet", "Phone": "+49 151 23456789", "WhatsApp_Do_Not_Log__c": True})
    sf.Contact.create({"LastName": "Max", "MobilePhone": "+1 415 555 0199"})
    now = datetime.now(timezone.utc).replace(microsecond=0)
    day = now.date() - timedelta(days=1)

    def at(hour: int, minute: int = 0, days_before: int = 0) -> datetime:
        return datetime.combine(day - timedelta(days=days_before), datetime.min.time(), timezone.utc).replace(
            hour=hour, minute=minute)

    logged = [at(9, 0, days_before=1), at(10), at(10, 5), at(10, 10), at(11)]
    ingest(store, message(1, JANE, logged[0], "Hello from the day before"),
           message(2, JANE, logged[1], "Hi, it's Jane"), message(3, JANE, logged[2], "Hello Jane", Direction.OUTBOUND),
           message(4, JANE, logged[3], "Is the blue one in stock?"), message(1, LEAD, logged[4], "Lead here"),
           message(1, QUIET, at(11, 30), "Please don't log"), message(1, UNKNOWN, at(12), "Unknown"),
           message(2, UNKNOWN, at(12, 1), "Still unknown"), message(1, OTHER_UNKNOWN, at(12, 30), "Olá"))
    first = sync_once(store, org, now=now)
    ingest(store, message(1, MAX, at(13), "Max here"))
    home = org_home("local", deployed_org.folder.parent)
    call_faults_endpoint(home, deployed_org.url, "67.0", "POST", '{"seed": 3, "row_lock_rate": 1.0}')
    try:
        second = sync_once(store, org, now=now + timedelta(minutes=3))
    finally:
        call_faults_endpoint(home, deployed_org.url, "67.0", "DELETE", None)
    assert (first.written, first.skipped_do_not_log, first.unmatched, second.failed) == (3, 1, 2, 1)
    (folder / "home").mkdir()
    with pytest.MonkeyPatch.context() as environment:
        for name, value in _org_environment(deployed_org, folder / "home").items():
            environment.setenv(name, value)
        yield Synced(deployed_org, store_url, day, (first, second),
                     tuple((now - sent).total_seconds() for sent in logged), jane)


def run_report(synced: Synced, output: Path) -> nbformat.NotebookNode:
    execute(NOTEBOOK, output, synced.parameters, cwd=REPO)
    return nbformat.read(output, as_version=4)


def outputs(notebook: nbformat.NotebookNode, tag: str) -> list[dict]:
    return next(cell.outputs for cell in notebook.cells if tag in cell.metadata.get("tags", []))


def table(notebook: nbformat.NotebookNode, tag: str, which: int = 0) -> tuple[list[str], dict[str, list[str]]]:
    """A table a cell shows, as text: (its column names, its body rows by first cell)."""
    html = [o["data"]["text/html"] for o in outputs(notebook, tag) if "<table" in o.get("data", {}).get("text/html", "")]
    found = lxml.html.fromstring(html[which]).xpath("//table")[0]
    columns = [th.text_content().strip() for th in found.xpath("thead/tr[1]/th")][1:]
    rows = [[cell.text_content().strip() for cell in tr.xpath("th|td")] for tr in found.xpath("tbody/tr")]
    return columns, {row[0]: row[1:] for row in rows}


def markdown(notebook: nbformat.NotebookNode, tag: str) -> str:
    return "\n".join(o["data"]["text/markdown"] for o in outputs(notebook, tag) if "text/markdown" in o.get("data", {}))


def test_report_tables_match_what_the_sync_did_then_the_reconciliation_finds_each_org_change(
        synced: Synced, tmp_path: Path) -> None:
    report = run_report(synced, tmp_path / "report.ipynb")
    day, before = synced.day.isoformat(), (synced.day - timedelta(days=1)).isoformat()
    first, second = synced.runs
    _, glance = table(report, "headline")
    assert {measure: value[0] for measure, value in glance.items()} == {
        "messages logged": "5", "messages waiting for a retry": "1", "messages quarantined": "0",
        "messages from numbers that match no Contact or Lead": "3", "numbers that match no Contact or Lead": "2",
        "messages not logged: person marked do-not-log": "1", "people marked do-not-log who wrote": "1",
        "chat-day records written": "3", "chat-day records failing, to be retried": "1",
        "chat-day records quarantined": "0", "sync runs": "2", "sync runs failed or stopped early": "0",
        "API calls made by sync runs": str(first.api_calls + second.api_calls),
        "reconciliation differences with the org": "0",
    }
    columns, per_day = table(report, "per-day")
    assert columns == ["logged", "pending", "quarantined", "unmatched", "do_not_log"]
    assert per_day == {before: ["1", "0", "0", "0", "0"], day: ["4", "1", "0", "3", "1"],
                       (synced.day + timedelta(days=1)).isoformat(): ["0", "0", "0", "0", "0"]}
    assert table(report, "per-account")[1] == {f"Sales US ({BUSINESS})": ["5", "1", "0", "3", "1"]}
    assert table(report, "chat-days")[1][day] == ["2", "1", "0"]
    columns, unmatched = table(report, "unmatched")
    assert list(unmatched) == [UNKNOWN, OTHER_UNKNOWN]
    assert [row[columns.index("messages")] for row in unmatched.values()] == ["2", "1"]
    assert unmatched[UNKNOWN][columns.index("last_seen")] == f"{day} 12:01 UTC"
    columns, skips = table(report, "do-not-log")
    assert [(row[columns.index("name")], row[columns.index("messages")]) for row in skips.values()] == [("Quiet", "1")]
    columns, failures = table(report, "failures")
    assert list(failures) == ["UNABLE_TO_LOCK_ROW"]
    assert failures["UNABLE_TO_LOCK_ROW"][:4] == ["1", "1", "0", "1"]  # chat-days, retrying, quarantined, messages
    assert "No chat-day record is quarantined." in markdown(report, "quarantined")
    columns, latency = table(report, "latency")
    assert latency["5"] == [readable_duration(median(synced.latencies)), latency["5"][1],
                            readable_duration(max(synced.latencies))]
    columns, runs = table(report, "api-usage")
    assert [row[columns.index("api_calls")] for row in runs.values()] == [str(first.api_calls), str(second.api_calls)]
    assert [row[columns.index("chat_days_failed")] for row in runs.values()] == ["0", "1"]
    assert "3 chat-day records written in the period, 3 compared field by field: 0 differences" in markdown(
        report, "reconciliation")

    sf = synced.org.client()
    jane_days = sf.query_all(f"SELECT Id, Chat_Key__c, Chat_Date__c FROM WhatsApp_Chat__c "
                             f"WHERE Contact__c = '{synced.jane}' ORDER BY Chat_Date__c")["records"]
    assert [r["Chat_Date__c"] for r in jane_days] == [before, day]
    sf.WhatsApp_Chat__c.update(jane_days[1]["Id"], {"Transcript__c": "10:00 Jane Doe: something else"})
    sf.WhatsApp_Chat__c.delete(jane_days[0]["Id"])
    by_hand = sf.WhatsApp_Chat__c.create({"Name": "Made by hand", "Chat_Key__c": "by-hand", "Chat_Date__c": day})["id"]
    lead_day = sf.query_all("SELECT Id, Chat_Key__c, Name FROM WhatsApp_Chat__c WHERE Lead__c != null")["records"][0]
    sf.WhatsApp_Chat__c.delete(lead_day["Id"])  # and made again by hand: same key, another record
    remade = sf.WhatsApp_Chat__c.create({"Name": lead_day["Name"], "Chat_Key__c": lead_day["Chat_Key__c"]})["id"]
    ingest(open_store(synced.store_url), message(2, LEAD, datetime.fromisoformat(f"{day}T11:30:00+00:00"),
                                                 "Not synced yet"))

    again = run_report(synced, tmp_path / "again.ipynb")
    assert "3 chat-day records written in the period, 2 compared field by field: 4 differences" in markdown(
        again, "reconciliation")
    columns, not_compared = table(again, "reconciliation", which=1)
    assert [(key.split("|")[1], row[columns.index("reason")]) for key, row in not_compared.items()] == [
        (LEAD, STORE_CHANGED)]
    columns, differences = table(again, "reconciliation")
    assert {key: (row[columns.index("difference")], row[columns.index("record_id")])
            for key, row in differences.items()} == {
        jane_days[0]["Chat_Key__c"]: ("missing in org", jane_days[0]["Id"]),
        jane_days[1]["Chat_Key__c"]: ("transcript differs", jane_days[1]["Id"]),
        "by-hand": ("extra in org", by_hand),
        lead_day["Chat_Key__c"]: ("record id differs", lead_day["Id"]),
    }
    assert differences[lead_day["Chat_Key__c"]][columns.index("detail")] == f"org {remade}, ledger {lead_day['Id']}"
    assert differences[jane_days[1]["Chat_Key__c"]][columns.index("detail")].endswith("first difference on line 1")


def test_the_html_leaves_out_code_stderr_and_remote_scripts(tmp_path: Path) -> None:
    executed = tmp_path / "executed.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("## A section"),
        nbformat.v4.new_code_cell("compute_the_numbers()", outputs=[
            nbformat.v4.new_output("stream", name="stderr", text="a library's warning\n"),
            nbformat.v4.new_output("display_data", data={"text/html": "<b>the numbers</b>"}),
        ]),
    ]), executed)
    assert render_html(executed, tmp_path / "out" / "report.html", "A report") == ["a library's warning"]
    page = (tmp_path / "out" / "report.html").read_text()
    assert "<title>A report</title>" in page and "<b>the numbers</b>" in page and "A section" in page
    assert "compute_the_numbers" not in page and "a library's warning" not in page
    assert "<script" not in page and "Content-Security-Policy" in page


@needs_chromium
def test_cci_renders_a_standalone_report_that_chromium_shows(synced: Synced, tmp_path: Path) -> None:
    target = tmp_path / "audit.html"
    options = [item for name, value in synced.parameters.items() if name in ("store_url", "start", "end")
               for item in ("-o", name, str(value))]
    result = subprocess.run([str(VENV_BIN / "cci"), "task", "run", "render_audit_report", "--org", "local",
                             *options, "-o", "path", str(target)],
                            cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"audit report written: {target}" in result.stdout
    page = target.read_text()
    credentials = synced.org.credentials
    for secret in (credentials.password, credentials.client_secret, credentials.refresh_token, "access_token"):
        assert secret not in page
    assert "https://cdn" not in page and "<script" not in page
    with chromium(tmp_path / "profile", ensure_tls(synced.org.ca_bundle.parent).certificate) as browser:
        browser.open(target.as_uri())
        browser.screenshot(tmp_path / "audit-report.png")
        shown = browser.text()
        assert "WhatsApp audit report" in shown and "Numbers that match no Contact or Lead" in shown
        assert "open_store" not in shown  # no code cells
        assert browser.evaluate("document.querySelectorAll('table.dataframe').length") >= 8
        charts = browser.evaluate("[...document.querySelectorAll('img.audit-chart')]"
                                  ".map(i => [i.alt, i.complete && i.naturalWidth > 0, i.src.slice(0, 22)])")
        assert charts == [
            ["Messages per day, by outcome", True, "data:image/png;base64,"],
            ["Sync latency: message sent to logged in Salesforce", True, "data:image/png;base64,"],
            ["API calls per sync run / The org's daily API usage after each run", True, "data:image/png;base64,"],
        ]
    assert (tmp_path / "audit-report.png").stat().st_size > 10_000
