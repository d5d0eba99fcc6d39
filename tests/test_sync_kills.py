"""A sync process killed with SIGKILL between two Collections calls, right after a Note create
was sent, and right after a File upload was sent (each answer lost, each write applied by the
org), then a last run: the org holds every chat-day, Note and File exactly once, and the killed
runs' records are closed as abandoned."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from eazybe_local_org.org_home import org_home
from eazybe_local_org.web.admin import call_faults_endpoint
from eazybe_tasks.salesforce.collections_writer import create
from eazybe_tasks.store.schema import chat_day_ledger, file_ledger, message_outcomes, note_ledger, sync_runs
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.sync import ledger
from local_org_fixture import RunningOrg
from repo_paths import REPO
from test_sync_files import picture
from test_sync_run import BUSINESS, ingest, message

PEOPLE = 220  # two Collections calls of chat-day records, two of Notes
PICTURES = 4


def first_batch_recorded(connection: Connection) -> bool:
    return connection.execute(select(func.count()).select_from(chat_day_ledger)).scalar() >= 200


def note_create_sent(connection: Connection) -> bool:
    return connection.execute(select(func.count()).select_from(note_ledger).where(
        note_ledger.c.intent_at.is_not(None), note_ledger.c.note_id.is_(None))).scalar() > 0


def upload_sent(connection: Connection) -> bool:
    return connection.execute(select(func.count()).select_from(file_ledger).where(
        file_ledger.c.intent_at.is_not(None), file_ledger.c.content_version_id.is_(None),
        file_ledger.c.content_document_id.is_(None))).scalar() > 0


def notes_in_org(sf, contact_of: dict[str, str]) -> set[str]:  # type: ignore[no-untyped-def]
    ids = "','".join(contact_of.values())
    return {n["Id"] for n in sf.query_all(f"SELECT Id FROM Note WHERE ParentId IN ('{ids}')")["records"]}


def notes_in_ledger(store: Store) -> set[str]:
    with store.engine.connect() as connection:
        return {row.note_id for row in connection.execute(select(note_ledger.c.note_id)) if row.note_id}


def uploads_in_org(sf) -> int:  # type: ignore[no-untyped-def]
    return sf.query("SELECT COUNT() FROM ContentVersion")["totalSize"]


def uploads_in_ledger(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(file_ledger)
                                  .where(file_ledger.c.content_version_id.is_not(None))).scalar()


def run_until(store: Store, store_url: str, org: RunningOrg, point: Callable[[Connection], bool] | None) -> str:
    """Runs one sync process; kills it shortly after `point` holds (the request then in flight
    is applied by the org, its answer lost). Without a point, the run goes to its end."""
    env = {**os.environ, "SF_SESSION_ID": org.token(), "PYTHONPATH": str(REPO)}
    process = subprocess.Popen([sys.executable, str(REPO / "tests" / "sync_process.py"), store_url, org.url],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if point is None:
        out, err = process.communicate(timeout=600)
        assert process.returncode == 0, out + err
        return out
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        with store.engine.connect() as connection:
            if point(connection):
                time.sleep(0.3)  # the request is sent and being answered slowly
                process.send_signal(signal.SIGKILL)
                process.wait()
                return "killed"
        time.sleep(0.02)
    out, err = process.communicate(timeout=60)
    raise AssertionError(f"the run ended before {point.__name__}: {out}{err}")


def test_kills_at_three_points_lose_and_double_nothing(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(store_url)
    store.register_account(BUSINESS, time_zone="UTC")
    numbers = [f"+1415555{3000 + n}" for n in range(PEOPLE)]
    people = create(org, "Contact", [{"LastName": f"Killed {n:03d}", "MobilePhone": number}
                                    for n, number in enumerate(numbers)])
    contact_of = {number: outcome.record_id for number, outcome in zip(numbers, people)}
    hour = (datetime.now(timezone.utc) - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    photos = [f"photo {n} ".encode() * 50 for n in range(PICTURES)]  # both messages in one hour: one chat-day each
    ingest(store, *[message(1, number, hour, f"hello {number}") for number in numbers])
    ingest(store, *[picture(2, numbers[n], hour + timedelta(minutes=30), photos[n], f"photo{n}.png")
                    for n in range(PICTURES)])

    home = org_home("local", deployed_org.folder.parent)
    call_faults_endpoint(home, deployed_org.url, "67.0", "POST", '{"seed": 5, "slow_rate": 1.0, "slow_seconds": 0.6}')
    try:
        assert run_until(store, store_url, deployed_org, first_batch_recorded) == "killed"
        assert run_until(store, store_url, deployed_org, note_create_sent) == "killed"
        time.sleep(1)  # the org finishes the slow create the dead process sent
        lost = notes_in_org(sf, contact_of) - notes_in_ledger(store)
        assert lost, "the kill should leave notes the ledger does not know"
        assert run_until(store, store_url, deployed_org, upload_sent) == "killed"
        time.sleep(1)
        assert uploads_in_org(sf) > uploads_in_ledger(store), "the kill should leave an upload the ledger does not know"
    finally:
        call_faults_endpoint(home, deployed_org.url, "67.0", "DELETE", None)
    run_until(store, store_url, deployed_org, None)

    ids = "','".join(contact_of.values())
    records = sf.query_all(f"SELECT Id, Contact__c, Message_Count__c FROM WhatsApp_Chat__c "
                           f"WHERE Contact__c IN ('{ids}')")["records"]
    assert sorted(r["Contact__c"] for r in records) == sorted(contact_of.values())  # each once
    notes = sf.query_all(f"SELECT ParentId, Body FROM Note WHERE ParentId IN ('{ids}')")["records"]
    assert sorted(n["ParentId"] for n in notes) == sorted(contact_of.values())  # no Note lost or doubled
    assert all(n["Body"].splitlines()[0].endswith(f"hello {number}")
               for number, n in zip(numbers, sorted(notes, key=lambda n: list(contact_of.values()).index(n["ParentId"]))))
    record_ids = "','".join(r["Id"] for r in records)
    versions = sf.query_all(f"SELECT Checksum, FirstPublishLocationId FROM ContentVersion "
                            f"WHERE FirstPublishLocationId IN ('{record_ids}')")["records"]
    assert sorted(v["Checksum"] for v in versions) == sorted(hashlib.md5(p).hexdigest() for p in photos)
    with store.engine.connect() as connection:
        assert {row.outcome for row in connection.execute(select(message_outcomes.c.outcome))} == {"logged"}
        assert connection.execute(select(func.count()).select_from(message_outcomes)).scalar() == PEOPLE + PICTURES
        assert ledger.checkpoint(connection, 1) > 0  # the store's one account
        runs = connection.execute(select(sync_runs.c.status, sync_runs.c.finished_at).order_by(sync_runs.c.id)).all()
    assert [run.status for run in runs] == ["abandoned"] * 3 + ["succeeded"]  # no killed run stays "running"
    assert all(run.finished_at is not None for run in runs)
