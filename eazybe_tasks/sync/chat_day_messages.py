"""Which chat-days new messages touch, and all the messages of one chat-day, read from the store.

A chat-day is cut in the business account's time zone: a message at 23:30 in Los Angeles belongs
to that evening's record, not to the next UTC day's. A chat-day is always rebuilt from everything
the store has for it, so a retry writes the same thing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.engine import Connection

from eazybe_tasks.store.schema import accounts, attachments, chats, messages


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


def affected_chat_days(connection: Connection, account_id: int, after_message_pk: int,
                       not_before: datetime) -> NewMessages:
    """The account's chat-days of messages stored after `after_message_pk` and sent since `not_before`."""
    rows = connection.execute(
        select(messages.c.id, messages.c.account_id, messages.c.chat_pk, messages.c.sent_at, accounts.c.time_zone)
        .join(accounts, accounts.c.id == messages.c.account_id)
        .where(messages.c.account_id == account_id, messages.c.id > after_message_pk)
    ).all()
    days = {
        ChatDay(row.account_id, row.chat_pk, row.sent_at.astimezone(ZoneInfo(row.time_zone)).date())
        for row in rows if row.sent_at >= not_before
    }
    return NewMessages(days, len(rows), max((row.id for row in rows), default=after_message_pk))


def chat_days_between(connection: Connection, account_ids: list[int], start: datetime, end: datetime) -> set[ChatDay]:
    """Every chat-day of these accounts with a message sent in [start, end): what a backfill writes."""
    rows = connection.execute(
        select(messages.c.account_id, messages.c.chat_pk, messages.c.sent_at, accounts.c.time_zone)
        .join(accounts, accounts.c.id == messages.c.account_id)
        .where(messages.c.sent_at >= start, messages.c.sent_at < end, messages.c.account_id.in_(account_ids))
    ).all()
    return {ChatDay(row.account_id, row.chat_pk, row.sent_at.astimezone(ZoneInfo(row.time_zone)).date()) for row in rows}


def messages_of(connection: Connection, chat_day: ChatDay, zone: str) -> list:
    start, end = day_bounds(chat_day.day, zone)
    return connection.execute(
        select(messages)
        .where(messages.c.chat_pk == chat_day.chat_pk, messages.c.sent_at >= start, messages.c.sent_at < end)
        .order_by(messages.c.sent_at, messages.c.id)
    ).all()


def attachments_of(connection: Connection, message_pks: list[int]) -> dict[int, list]:
    found: dict[int, list] = {}
    if message_pks:
        rows = connection.execute(
            select(attachments).where(attachments.c.message_pk.in_(message_pks)).order_by(attachments.c.position)
        ).all()
        for row in rows:
            found.setdefault(row.message_pk, []).append(row)
    return found


def chat_of(connection: Connection, chat_pk: int):  # type: ignore[no-untyped-def]
    return connection.execute(select(chats).where(chats.c.id == chat_pk)).one()
