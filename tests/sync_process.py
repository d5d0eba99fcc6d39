"""One sync run in a process of its own, so a test can kill it (SIGKILL) where it wants:
`python sync_process.py STORE_URL INSTANCE_URL`. The session comes in $SF_SESSION_ID; with
$SF_CLIENT_ID, $SF_CLIENT_SECRET and $SF_REFRESH_TOKEN an expired session is refreshed the OAuth
way; $SYNC_NOW (ISO) sets the run's clock, $SYNC_TIMEOUT_S the timeout of every call, and
$SYNC_ACCOUNTS (business numbers, comma-separated) the accounts it syncs, $SYNC_LEASE_S the lease of
its locks."""
from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta

import requests
from simple_salesforce import Salesforce

from eazybe_tasks.store.store import open_store
from eazybe_tasks.sync.run import sync_once


def refresher(sf: Salesforce, instance_url: str):  # type: ignore[no-untyped-def]
    if "SF_REFRESH_TOKEN" not in os.environ:
        return None

    def refresh() -> None:
        answer = requests.post(f"{instance_url}/services/oauth2/token", data={
            "grant_type": "refresh_token", "client_id": os.environ["SF_CLIENT_ID"],
            "client_secret": os.environ["SF_CLIENT_SECRET"], "refresh_token": os.environ["SF_REFRESH_TOKEN"],
        }, timeout=30)
        answer.raise_for_status()
        sf.session_id = answer.json()["access_token"]
        sf.headers["Authorization"] = f"Bearer {sf.session_id}"

    return refresh


if __name__ == "__main__":
    store_url, instance_url = sys.argv[1:3]
    client = Salesforce(instance_url=instance_url, session_id=os.environ["SF_SESSION_ID"], version="67.0")
    now = datetime.fromisoformat(os.environ["SYNC_NOW"]) if os.environ.get("SYNC_NOW") else None
    accounts = os.environ["SYNC_ACCOUNTS"].split(",") if os.environ.get("SYNC_ACCOUNTS") else None
    report = sync_once(open_store(store_url), client, now=now, refresh_session=refresher(client, instance_url),
                       accounts=accounts, lease=timedelta(seconds=float(os.environ.get("SYNC_LEASE_S") or 900)),
                       request_timeout_s=float(os.environ.get("SYNC_TIMEOUT_S") or 120))
    print(f"written={report.written} failed={report.failed} notes={report.notes_written} files={report.files_written} "
          f"stop={report.stop_reason}")
