"""The audit's reads of the chat-day ledger (the sync's own reads and writes are in sync/ledger.py):
records written (Salesforce acknowledged the current version), retrying (the last write failed; a
later run tries again) or quarantined (it failed MAX_ATTEMPTS times and is no longer retried until
its content changes), per period or per run."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import and_, distinct, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from eazybe_tasks.audit.frames import frame
from eazybe_tasks.audit.period import Period
from eazybe_tasks.store.schema import accounts, chat_day_ledger, chats, message_outcomes, people, sync_runs
from eazybe_tasks.sync import ledger
from eazybe_tasks.sync.ledger import MAX_ATTEMPTS
from eazybe_tasks.sync.outcomes import LOGGED, PENDING, QUARANTINED

WRITTEN, RETRYING = "written", "retrying"
KEY_CHUNK = 500  # chat keys per IN (...) against the store, within every database's parameter limit
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


def written_in(engine: Engine, period: Period) -> pd.DataFrame:
    """The ledger's written chat-days of the period: acknowledged, and not failed since."""
    return frame(engine, select(chat_day_ledger).where(
        chat_day_ledger.c.day.between(period.start, period.end), chat_day_ledger.c.record_id.is_not(None),
        chat_day_ledger.c.error_code.is_(None)).order_by(chat_day_ledger.c.day, chat_day_ledger.c.chat_key))


def known_keys(engine: Engine, keys: list[str]) -> set[str]:
    """Those of `keys` the ledger has a row for."""
    known: set[str] = set()
    for start in range(0, len(keys), KEY_CHUNK):
        chunk = keys[start:start + KEY_CHUNK]
        known |= set(frame(engine, select(chat_day_ledger.c.chat_key).where(chat_day_ledger.c.chat_key.in_(chunk)))
                     ["chat_key"])
    return known


def _messages() -> object:
    return func.count(distinct(message_outcomes.c.message_pk)).label("messages")


def _chat_name() -> object:
    """The chat's name, or its number or group id where the source gave no name (Cloud API)."""
    return func.coalesce(chats.c.name, chats.c.chat_id)


def _of_run(run_id: int, outcome: str | tuple[str, ...]) -> object:
    chosen = (outcome,) if isinstance(outcome, str) else outcome
    return and_(message_outcomes.c.run_id == run_id, message_outcomes.c.outcome.in_(chosen))


def written_by_run(engine: Engine, run_id: int) -> pd.DataFrame:
    """One row per chat-day record the run sent and Salesforce acknowledged. A run decides the
    outcome of every chat-day it plans, also of those Salesforce already had unchanged; the
    ledger's `written_at` (the run's time) tells the ones this run sent."""
    run = select(sync_runs.c.started_at, sync_runs.c.finished_at).where(sync_runs.c.id == run_id).subquery()
    sent_by_run = and_(chat_day_ledger.c.written_at >= run.c.started_at,
                       func.coalesce(run.c.finished_at, chat_day_ledger.c.written_at) >= chat_day_ledger.c.written_at)
    statement = (
        select(chat_day_ledger.c.day, accounts.c.number.label("account"), _chat_name().label("chat"),
               chats.c.is_group, people.c.object_name, people.c.name.label("person"), _messages(),
               chat_day_ledger.c.record_id, chat_day_ledger.c.chat_key)
        .join_from(message_outcomes, chat_day_ledger, chat_day_ledger.c.chat_key == message_outcomes.c.chat_key)
        .join(run, sent_by_run)
        .join(accounts, accounts.c.id == chat_day_ledger.c.account_id)
        .join(chats, chats.c.id == chat_day_ledger.c.chat_pk)
        .outerjoin(people, people.c.record_id == chat_day_ledger.c.person_id)
        .where(_of_run(run_id, LOGGED))
        .group_by(chat_day_ledger.c.chat_key, chat_day_ledger.c.day, accounts.c.number, chats.c.name, chats.c.chat_id,
                  chats.c.is_group, people.c.object_name, people.c.name, chat_day_ledger.c.record_id)
        .order_by(chat_day_ledger.c.day, accounts.c.number, _chat_name(), people.c.name)
    )
    return frame(engine, statement)


def failed_in_run(engine: Engine, run_id: int) -> pd.DataFrame:
    """Chat-days the run could not write: pending ones are retried by later runs, quarantined ones
    failed too often and wait for someone to look (the audit lists them too)."""
    statement = (
        select(message_outcomes.c.chat_key, message_outcomes.c.outcome, message_outcomes.c.error_code,
               chat_day_ledger.c.error_message, chat_day_ledger.c.attempts, chat_day_ledger.c.next_attempt_at,
               _messages())
        .join_from(message_outcomes, chat_day_ledger, chat_day_ledger.c.chat_key == message_outcomes.c.chat_key,
                   isouter=True)
        .where(_of_run(run_id, (PENDING, QUARANTINED)))
        .group_by(message_outcomes.c.chat_key, message_outcomes.c.outcome, message_outcomes.c.error_code,
                  chat_day_ledger.c.error_message, chat_day_ledger.c.attempts, chat_day_ledger.c.next_attempt_at)
        .order_by(message_outcomes.c.error_code, message_outcomes.c.chat_key)
    )
    return frame(engine, statement)
