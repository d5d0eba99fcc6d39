"""What one sync run did, as tables for the executed sync notebook: the run's record, the
chat-days it wrote, the numbers that matched nobody, the people it kept out and the writes that
failed. Everything comes from the store, so an executed notebook and the audit agree.

A run decides the outcome of every chat-day it plans, also of those Salesforce already had
unchanged; the ledger's `written_at` (the run's time) tells the ones this run sent."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import and_, distinct, func, select
from sqlalchemy.engine import Engine

from eazybe_tasks.audit.frames import frame
from eazybe_tasks.audit.outcome_queries import do_not_log_skips, unmatched_numbers
from eazybe_tasks.audit.run_queries import RUN_COLUMNS
from eazybe_tasks.store.schema import accounts, chat_day_ledger, chats, message_outcomes, people, sync_runs
from eazybe_tasks.sync.outcomes import LOGGED, PENDING, QUARANTINED


@dataclass(frozen=True)
class RunSummary:
    run: pd.DataFrame  # one row: the sync_runs record, API calls included
    written: pd.DataFrame  # chat-day records this run sent to Salesforce
    unmatched: pd.DataFrame  # customer numbers that matched no Contact or Lead
    do_not_log: pd.DataFrame  # people marked WhatsApp Do Not Log whose messages were kept out
    failures: pd.DataFrame  # chat-days whose write Salesforce refused, with its error code


def _messages() -> object:
    return func.count(distinct(message_outcomes.c.message_pk)).label("messages")


def _chat_name() -> object:
    """The chat's name, or its number or group id where the source gave no name (Cloud API)."""
    return func.coalesce(chats.c.name, chats.c.chat_id)


def _of_run(run_id: int, outcome: str | tuple[str, ...]) -> object:
    chosen = (outcome,) if isinstance(outcome, str) else outcome
    return and_(message_outcomes.c.run_id == run_id, message_outcomes.c.outcome.in_(chosen))


def run_record(engine: Engine, run_id: int) -> pd.DataFrame:
    return frame(engine, select(*(sync_runs.c[name] for name in RUN_COLUMNS)).where(sync_runs.c.id == run_id))


def written_chat_days(engine: Engine, run_id: int) -> pd.DataFrame:
    """One row per chat-day record the run sent and Salesforce acknowledged."""
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


def failed_chat_days(engine: Engine, run_id: int) -> pd.DataFrame:
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


def summarize_run(engine: Engine, run_id: int) -> RunSummary:
    return RunSummary(
        run=run_record(engine, run_id),
        written=written_chat_days(engine, run_id),
        unmatched=unmatched_numbers(engine, run_id),
        do_not_log=do_not_log_skips(engine, run_id),
        failures=failed_chat_days(engine, run_id),
    )
