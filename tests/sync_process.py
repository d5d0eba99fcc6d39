"""One sync run in a process of its own, so a test can kill it (SIGKILL) where it wants:
`python sync_process.py STORE_URL INSTANCE_URL` with the session in $SF_SESSION_ID."""
from __future__ import annotations

import os
import sys

from simple_salesforce import Salesforce

from eazybe_tasks.store.store import open_store
from eazybe_tasks.sync.run import sync_once

if __name__ == "__main__":
    store_url, instance_url = sys.argv[1:3]
    client = Salesforce(instance_url=instance_url, session_id=os.environ["SF_SESSION_ID"], version="67.0")
    report = sync_once(open_store(store_url), client)
    print(f"written={report.written} notes={report.notes_written} files={report.files_written}")
