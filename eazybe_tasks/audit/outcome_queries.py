"""What happened to each message of the period (or of one sync run, by its id), from the store's
message outcomes (one row per message and linked person; person '' when the number matched nobody).

A message counts once per outcome it got: a group message logged for one member and skipped for
another who asked not to be logged appears under both."""
from __future__ import annotations

from typing import Sequence

import pandas as pd
from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.sql.elements import ColumnElement

from eazybe_tasks.audit.frames import frame
from eazybe_tasks.audit.period import Period
from eazybe_tasks.store.schema import accounts, address_book, message_outcomes, messages, people
from eazybe_tasks.sync.outcomes import DO_NOT_LOG, LOGGED, PENDING, QUARANTINED, UNMATCHED

OUTCOMES = (LOGGED, PENDING, QUARANTINED, UNMATCHED, DO_NOT_LOG)  # the order of columns and stacks


Scope = Period | int  # the chat-day dates of a period, or the run id of one sync run's decisions


def _in_period(period: Period) -> ColumnElement:
    return message_outcomes.c.day.between(period.start, period.end)


def _in_scope(scope: Scope) -> ColumnElement:
    return message_outcomes.c.run_id == scope if isinstance(scope, int) else _in_period(scope)


def _by_outcome(counted: pd.DataFrame, index: str, rows: Sequence[object]) -> pd.DataFrame:
    """(index, outcome, messages) rows as a table: one row per index value in `rows`, one column per outcome."""
    table = counted.pivot_table(index=index, columns="outcome", values="messages", aggfunc="sum", fill_value=0)
    return table.reindex(index=rows, columns=list(OUTCOMES), fill_value=0).fillna(0).astype(int).rename_axis(
        index=index, columns=None)


def account_name(label: str | None, number: str) -> str:
    return f"{label} ({number})" if label else number


def messages_per_day(engine: Engine, period: Period) -> pd.DataFrame:
    """Messages per chat-day date and outcome, every day of the period listed."""
    counted = frame(engine, select(
        message_outcomes.c.day, message_outcomes.c.outcome,
        func.count(distinct(message_outcomes.c.message_pk)).label("messages"),
    ).where(_in_period(period)).group_by(message_outcomes.c.day, message_outcomes.c.outcome))
    return _by_outcome(counted, "day", period.days)


def messages_per_account(engine: Engine, period: Period) -> pd.DataFrame:
    """Messages per business account and outcome, every registered account listed."""
    counted = frame(engine, select(
        message_outcomes.c.account_id, message_outcomes.c.outcome,
        func.count(distinct(message_outcomes.c.message_pk)).label("messages"),
    ).where(_in_period(period)).group_by(message_outcomes.c.account_id, message_outcomes.c.outcome))
    known = frame(engine, select(accounts.c.id, accounts.c.label, accounts.c.number).order_by(accounts.c.number))
    names = {row.id: account_name(row.label, row.number) for row in known.itertuples()}
    counted["account"] = counted["account_id"].map(names)
    return _by_outcome(counted, "account", list(names.values()))


def unmatched_numbers(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The numbers that matched no Contact or Lead, most messages first: the list an admin works
    through to add or fix Contacts, with the name the seller gave the number in the WhatsApp
    Business app where its address book has one. Messages with no outside number (a group's outbound ones) are
    left out: there is nothing to fix for them."""
    last_seen = func.max(messages.c.sent_at).label("last_seen")
    counted = func.count(distinct(message_outcomes.c.message_pk)).label("messages")
    in_book = ((address_book.c.account_id == message_outcomes.c.account_id)
               & (address_book.c.phone == message_outcomes.c.number) & address_book.c.removed.is_(False))
    statement = (
        select(message_outcomes.c.number, func.max(address_book.c.name).label("name"),
               accounts.c.number.label("account"), counted,
               func.count(distinct(message_outcomes.c.chat_pk)).label("chats"),
               func.min(messages.c.sent_at).label("first_seen"), last_seen)
        .join_from(message_outcomes, messages, messages.c.id == message_outcomes.c.message_pk)
        .join(accounts, accounts.c.id == message_outcomes.c.account_id)
        .outerjoin(address_book, in_book)
        .where(_in_scope(scope), message_outcomes.c.outcome == UNMATCHED, message_outcomes.c.number.is_not(None))
        .group_by(message_outcomes.c.number, accounts.c.number)
        .order_by(counted.desc(), last_seen.desc(), message_outcomes.c.number)
    )
    return frame(engine, statement)


def do_not_log_skips(engine: Engine, scope: Scope) -> pd.DataFrame:
    """The people marked WhatsApp Do Not Log whose messages were kept out, most messages first."""
    counted = func.count(distinct(message_outcomes.c.message_pk)).label("messages")
    statement = (
        select(message_outcomes.c.person_id, people.c.object_name, people.c.name,
               func.max(message_outcomes.c.number).label("number"), counted,
               func.max(messages.c.sent_at).label("last_seen"))
        .join_from(message_outcomes, messages, messages.c.id == message_outcomes.c.message_pk)
        .outerjoin(people, people.c.record_id == message_outcomes.c.person_id)
        .where(_in_scope(scope), message_outcomes.c.outcome == DO_NOT_LOG)
        .group_by(message_outcomes.c.person_id, people.c.object_name, people.c.name)
        .order_by(counted.desc(), message_outcomes.c.person_id)
    )
    return frame(engine, statement)
