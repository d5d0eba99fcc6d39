"""What the store holds, per account: for `store status` and for people checking an import."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, type_coerce
from sqlalchemy.engine import Engine

from eazybe_tasks.store.schema import UtcDateTime, accounts, chats, ingests, messages


@dataclass(frozen=True)
class AccountSummary:
    number: str
    label: str | None
    time_zone: str
    chats: int
    messages: int
    last_message_at: datetime | None
    last_synced_at: datetime | None


@dataclass(frozen=True)
class StoreSummary:
    accounts: list[AccountSummary]
    ingests: int
    last_ingest_at: datetime | None


def summarize(engine: Engine) -> StoreSummary:
    chat_counts = (
        select(chats.c.account_id, func.count().label("n")).group_by(chats.c.account_id).subquery()
    )
    message_stats = (
        select(
            messages.c.account_id,
            func.count().label("n"),
            # Aggregates lose the column type; coerce so SQLite's text comes back as UTC.
            type_coerce(func.max(messages.c.sent_at), UtcDateTime()).label("last"),
        )
        .group_by(messages.c.account_id)
        .subquery()
    )
    query = (
        select(
            accounts.c.number, accounts.c.label, accounts.c.time_zone, accounts.c.last_synced_at,
            func.coalesce(chat_counts.c.n, 0).label("chats"),
            func.coalesce(message_stats.c.n, 0).label("messages"),
            message_stats.c.last,
        )
        .outerjoin(chat_counts, chat_counts.c.account_id == accounts.c.id)
        .outerjoin(message_stats, message_stats.c.account_id == accounts.c.id)
        .order_by(accounts.c.number)
    )
    with engine.connect() as connection:
        rows = connection.execute(query).all()
        ingest_count, last_ingest = connection.execute(
            select(func.count(), type_coerce(func.max(ingests.c.received_at), UtcDateTime()))
        ).one()
    return StoreSummary(
        accounts=[
            AccountSummary(
                number=row.number, label=row.label, time_zone=row.time_zone, chats=row.chats,
                messages=row.messages, last_message_at=row.last,
                last_synced_at=row.last_synced_at,
            )
            for row in rows
        ],
        ingests=ingest_count,
        last_ingest_at=last_ingest,
    )

