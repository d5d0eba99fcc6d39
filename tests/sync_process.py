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
from typing import Callable

import requests

from eazybe_tasks.salesforce.org_client import OrgClient
from eazybe_tasks.store.store import open_store
from eazybe_tasks.sync.run import SyncOptions, sync_once


def token_source(instance_url: str) -> Callable[[], str] | None:
    if "SF_REFRESH_TOKEN" not in os.environ:
        return None

    def new_token() -> str:
        answer = requests.post(f"{instance_url}/services/oauth2/token", data={
            "grant_type": "refresh_token", "client_id": os.environ["SF_CLIENT_ID"],
            "client_secret": os.environ["SF_CLIENT_SECRET"], "refresh_token": os.environ["SF_REFRESH_TOKEN"],
        }, timeout=30)
        answer.raise_for_status()
        token: str = answer.json()["access_token"]
        return token

    return new_token


if __name__ == "__main__":
    store_url, instance_url = sys.argv[1:3]
    client = OrgClient.connect(instance_url, os.environ["SF_SESSION_ID"], "67.0", new_token=token_source(instance_url),
                               timeout_s=float(os.environ.get("SYNC_TIMEOUT_S") or 120))
    now = datetime.fromisoformat(os.environ["SYNC_NOW"]) if os.environ.get("SYNC_NOW") else None
    accounts = os.environ["SYNC_ACCOUNTS"].split(",") if os.environ.get("SYNC_ACCOUNTS") else None
    options = SyncOptions(accounts=accounts, lease=timedelta(seconds=float(os.environ.get("SYNC_LEASE_S") or 900)))
    report = sync_once(open_store(store_url), client, options, now=now)
    print(f"written={report.written} failed={report.failed} notes={report.notes_written} files={report.files_written} "
          f"stop={report.stop_reason}")
