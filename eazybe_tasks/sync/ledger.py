"""The ledger of chat-day records: what Salesforce holds for each Chat_Key__c (record id and
content hash) or why its last write failed, and when to try again. Written only after Salesforce
answered.

A failed chat-day is retried on later runs with a growing wait (the first retry at once, then 3,
9, 21... minutes), and after MAX_ATTEMPTS it is quarantined: no more retries, visible in the audit
until its content changes or someone clears it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from eazybe_tasks.chat_days.messages import ChatDay
from eazybe_tasks.chat_days.planning import PlannedRecord
from eazybe_tasks.salesforce.collections_writer import RecordOutcome
from eazybe_tasks.store.schema import chat_day_ledger, settings

CHECKPOINT = "sync.checkpoint.message_pk"
MAX_ATTEMPTS = 5  # a chat-day failing this often is quarantined: visible in the audit, not retried
RETRY_STEP = timedelta(minutes=3)


@dataclass(frozen=True)
class Written:
    record_id: str
    content_hash: str


def next_attempt(tried: int, now: datetime) -> datetime:
    return now + RETRY_STEP * (2 ** (tried - 1) - 1)


def _checkpoint_key(account_id: int) -> str:
    return f"{CHECKPOINT}.{account_id}"


def checkpoint(connection: Connection, account_id: int) -> int:
    """The highest message id this account's runs have finished with (each account has its own,
    so workers syncing different accounts never move each other's)."""
    values = dict(connection.execute(
        select(settings.c.key, settings.c.value).where(settings.c.key.in_([_checkpoint_key(account_id), CHECKPOINT]))
    ).all())
    value = values.get(_checkpoint_key(account_id)) or values.get(CHECKPOINT)  # a store synced as one, before
    return int(value) if value else 0


def save_checkpoint(connection: Connection, account_id: int, message_pk: int) -> None:
    key = _checkpoint_key(account_id)
    if connection.execute(update(settings).where(settings.c.key == key).values(value=str(message_pk))).rowcount == 0:
        connection.execute(settings.insert().values(key=key, value=str(message_pk)))


def written(connection: Connection, keys: list[str]) -> dict[str, Written]:
    """What Salesforce has for each key that was written and has not failed since."""
    found: dict[str, Written] = {}
    for start in range(0, len(keys), 500):
        rows = connection.execute(
            select(chat_day_ledger.c.chat_key, chat_day_ledger.c.record_id, chat_day_ledger.c.content_hash)
            .where(chat_day_ledger.c.chat_key.in_(keys[start:start + 500]), chat_day_ledger.c.error_code.is_(None))
        ).all()
        found.update({row.chat_key: Written(row.record_id, row.content_hash) for row in rows if row.content_hash})
    return found


def due_chat_days(connection: Connection, account_ids: list[int], now: datetime) -> set[ChatDay]:
    """Chat-days whose last write failed, not quarantined, whose wait is over: this run retries them."""
    rows = connection.execute(
        select(chat_day_ledger.c.account_id, chat_day_ledger.c.chat_pk, chat_day_ledger.c.day,
               chat_day_ledger.c.next_attempt_at)
        .where(chat_day_ledger.c.error_code.is_not(None), chat_day_ledger.c.attempts < MAX_ATTEMPTS,
               chat_day_ledger.c.account_id.in_(account_ids))
    ).all()
    return {ChatDay(row.account_id, row.chat_pk, row.day) for row in rows
            if row.next_attempt_at is None or row.next_attempt_at <= now}


def quarantined(tried: int) -> bool:
    return tried >= MAX_ATTEMPTS


def attempts(connection: Connection, chat_key: str) -> int:
    found = connection.execute(select(chat_day_ledger.c.attempts).where(chat_day_ledger.c.chat_key == chat_key)).scalar()
    return found or 0


def _stored_attempts(connection: Connection, keys: list[str]) -> dict[str, int]:
    """The attempts of each key the ledger has a row for."""
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        found.update(connection.execute(
            select(chat_day_ledger.c.chat_key, chat_day_ledger.c.attempts)
            .where(chat_day_ledger.c.chat_key.in_(keys[start:start + 500]))
        ).all())
    return found


def record_outcomes(connection: Connection, answers: Sequence[tuple[ChatDay, PlannedRecord, RecordOutcome]],
                    at: datetime) -> None:
    """Keeps Salesforce's answers for these records (each key once): a success clears an earlier
    failure, a failure counts one more attempt and waits longer. A few statements for all of
    them, not two a record: a backfill keeps tens of thousands of answers."""
    keys = [planned.key.external_id() for _, planned, _ in answers]
    stored = _stored_attempts(connection, keys)
    succeeded: list[dict] = []
    failed: list[dict] = []
    new: list[dict] = []
    for key, (chat_day, planned, outcome) in zip(keys, answers):
        if outcome.ok:
            values: dict = {"record_id": outcome.record_id, "content_hash": planned.record.content_hash,
                            "written_at": at, "error_code": None, "error_message": None, "attempts": 0,
                            "next_attempt_at": None}
        else:
            tried = (stored.get(key) or 0) + 1
            values = {"error_code": outcome.error_code, "error_message": outcome.error_message, "attempts": tried,
                      "next_attempt_at": next_attempt(tried, at)}
        if key in stored:
            (succeeded if outcome.ok else failed).append({"key": key, **values})
        else:
            new.append({"chat_key": key, "account_id": chat_day.account_id, "chat_pk": chat_day.chat_pk,
                        "day": chat_day.day, "person_id": planned.key.person_id, "record_id": None,
                        "content_hash": None, "written_at": None, **values})
    for changes in (succeeded, failed):  # the columns each statement sets are those of its rows
        if changes:
            connection.execute(update(chat_day_ledger).where(chat_day_ledger.c.chat_key == bindparam("key")), changes)
    if new:
        connection.execute(chat_day_ledger.insert(), new)
