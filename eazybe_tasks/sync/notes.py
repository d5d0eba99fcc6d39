"""Notes & Attachments for Contacts: one classic Note per chat-day and Contact (Title = the
chat-day's name, Body = its transcript, cut past the 32,000-character Note body with a marker
saying where the whole day is). Older versions split a long day into numbered parts: those extra
notes are deleted when their chat-day is next written.

Notes have no external id, so a create is recorded as an intent before it is sent. A run that
finds an intent without a note id (it was killed, or the answer timed out) looks for the note by
parent and title before sending anything again: no note is lost or written twice. An existing
note is updated in place when its transcript changed.

Should two runs ever write the same chat-day at once (a run that outlived its lock), the first
note id the ledger records is the chat-day's note: the ledger takes a created id only where it has
none, and a run whose create lost that race deletes its twin."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.expression import ColumnElement

from eazybe_tasks.chat_days.planning import PlannedRecord
from eazybe_tasks.salesforce.collections_writer import BATCH, RecordOutcome, create, delete, upsert
from eazybe_tasks.salesforce.org_client import OrgClient
from eazybe_tasks.store.schema import note_ledger
from eazybe_tasks.sync.tally import Tally

BODY_LIMIT = 32_000


@dataclass(frozen=True)
class NotePart:
    chat_key: str
    part: int
    parent_id: str
    title: str
    body: str

    @property
    def body_hash(self) -> str:
        return hashlib.sha256(self.body.encode()).hexdigest()


def note_body(planned: PlannedRecord, limit: int = BODY_LIMIT) -> str:
    """The day as Salesforce shows it, whole if it fits a Note; else cut at the last line end that
    leaves room for a marker saying where the rest is."""
    text = planned.record.shown_transcript or planned.record.full_transcript
    if len(text) <= limit:
        return text
    where = "the File on the record" if planned.record.needs_file else "the record's Transcript field"
    marker = f"\n… the day goes on for {{}} more characters: the whole day is in {where}."
    room = limit - len(marker.format(f"{len(text):,}"))
    cut = text.rfind("\n", 0, room)
    head = text[:cut if cut > 0 else room]
    return head + marker.format(f"{len(text) - len(head):,}")


def note_parts(planned: PlannedRecord) -> list[NotePart]:
    """The chat-day's one Note (a list, for the ledger's numbered parts of older versions)."""
    return [NotePart(planned.key.external_id(), 1, planned.key.person_id, planned.record.fields["Name"],
                     note_body(planned))]


def _reconcile(engine: Engine, org: OrgClient) -> None:
    """Unconfirmed intents: find the notes those creates made, by parent and title."""
    with engine.connect() as connection:
        open_intents = connection.execute(
            select(note_ledger).where(note_ledger.c.note_id.is_(None), note_ledger.c.intent_at.is_not(None))
        ).all()
    if not open_intents:
        return
    found: dict[tuple[str, str], str] = {}
    for start in range(0, len(open_intents), 100):
        chunk = open_intents[start:start + 100]
        parents = ",".join(f"'{row.person_id}'" for row in chunk)
        for note in org.query_all(f"SELECT Id, ParentId, Title FROM Note WHERE ParentId IN ({parents})")["records"]:
            found.setdefault((note["ParentId"], note["Title"]), note["Id"])
    with engine.begin() as connection:
        for row in open_intents:
            note_id = found.get((row.person_id, row.title))
            connection.execute(
                update(note_ledger)
                .where(note_ledger.c.chat_key == row.chat_key, note_ledger.c.part == row.part)
                .values(note_id=note_id, intent_at=None if note_id is None else row.intent_at, body_hash=None)
            )


def write_notes(engine: Engine, org: OrgClient, written: list[PlannedRecord], now: datetime, tally: Tally) -> None:
    """Creates or updates the notes of the Contact chat-days Salesforce has; counts in `tally`
    what was acknowledged and, per chat-day, what was refused. Each call's answers are kept (and
    counted) before the next is sent, so a run stopped halfway reports what it did write."""
    _reconcile(engine, org)
    wanted = [part for planned in written if planned.link.person.object_name == "Contact" for part in note_parts(planned)]
    if not wanted:
        return
    _drop_old_parts(engine, org, {part.chat_key for part in wanted})
    with engine.connect() as connection:
        known = {
            (row.chat_key, row.part): row
            for row in connection.execute(
                select(note_ledger).where(note_ledger.c.chat_key.in_({p.chat_key for p in wanted}))
            ).all()
        }
    fresh = [p for p in wanted if (p.chat_key, p.part) not in known or known[(p.chat_key, p.part)].note_id is None]
    changed = [p for p in wanted if (p.chat_key, p.part) in known and known[(p.chat_key, p.part)].note_id
               and known[(p.chat_key, p.part)].body_hash != p.body_hash]
    with engine.begin() as connection:  # the intents, durable before anything is sent
        intents = [{"person_id": part.parent_id, "title": part.title, "intent_at": now} for part in fresh]
        _update_parts(connection, [(part, values) for part, values in zip(fresh, intents)
                                   if (part.chat_key, part.part) in known])
        new = [{"chat_key": part.chat_key, "part": part.part, **values} for part, values in zip(fresh, intents)
               if (part.chat_key, part.part) not in known]
        if new:
            connection.execute(note_ledger.insert(), new)
    for start in range(0, len(fresh), BATCH):
        _create(engine, org, fresh[start:start + BATCH], tally)
    for start in range(0, len(changed), BATCH):
        _update(engine, org, changed[start:start + BATCH], known, tally)


def _drop_old_parts(engine: Engine, org: OrgClient, chat_keys: set[str]) -> None:
    """The notes after the first of chat-days an older version split: deleted from the org (one
    already gone counts as deleted), then from the ledger; a refused delete is tried next time."""
    with engine.connect() as connection:
        old = connection.execute(select(note_ledger.c.chat_key, note_ledger.c.part, note_ledger.c.note_id).where(
            note_ledger.c.chat_key.in_(chat_keys), note_ledger.c.part > 1)).all()
    if not old:
        return
    ids = sorted({row.note_id for row in old if row.note_id})
    deleted = {outcome.key for outcome in delete(org, ids) if outcome.ok} if ids else set()
    gone = [row for row in old if row.note_id is None or row.note_id in deleted]
    with engine.begin() as connection:
        for row in gone:
            connection.execute(note_ledger.delete().where(note_ledger.c.chat_key == row.chat_key,
                                                          note_ledger.c.part == row.part))


def _create(engine: Engine, org: OrgClient, parts: list[NotePart], tally: Tally) -> None:
    """One call's creates; a refused one voids its intent, nothing having been created."""
    created = create(org, "Note", [{"ParentId": p.parent_id, "Title": p.title, "Body": p.body} for p in parts])
    answered = list(zip(parts, created))
    with engine.begin() as connection:
        _update_parts(connection, [(part, _acknowledged(part, outcome)) for part, outcome in answered if outcome.ok],
                      note_ledger.c.note_id.is_(None))
        _update_parts(connection, [(part, {"intent_at": None}) for part, outcome in answered if not outcome.ok],
                      note_ledger.c.note_id.is_(None))
        twins = _twins(connection, [(part, outcome.record_id) for part, outcome in answered if outcome.ok])
    if twins:
        delete(org, sorted(twins))
    _count(tally, [(part, outcome) for part, outcome in answered if outcome.record_id not in twins or not outcome.ok])


def _update(engine: Engine, org: OrgClient, parts: list[NotePart], known: dict[tuple[str, int], Any],
            tally: Tally) -> None:
    """One call's updates of notes whose transcript changed."""
    updated = upsert(org, "Note", "Id",
                     [{"Id": known[(p.chat_key, p.part)].note_id, "Title": p.title, "Body": p.body} for p in parts])
    answered = list(zip(parts, updated))
    with engine.begin() as connection:
        _update_parts(connection, [(part, _acknowledged(part, outcome)) for part, outcome in answered if outcome.ok])
    _count(tally, answered)


def _count(tally: Tally, answered: list[tuple[NotePart, RecordOutcome]]) -> None:
    for part, outcome in answered:
        if outcome.ok:
            tally.acknowledged += 1
        else:
            tally.refuse(part.chat_key, f"Note: {outcome.error_code}", outcome.error_message)


def _acknowledged(part: NotePart, outcome: RecordOutcome) -> dict:
    return {"note_id": outcome.record_id, "body_hash": part.body_hash, "title": part.title}


def _twins(connection: Connection, created: list[tuple[NotePart, str | None]]) -> set[str]:
    """The notes this run created for parts whose ledger row already named another note."""
    if not created:
        return set()
    recorded = {(row.chat_key, row.part): row.note_id for row in connection.execute(
        select(note_ledger.c.chat_key, note_ledger.c.part, note_ledger.c.note_id)
        .where(note_ledger.c.chat_key.in_({part.chat_key for part, _ in created}))).all()}
    return {note_id for part, note_id in created if note_id and recorded.get((part.chat_key, part.part)) != note_id}


def _update_parts(connection: Connection, changes: list[tuple[NotePart, dict]], *condition: ColumnElement) -> None:
    """Sets each part's values (the same columns for all) where `condition` also holds: one
    statement for all the parts, since a backfill writes tens of thousands of notes."""
    if changes:
        connection.execute(
            update(note_ledger).where(note_ledger.c.chat_key == bindparam("key"),
                                      note_ledger.c.part == bindparam("number"), *condition),
            [{"key": part.chat_key, "number": part.part, **values} for part, values in changes],
        )
