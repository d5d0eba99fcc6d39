"""Notes for Contacts: one per chat-day, cut past the body limit with a marker (the split parts of
older versions deleted), and never lost or doubled when a create's answer is lost (the intent is
reconciled against the deployed_org before anything is sent again)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import select, update

from eazybe_tasks.store.schema import note_ledger
from eazybe_tasks.store.store import open_store
from eazybe_tasks.chat_days.record import NAME_LIMIT
from eazybe_tasks.sync.notes import BODY_LIMIT
from eazybe_tasks.sync.run import sync_once
from local_org_fixture import RunningOrg
from test_sync_run import BUSINESS, ingest, message

NOW = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)


def test_lost_answers_and_long_transcripts(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, label="Sales US", time_zone="UTC")
    contact = sf.Contact.create({"LastName": "Long" * 10, "MobilePhone": "+1 415 555 0188"})["id"]
    day = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    ingest(store, *[message(n, "+14155550188", day + timedelta(seconds=n), "z" * 1_900) for n in range(40)])
    sync_once(store, org, now=NOW)
    notes = sf.query_all(f"SELECT Id, Title, Body FROM Note WHERE ParentId = '{contact}' ORDER BY Title")["records"]
    assert len(notes) == 1 and len(notes[0]["Title"]) <= NAME_LIMIT and len(notes[0]["Body"]) <= BODY_LIMIT
    assert notes[0]["Body"].endswith("more characters: the whole day is in the record's Transcript field.")
    first_body = notes[0]["Body"]

    # The answer to the creates was lost: the ledger only knows it sent them.
    with store.engine.begin() as connection:
        connection.execute(update(note_ledger).values(note_id=None, body_hash=None, intent_at=NOW))
    ingest(store, message(99, "+14155550188", day + timedelta(minutes=5), "the last word"))
    sync_once(store, org, now=NOW)
    again = sf.query_all(f"SELECT Id, Body FROM Note WHERE ParentId = '{contact}' ORDER BY Title")["records"]
    assert [n["Id"] for n in again] == [n["Id"] for n in notes]  # found, not written twice
    assert again[0]["Body"] != first_body and len(again[0]["Body"]) <= BODY_LIMIT  # one more message to go


def test_the_extra_notes_of_a_day_an_older_version_split_are_deleted(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, label="Sales US", time_zone="UTC")
    contact = sf.Contact.create({"LastName": "Split", "MobilePhone": "+1 415 555 0177"})["id"]
    day = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    ingest(store, message(1, "+14155550177", day, "hello"))
    sync_once(store, org, now=NOW)
    (first,) = sf.query_all(f"SELECT Id, Title FROM Note WHERE ParentId = '{contact}'")["records"]
    old_part = sf.Note.create({"ParentId": contact, "Title": first["Title"] + " (2/2)", "Body": "the old rest"})["id"]
    with store.engine.begin() as connection:
        key = connection.execute(select(note_ledger.c.chat_key)).scalar_one()
        connection.execute(note_ledger.insert().values(chat_key=key, part=2, person_id=contact,
                                                       title=first["Title"] + " (2/2)", note_id=old_part))
    ingest(store, message(2, "+14155550177", day + timedelta(minutes=1), "a later message"))
    sync_once(store, org, now=NOW)
    notes = sf.query_all(f"SELECT Id, Body FROM Note WHERE ParentId = '{contact}'")["records"]
    assert [n["Id"] for n in notes] == [first["Id"]] and notes[0]["Body"].endswith("a later message")
    with store.engine.connect() as connection:
        assert connection.execute(select(note_ledger.c.part)).scalars().all() == [1]
