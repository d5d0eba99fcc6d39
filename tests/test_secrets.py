"""Secrets never leak: the webhook receiver (with live mode), a media download that fails, a sync,
the scheduler and the audit report run with known fake secrets and the org's real credentials,
and every line they printed, every file CumulusCI logged, every executed notebook and the report
are searched for them. Store files are readable by their owner only."""
from __future__ import annotations

import re
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests

from cloud_api_deliveries import post_signed, text_delivery
from local_org_fixture import RunningOrg
from repo_paths import REPO, VENV_BIN
from webhook_process import org_environment, serve_webhook

BUSINESS = "+14155550100"
FAKE = {
    "EAZYBE_WEBHOOK_VERIFY_TOKEN": "fake-verify-token-9c1e7d4b",
    "EAZYBE_WHATSAPP_APP_SECRET": "fake-app-secret-5f2a8e0c93b1",
    "EAZYBE_WHATSAPP_TOKEN": "fake-graph-token-0b7d3c9e",
}
SESSION_ID = re.compile(r"00D\w{12}!\S{20,}")  # any access token the local org issued


def cci(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run([str(VENV_BIN / "cci"), "task", "run", *args], cwd=REPO, env=environment,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 or args[0] == "download_media", result.stdout + result.stderr
    return result.stdout + result.stderr


def test_no_secret_in_logs_notebooks_or_reports(deployed_org: RunningOrg, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    store_path = tmp_path / "store" / "store.db"
    environment = {**org_environment(deployed_org, tmp_path / "home"), **FAKE,
                   "EAZYBE_STORE_URL": f"sqlite:///{store_path}", "EAZYBE_GRAPH_API_URL": "http://127.0.0.1:9/graph"}
    sf = deployed_org.client()
    sf.Contact.create({"LastName": "Secretive", "MobilePhone": "+1 415 555 0166"})
    printed = [cci(environment, "register_account", "-o", "number", BUSINESS, "-o", "time_zone", "UTC")]

    with serve_webhook(environment, "-o", "live_org", "local") as receiver:
        handshake = requests.get(receiver.url, params={
            "hub.mode": "subscribe", "hub.verify_token": FAKE["EAZYBE_WEBHOOK_VERIFY_TOKEN"], "hub.challenge": "42"},
            timeout=30)
        assert handshake.text == "42"
        sent = datetime.now(timezone.utc) - timedelta(minutes=5)
        delivered = post_signed(receiver.url, text_delivery(BUSINESS, "+14155550166", "wamid.secret.1", "hello", sent),
                                FAKE["EAZYBE_WHATSAPP_APP_SECRET"])
        assert delivered.status_code == 200
    printed.append(receiver.output)
    printed.append(cci(environment, "download_media"))
    printed.append(cci(environment, "sync_whatsapp", "--org", "local"))
    printed.append(cci(environment, "run_sync_scheduler", "--org", "local", "-o", "max_runs", "1",
                       "-o", "interval_s", "1", "-o", "runs_dir", str(tmp_path / "runs")))
    report = tmp_path / "reports" / "audit.html"
    printed.append(cci(environment, "render_audit_report", "--org", "local", "-o", "path", str(report)))

    credentials = deployed_org.credentials
    secrets = [*FAKE.values(), credentials.client_secret, credentials.refresh_token, credentials.password]
    written = [*sorted((tmp_path / "runs").rglob("*.ipynb")), *sorted((tmp_path / "runs").rglob("*.jsonl")), report,
               *sorted((tmp_path / "home").rglob("*.log"))]
    assert len([p for p in written if p.suffix == ".ipynb"]) == 1 and report.exists()
    assert any(p.suffix == ".log" for p in written)  # CumulusCI's own log of every command
    assert any(credentials.username in text for text in printed)  # the scan reads what the org said
    texts = {f"output {n}": text for n, text in enumerate(printed)}
    texts.update({str(path): path.read_text(errors="replace") for path in written})
    hits = [(where, secret[:6] + "…") for where, text in texts.items() for secret in secrets if secret in text]
    hits += [(where, "a session id") for where, text in texts.items() if SESSION_ID.search(text)]
    with capsys.disabled():
        print(f"\nsecrets scan: {len(secrets)} secrets and session ids searched in {len(texts)} outputs and files "
              f"({sum(map(len, texts.values())):,} characters): {len(hits)} hits")
    assert hits == []
    logged = sf.query("SELECT Transcript__c FROM WhatsApp_Chat__c WHERE WhatsApp_Number__c = '+14155550166'")
    assert logged["records"][0]["Transcript__c"].endswith("hello")

    private = [store_path, *[p for p in store_path.parent.rglob("*") if p.is_file()]]
    assert all(stat.S_IMODE(path.stat().st_mode) & 0o077 == 0 for path in private), [
        (str(p), oct(stat.S_IMODE(p.stat().st_mode))) for p in private]
    runs = tmp_path / "runs"
    closed = [runs, *[p for p in runs.iterdir() if p.is_dir()]]
    assert len(closed) == 2 and all(stat.S_IMODE(p.stat().st_mode) == 0o700 for p in closed), [
        (str(p), oct(stat.S_IMODE(p.stat().st_mode))) for p in closed]  # the notebooks show names and numbers
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
