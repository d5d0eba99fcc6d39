"""Notes for Contacts: split past the body limit, and never lost or doubled when a create's answer
is lost (the intent is reconciled against the deployed_org before anything is sent again)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import update

from eazybe_tasks.store.schema import note_ledger
from eazybe_tasks.store.store import open_store
from eazybe_tasks.sync.notes import BODY_LIMIT, TITLE_LIMIT, split_body
from eazybe_tasks.sync.run import sync_once
from local_org_fixture import RunningOrg
from test_sync_run import BUSINESS, ingest, message

NOW = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)


def test_split_body_keeps_every_character_within_the_limit() -> None:
    text = "\n".join(f"10:{n % 60:02d} Jane: " + "x" * (n * 37 % 900) for n in range(200)) + "\n" + "y" * 70_000
    parts = split_body(text)
    assert all(len(p) <= BODY_LIMIT for p in parts) and len(parts) > 3
    assert "\n".join(parts).replace("\n", "") == text.replace("\n", "")


def test_lost_answers_and_long_transcripts(deployed_org: RunningOrg, tmp_path: Path) -> None:
    sf = deployed_org.client()
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, label="Sales US", time_zone="UTC")
    contact = sf.Contact.create({"LastName": "Long" * 10, "MobilePhone": "+1 415 555 0188"})["id"]
    day = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    ingest(store, *[message(n, "+14155550188", day + timedelta(seconds=n), "z" * 1_900) for n in range(40)])
    sync_once(store, sf, now=NOW)
    notes = sf.query_all(f"SELECT Id, Title, Body FROM Note WHERE ParentId = '{contact}' ORDER BY Title")["records"]
    assert len(notes) == 3 and all(len(n["Title"]) <= TITLE_LIMIT for n in notes)
    assert [n["Title"][-5:] for n in notes] == ["(1/3)", "(2/3)", "(3/3)"]

    # The answer to the creates was lost: the ledger only knows it sent them.
    with store.engine.begin() as connection:
        connection.execute(update(note_ledger).values(note_id=None, body_hash=None, intent_at=NOW))
    ingest(store, message(99, "+14155550188", day + timedelta(minutes=5), "the last word"))
    sync_once(store, sf, now=NOW)
    again = sf.query_all(f"SELECT Id, Body FROM Note WHERE ParentId = '{contact}' ORDER BY Title")["records"]
    assert [n["Id"] for n in again] == [n["Id"] for n in notes]  # found, not written twice
    assert again[-1]["Body"].endswith("the last word")
