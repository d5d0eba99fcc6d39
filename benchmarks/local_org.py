"""Local org throughput through simple-salesforce over HTTPS, as the sync engine will use it:
sObject Collections upsert of 20,000 WhatsApp_Chat__c records by Chat_Key__c, then SOQL paging
over 100,000 records. The org is started fresh in a temporary folder and the project's metadata
deployed with CumulusCI's own deploy task.

Prints one JSON line last: {"upsert_records_per_s", "query_records_per_s", "peak_rss_mb"}
(peak_rss_mb: the org server process's high-water resident memory)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from simple_salesforce import Salesforce

from eazybe_local_org.org_home import org_home
from eazybe_local_org.registration import cumulusci_org_config
from eazybe_local_org.server import start_background, stop
from eazybe_local_org.tls import ensure_tls

REPO = Path(__file__).resolve().parent.parent
UPSERTS = 20_000
QUERIED = 100_000
BATCH = 200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def deploy(home, url: str, bundle: Path, cci_home: Path) -> None:
    env = {
        **os.environ, "HOME": str(cci_home), "REQUESTS_CA_BUNDLE": str(bundle),
        "PATH": f"{REPO / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
        "SF_AUTOUPDATE_DISABLE": "true", "SF_DISABLE_AUTOUPDATE": "true", "SF_SKIP_NEW_VERSION_CHECK": "true",
        "SF_DISABLE_TELEMETRY": "true",
        "CUMULUSCI_ORG_local": json.dumps(cumulusci_org_config(home, url)),
    }
    subprocess.run([str(REPO / ".venv" / "bin" / "cci"), "task", "run", "deploy", "--org", "local", "-o", "path", "force-app"],
                   cwd=REPO, env=env, check=True, capture_output=True)


def client(home, url: str) -> Salesforce:
    credentials = home.credentials()
    token = requests.post(f"{url}/services/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": credentials.client_id,
        "client_secret": credentials.client_secret, "refresh_token": credentials.refresh_token,
    }, timeout=30).json()["access_token"]
    return Salesforce(instance_url=url, session_id=token, version="67.0")


def chat(n: int, contact: str) -> dict:
    return {
        "attributes": {"type": "WhatsApp_Chat__c"}, "Chat_Key__c": f"acct|+1415555{n:07d}|2026-11-24|{contact}",
        "Name": f"WhatsApp · Customer {n} · 2026-11-24", "Contact__c": contact, "Chat_Date__c": "2026-11-24",
        "Message_Count__c": n % 40 + 1, "Transcript__c": f"09:{n % 60:02d} Customer {n}: hello\n" * 5,
        "Source__c": "Cloud API", "Last_Synced_At__c": "2026-11-24T10:00:00.000+0000",
    }


def upsert_all(sf: Salesforce, records: list[dict]) -> None:
    for start in range(0, len(records), BATCH):
        results = sf.restful("composite/sobjects/WhatsApp_Chat__c/Chat_Key__c", method="PATCH",
                             json={"allOrNone": False, "records": records[start:start + BATCH]})
        failed = [r for r in results if not r["success"]]
        if failed:
            raise SystemExit(f"upsert failed: {failed[:3]}")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        home = org_home("bench", Path(folder) / "orgs")
        bundle = ensure_tls(home.tls_folder).ca_bundle
        os.environ["REQUESTS_CA_BUNDLE"] = str(bundle)
        server = start_background(home, free_port())
        try:
            print(f"local org at {server.url}; deploying force-app/ with cci ...", flush=True)
            deploy(home, server.url, bundle, Path(folder) / "home")
            sf = client(home, server.url)
            contact = sf.Contact.create({"LastName": "Benchmark"})["id"]

            records = [chat(n, contact) for n in range(UPSERTS)]
            began = time.perf_counter()
            upsert_all(sf, records)
            upsert_s = time.perf_counter() - began
            print(f"upserted {UPSERTS} records in {upsert_s:.1f} s", flush=True)

            upsert_all(sf, [chat(n, contact) for n in range(UPSERTS, QUERIED)])
            began = time.perf_counter()
            result = sf.query_all("SELECT Id, Name, Chat_Key__c, Message_Count__c, Chat_Date__c FROM WhatsApp_Chat__c")
            query_s = time.perf_counter() - began
            if result["totalSize"] != QUERIED or len(result["records"]) != QUERIED:
                raise SystemExit(f"query returned {len(result['records'])} of {QUERIED} records")
            print(f"queried {QUERIED} records in {query_s:.1f} s", flush=True)
            rss = peak_rss_mb(server.pid)
        finally:
            stop(home)
    print(json.dumps({
        "upsert_records_per_s": round(UPSERTS / upsert_s),
        "query_records_per_s": round(QUERIED / query_s),
        "peak_rss_mb": round(rss, 1),
    }))


if __name__ == "__main__":
    sys.exit(main())
