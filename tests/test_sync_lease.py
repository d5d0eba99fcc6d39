"""A sync slower than its lock's lease keeps the lock (a heartbeat renews it), so a second run is
refused; a run whose lock was taken from it anyway stops before its next write, and a Note both
runs created is kept once (the later one deletes its twin): one Note per chat-day either way."""
from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from simple_salesforce import Salesforce
from sqlalchemy import select, update

from eazybe_local_org.org_home import org_home
from eazybe_local_org.web.admin import call_faults_endpoint
from eazybe_tasks.salesforce.api_budget import BudgetedSession
from eazybe_tasks.salesforce.org_client import OrgClient
from eazybe_tasks.store.locks import LockHeld
from eazybe_tasks.store.schema import locks, sync_runs
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.sync.run import SyncOptions, sync_once
from eazybe_tasks.sync.run_records import RunReport, lock_name
from local_org_fixture import RunningOrg
from test_sync_run import BUSINESS, ingest, message

NOW = datetime.now(timezone.utc).replace(microsecond=0)
SHORT_LEASE = timedelta(seconds=2)


def people_and_messages(deployed_org: RunningOrg, store: Store, count: int, first: int) -> list[str]:
    """`count` Contacts with a chat of two messages each, today."""
    org = deployed_org.org_client()
    sf = org.sf
    ids = []
    for n in range(first, first + count):
        number = f"+1415555{n:04d}"
        ids.append(sf.Contact.create({"LastName": f"Lease {n}", "MobilePhone": number})["id"])
        ingest(store, message(1, number, NOW - timedelta(minutes=30), f"hello {n}"),
               message(2, number, NOW - timedelta(minutes=29), f"again {n}"))
    return ids


def notes_per_contact(deployed_org: RunningOrg, contacts: list[str]) -> Counter:
    quoted = ",".join(f"'{c}'" for c in contacts)
    notes = deployed_org.client().query_all(f"SELECT ParentId FROM Note WHERE ParentId IN ({quoted})")["records"]
    return Counter(note["ParentId"] for note in notes)


def new_store(tmp_path: Path) -> Store:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, label="Sales", time_zone="UTC")
    return store


def test_a_run_slower_than_its_lease_keeps_the_lock(deployed_org: RunningOrg, tmp_path: Path) -> None:
    store = new_store(tmp_path)
    contacts = people_and_messages(deployed_org, store, 5, 7000)
    home = org_home("local", deployed_org.folder.parent)
    call_faults_endpoint(home, deployed_org.url, "67.0", "POST", '{"seed": 1, "slow_rate": 1.0, "slow_seconds": 1.0}')
    reports: list[RunReport] = []
    slow = threading.Thread(target=lambda: reports.append(
        sync_once(store, deployed_org.org_client(), SyncOptions(lease=SHORT_LEASE), now=NOW)))
    try:
        slow.start()
        time.sleep(SHORT_LEASE.total_seconds() * 2)  # the first lease has long expired, unless renewed
        assert slow.is_alive()
        with pytest.raises(LockHeld, match=f"lock 'sync:\\{BUSINESS}' is held"):
            sync_once(store, deployed_org.org_client(), SyncOptions(lease=SHORT_LEASE), now=NOW)
        slow.join(timeout=120)
    finally:
        call_faults_endpoint(home, deployed_org.url, "67.0", "DELETE", None)
    (report,) = reports
    assert report.stop_reason is None and report.written == 5 and report.notes_written == 5
    assert notes_per_contact(deployed_org, contacts) == Counter({contact: 1 for contact in contacts})


def test_a_run_that_lost_its_lock_stops_and_leaves_no_twin_note(deployed_org: RunningOrg, tmp_path: Path) -> None:
    store = new_store(tmp_path)
    contacts = people_and_messages(deployed_org, store, 3, 7100)
    overtaken: list[RunReport] = []

    class TakenOverBeforeItsNotes(BudgetedSession):
        """Just before the first run sends its Note create, its lock goes to a second run, which
        finds no Note yet and writes everything, its own Notes too."""

        def send(self, request, **kwargs):  # type: ignore[no-untyped-def]
            if request.method == "POST" and request.path_url.endswith("/composite/sobjects") \
                    and b'"Note"' in (request.body or b"") and not overtaken:
                with store.engine.begin() as connection:
                    connection.execute(update(locks).where(locks.c.name == lock_name(BUSINESS))
                                       .values(expires_at=NOW - timedelta(hours=1), holder="elsewhere:1:gone"))
                overtaken.append(sync_once(store, deployed_org.org_client(), now=NOW))
            return super().send(request, **kwargs)

    first = OrgClient(Salesforce(instance_url=deployed_org.url, session_id=deployed_org.token(), version="67.0",
                                 session=TakenOverBeforeItsNotes()))
    report = sync_once(store, first, SyncOptions(lease=timedelta(minutes=15)), now=NOW)
    assert overtaken and overtaken[0].notes_written == 3 and overtaken[0].stop_reason is None
    assert report.stop_reason is not None and "was lost" in report.stop_reason
    assert report.notes_written == 0  # its three Notes were twins, deleted
    assert notes_per_contact(deployed_org, contacts) == Counter({contact: 1 for contact in contacts})
    with store.engine.connect() as connection:
        statuses = [row.status for row in connection.execute(select(sync_runs.c.status).order_by(sync_runs.c.id))]
    assert statuses == ["stopped", "succeeded"]
    # The next run finds everything written and nothing to repair.
    again = sync_once(store, deployed_org.org_client(), now=NOW + timedelta(minutes=3))
    assert (again.written, again.notes_written, again.stop_reason) == (0, 0, None)
    assert notes_per_contact(deployed_org, contacts) == Counter({contact: 1 for contact in contacts})


def test_the_directory_lock_is_renewed_while_its_refresh_goes_on(
        deployed_org: RunningOrg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its lease is short, so a holder that froze frees the directory within it; one that is
    working keeps it: another worker asking meanwhile is refused every time."""
    from eazybe_tasks.matching import shared_refresh
    from eazybe_tasks.store.locks import acquire

    monkeypatch.setattr(shared_refresh, "DIRECTORY_LEASE", timedelta(seconds=1))
    real_refresh = shared_refresh.refresh_directory
    asked: list[str] = []

    def slow_refresh(engine, client):  # type: ignore[no-untyped-def]
        for _ in range(5):
            time.sleep(0.5)
            try:
                acquire(engine, shared_refresh.DIRECTORY_LOCK, timedelta(seconds=1)).release()
                asked.append("taken")
            except LockHeld:
                asked.append("held")
        return real_refresh(engine, client)

    monkeypatch.setattr(shared_refresh, "refresh_directory", slow_refresh)
    store = new_store(tmp_path)
    sync_once(store, deployed_org.org_client())
    assert asked == ["held"] * 5  # 2.5 s of refresh against a 1 s lease
    with store.engine.connect() as connection:
        assert connection.execute(select(locks.c.name).where(locks.c.name == shared_refresh.DIRECTORY_LOCK)).first() is None
