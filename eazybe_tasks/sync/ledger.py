"""The ledger of chat-day records: what Salesforce holds for each Chat_Key__c (record id and
content hash) or why its last write failed. Written only after Salesforce answered."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from eazybe_tasks.salesforce.collections_writer import RecordOutcome
from eazybe_tasks.store.schema import chat_day_ledger, settings
from eazybe_tasks.sync.chat_day_messages import ChatDay
from eazybe_tasks.sync.chat_day_records import PlannedRecord

CHECKPOINT = "sync.checkpoint.message_pk"
MAX_ATTEMPTS = 5  # a chat-day failing this often is quarantined: visible in the audit, not retried


def checkpoint(connection: Connection) -> int:
    value = connection.execute(select(settings.c.value).where(settings.c.key == CHECKPOINT)).scalar()
    return int(value) if value else 0


def save_checkpoint(connection: Connection, message_pk: int) -> None:
    if connection.execute(update(settings).where(settings.c.key == CHECKPOINT).values(value=str(message_pk))).rowcount == 0:
        connection.execute(settings.insert().values(key=CHECKPOINT, value=str(message_pk)))


def written_hashes(connection: Connection, keys: list[str]) -> dict[str, str]:
    """The content hash Salesforce has for each key that was written and has not failed since."""
    if not keys:
        return {}
    rows = connection.execute(
        select(chat_day_ledger.c.chat_key, chat_day_ledger.c.content_hash)
        .where(chat_day_ledger.c.chat_key.in_(keys), chat_day_ledger.c.error_code.is_(None))
    ).all()
    return {row.chat_key: row.content_hash for row in rows if row.content_hash}


def failed_chat_days(connection: Connection) -> set[ChatDay]:
    """Chat-days whose last write failed and that are not quarantined: the next run retries them."""
    rows = connection.execute(
        select(chat_day_ledger.c.account_id, chat_day_ledger.c.chat_pk, chat_day_ledger.c.day)
        .where(chat_day_ledger.c.error_code.is_not(None), chat_day_ledger.c.attempts < MAX_ATTEMPTS)
    ).all()
    return {ChatDay(row.account_id, row.chat_pk, row.day) for row in rows}


def record_outcome(connection: Connection, chat_day: ChatDay, planned: PlannedRecord, outcome: RecordOutcome,
                   at: datetime) -> None:
    key = planned.key.external_id()
    values = (
        {"record_id": outcome.record_id, "content_hash": planned.record.content_hash, "written_at": at,
         "error_code": None, "error_message": None, "attempts": 0}
        if outcome.ok else
        {"error_code": outcome.error_code, "error_message": outcome.error_message,
         "attempts": chat_day_ledger.c.attempts + 1}
    )
    changed = connection.execute(update(chat_day_ledger).where(chat_day_ledger.c.chat_key == key).values(**values))
    if changed.rowcount == 0:
        if not outcome.ok:
            values["attempts"] = 1
        connection.execute(chat_day_ledger.insert().values(
            chat_key=key, account_id=chat_day.account_id, chat_pk=chat_day.chat_pk, day=chat_day.day,
            person_id=planned.key.person_id, **values,
        ))
