"""Chat-day records as the ledger has them: written (Salesforce acknowledged the current
version), retrying (the last write failed; a later run tries again) or quarantined (it failed
MAX_ATTEMPTS times and is no longer retried until its content changes)."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from eazybe_tasks.audit.frames import frame
from eazybe_tasks.audit.period import Period
from eazybe_tasks.store.schema import accounts, chat_day_ledger, chats, message_outcomes, people
from eazybe_tasks.sync import ledger
from eazybe_tasks.sync.ledger import MAX_ATTEMPTS
from eazybe_tasks.sync.outcomes import PENDING, QUARANTINED

WRITTEN, RETRYING = "written", "retrying"
STATES = (WRITTEN, RETRYING, QUARANTINED)


def _in_period(period: Period) -> ColumnElement:
    return chat_day_ledger.c.day.between(period.start, period.end)


def _state(record_id: str | None, error_code: str | None, attempts: int) -> str | None:
    if error_code is None:
        return WRITTEN if record_id else None
    return QUARANTINED if ledger.quarantined(attempts) else RETRYING


def chat_days_per_day(engine: Engine, period: Period) -> pd.DataFrame:
    """Chat-day records per date and state, every day of the period listed."""
    rows = frame(engine, select(chat_day_ledger.c.day, chat_day_ledger.c.record_id, chat_day_ledger.c.error_code,
                                chat_day_ledger.c.attempts).where(_in_period(period)))
    rows["state"] = [_state(*row) for row in zip(rows["record_id"], rows["error_code"], rows["attempts"])]
    table = pd.crosstab(rows["day"], rows["state"]) if len(rows) else pd.DataFrame()
    return table.reindex(index=period.days, columns=list(STATES), fill_value=0).fillna(0).astype(int).rename_axis(
        index="day", columns=None)


def failures_by_error_code(engine: Engine, period: Period) -> pd.DataFrame:
    """Per Salesforce error code: chat-days retrying and quarantined, the messages waiting on
    them, and one error message as Salesforce wrote it."""
    failed = frame(engine, select(chat_day_ledger.c.error_code, chat_day_ledger.c.attempts,
                                  chat_day_ledger.c.error_message)
                   .where(_in_period(period), chat_day_ledger.c.error_code.is_not(None))
                   .order_by(chat_day_ledger.c.chat_key))
    waiting = frame(engine, select(message_outcomes.c.error_code,
                                   func.count(distinct(message_outcomes.c.message_pk)).label("messages"))
                    .where(message_outcomes.c.day.between(period.start, period.end),
                           message_outcomes.c.outcome.in_((PENDING, QUARANTINED)))
                    .group_by(message_outcomes.c.error_code)).set_index("error_code")["messages"]
    failed["quarantined"] = failed["attempts"] >= MAX_ATTEMPTS
    table = failed.groupby("error_code").agg(
        chat_days=("attempts", "size"), quarantined=("quarantined", "sum"), example=("error_message", "first"))
    table["retrying"] = table["chat_days"] - table["quarantined"]
    table["messages"] = waiting.reindex(table.index, fill_value=0)
    columns = ["chat_days", "retrying", "quarantined", "messages"]
    table[columns] = table[columns].astype(int)
    return table[[*columns, "example"]].sort_values(["chat_days", "error_code"], ascending=[False, True]).reset_index()


def quarantined_records(engine: Engine, period: Period) -> pd.DataFrame:
    """Every quarantined chat-day record: which chat, day and person, and Salesforce's last error."""
    return frame(engine, (
        select(chat_day_ledger.c.chat_key, chat_day_ledger.c.day, accounts.c.number.label("account"),
               chats.c.name.label("chat"), chat_day_ledger.c.person_id, people.c.name.label("person"),
               chat_day_ledger.c.attempts, chat_day_ledger.c.error_code, chat_day_ledger.c.error_message)
        .join_from(chat_day_ledger, accounts, accounts.c.id == chat_day_ledger.c.account_id)
        .join(chats, chats.c.id == chat_day_ledger.c.chat_pk)
        .outerjoin(people, people.c.record_id == chat_day_ledger.c.person_id)
        .where(_in_period(period), chat_day_ledger.c.error_code.is_not(None),
               chat_day_ledger.c.attempts >= MAX_ATTEMPTS)
        .order_by(chat_day_ledger.c.day, chat_day_ledger.c.chat_key)
    ))
