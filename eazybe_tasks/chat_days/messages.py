"""Which chat-days new messages touch (or a backfill's window holds), and all the messages of
those chat-days, read from the store a chat at a time.

A chat-day is cut in the business account's time zone: a message at 23:30 in Los Angeles belongs
to that evening's record, not to the next UTC day's. A chat-day is always rebuilt from everything
the store has for it, so a retry writes the same thing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from itertools import groupby
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.engine import Connection
from sqlalchemy.sql import Select

from eazybe_tasks.store.accounts import Account
from eazybe_tasks.store.schema import attachments, chats, message_outcomes, messages


@dataclass(frozen=True)
class ChatDay:
    account_id: int
    chat_pk: int
    day: date


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The UTC instants a local calendar day starts and ends at."""
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time.min, tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


@dataclass(frozen=True)
class NewMessages:
    chat_days: set[ChatDay]
    count: int
    highest_pk: int  # the next checkpoint


STREAM_ROWS = 10_000  # rows fetched at a time when a query reads every message of a backlog


def _local_days(rows: Iterable, zone: str) -> Iterator[tuple[Any, date]]:
    """Each row (with a `sent_at`) and its local day. Rows come in time order, so a run of rows
    on one day costs one time-zone conversion, not one each."""
    tz = ZoneInfo(zone)
    day, start, end = None, None, None
    for row in rows:
        if day is None or not start <= row.sent_at < end:
            day = row.sent_at.astimezone(tz).date()
            start, end = day_bounds(day, zone)
        yield row, day


def _stream(connection: Connection, query: Select) -> Iterable:
    """The rows of a query that may read a whole backlog, fetched a batch at a time."""
    return connection.execution_options(stream_results=True, yield_per=STREAM_ROWS).execute(query)


def affected_chat_days(connection: Connection, account: Account, after_message_pk: int,
                       not_before: datetime) -> NewMessages:
    """The account's chat-days of messages stored after `after_message_pk` and sent since
    `not_before`. The count and the next checkpoint are read first: a message stored meanwhile is
    then past the checkpoint, for the next run, even if its day is planned now."""
    past = (messages.c.account_id == account.id, messages.c.id > after_message_pk)
    count, highest = connection.execute(select(func.count(), func.max(messages.c.id)).where(*past)).one()
    rows = _stream(connection, select(messages.c.chat_pk, messages.c.sent_at)
                   .where(*past, messages.c.sent_at >= not_before).order_by(messages.c.chat_pk, messages.c.sent_at))
    days = {ChatDay(account.id, row.chat_pk, day) for row, day in _local_days(rows, account.time_zone)}
    return NewMessages(days, count, highest or after_message_pk)


def undecided_chat_days(connection: Connection, account: Account, up_to_message_pk: int,
                        not_before: datetime) -> set[ChatDay]:
    """Chat-days of messages at or below the checkpoint that no run has decided: on PostgreSQL a
    transaction may commit a lower id after a run saw a higher one (several receivers, a long
    import), and an edit or a deletion makes a stored message undecided again."""
    decided = select(message_outcomes.c.message_pk).where(message_outcomes.c.message_pk == messages.c.id)
    rows = _stream(connection, select(messages.c.chat_pk, messages.c.sent_at).where(
        messages.c.account_id == account.id, messages.c.id <= up_to_message_pk, messages.c.sent_at >= not_before,
        ~decided.exists()).order_by(messages.c.chat_pk, messages.c.sent_at))
    return {ChatDay(account.id, row.chat_pk, day) for row, day in _local_days(rows, account.time_zone)}


def chats_between(connection: Connection, account: Account, start: datetime, end: datetime) -> list[int]:
    """The account's chats with a message sent in [start, end): the chats a backfill reads. Asked
    chat by chat (each an index search that stops at the first message found), not by reading
    every message of the account."""
    sent_in_window = select(messages.c.id).where(
        messages.c.chat_pk == chats.c.id, messages.c.sent_at >= start, messages.c.sent_at < end)
    return list(connection.execute(
        select(chats.c.id).where(chats.c.account_id == account.id, sent_in_window.exists()).order_by(chats.c.id)
    ).scalars())


@dataclass(frozen=True)
class DayChoice:
    """Which days of one chat a run plans: `days`, or (a backfill) every day with a message
    sent in `window`, found while the chat is read rather than by a pass over the backlog."""

    days: frozenset[date] = frozenset()
    window: tuple[datetime, datetime] | None = None

    def span(self, zone: str) -> tuple[datetime, datetime]:
        """The UTC instants the chosen days lie between."""
        tz = ZoneInfo(zone)
        first, last = (min(self.days), max(self.days)) if self.window is None else (
            self.window[0].astimezone(tz).date(), self.window[1].astimezone(tz).date())
        return day_bounds(first, zone)[0], day_bounds(last, zone)[1]

    def wants(self, day: date, rows: list) -> bool:
        if self.window is None:
            return day in self.days
        start, end = self.window
        return any(start <= row.sent_at < end for row in rows)


def by_chat(chat_days: Iterable[ChatDay]) -> dict[tuple[int, int], DayChoice]:
    """Chat-days as the days chosen of each (account, chat)."""
    days: dict[tuple[int, int], set[date]] = {}
    for chat_day in chat_days:
        days.setdefault((chat_day.account_id, chat_day.chat_pk), set()).add(chat_day.day)
    return {chat: DayChoice(frozenset(chosen)) for chat, chosen in days.items()}


# What a transcript, a record and an outcome read of a message: not its raw payload.
MESSAGE_COLUMNS = (messages.c.id, messages.c.chat_pk, messages.c.source, messages.c.direction, messages.c.type,
                   messages.c.sender, messages.c.sender_name, messages.c.body, messages.c.sent_at, messages.c.edited)


@dataclass(frozen=True)
class DayMessages:
    day: date
    rows: list  # oldest first; messages sent in the same second in the order they were stored
    files: dict[int, list]  # attachments by message id, in position order


def days_of_chat(connection: Connection, chat_pk: int, choice: DayChoice, zone: str) -> list[DayMessages]:
    """The messages of the chosen days of one chat (days cut in the account's time zone), each
    day with its attachments, in day order: one read of the chat's span, however many days. A day
    without messages is left out."""
    start, end = choice.span(zone)
    in_span = (messages.c.chat_pk == chat_pk, messages.c.sent_at >= start, messages.c.sent_at < end)
    rows = connection.execute(
        select(*MESSAGE_COLUMNS).where(*in_span).order_by(messages.c.sent_at, messages.c.id)
    ).all()
    files: dict[int, list] = {}
    for attachment in connection.execute(
        select(attachments).join(messages, messages.c.id == attachments.c.message_pk).where(*in_span)
        .order_by(attachments.c.message_pk, attachments.c.position)
    ).all():
        files.setdefault(attachment.message_pk, []).append(attachment)
    found = []
    for day, pairs in groupby(_local_days(rows, zone), key=lambda pair: pair[1]):
        day_rows = [row for row, _ in pairs]
        if choice.wants(day, day_rows):
            found.append(DayMessages(day, day_rows, {row.id: files[row.id] for row in day_rows if row.id in files}))
    return found


def chat_of(connection: Connection, chat_pk: int):  # type: ignore[no-untyped-def]
    return connection.execute(select(chats).where(chats.c.id == chat_pk)).one()
