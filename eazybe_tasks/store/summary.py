"""What the store holds, per account: for `store status` and for people checking an import."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, type_coerce
from sqlalchemy.engine import Engine

from eazybe_tasks.store.business_app import HistoryProgress, Offboarding, history_progress, offboarding
from eazybe_tasks.store.refusals import RefusalCount, count_refusals
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
    history: HistoryProgress | None = None  # the Business app's history sync, when one came
    offboarded: Offboarding | None = None  # the number left coexistence: no longer synced

    def business_app(self) -> str:
        """One line on the account's Business-app side, "" when it has none."""
        parts = [self.history.describe()] if self.history else []
        if self.offboarded:
            reason = f", {self.offboarded.reason}" if self.offboarded.reason else ""
            parts.append(f"offboarded {self.offboarded.at:%Y-%m-%d} ({self.offboarded.event}{reason}): not synced")
        return "; ".join(parts)


@dataclass(frozen=True)
class StoreSummary:
    accounts: list[AccountSummary]
    ingests: int
    last_ingest_at: datetime | None
    refusals: tuple[RefusalCount, ...] = ()  # what the webhook receiver refused, per status and code


def summarize(engine: Engine, now: datetime | None = None) -> StoreSummary:
    """`now` is when the refusals' last 24 hours end (the current time unless given)."""
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
            accounts.c.id, accounts.c.number, accounts.c.label, accounts.c.time_zone, accounts.c.last_synced_at,
            accounts.c.waba_id,
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
        business = {row.id: (history_progress(connection, row.id), offboarding(connection, row.waba_id)) for row in rows}
        ingest_count, last_ingest = connection.execute(
            select(func.count(), type_coerce(func.max(ingests.c.received_at), UtcDateTime()))
        ).one()
        refusals = count_refusals(connection, now)
    return StoreSummary(
        accounts=[
            AccountSummary(
                number=row.number, label=row.label, time_zone=row.time_zone, chats=row.chats,
                messages=row.messages, last_message_at=row.last,
                last_synced_at=row.last_synced_at, history=business[row.id][0], offboarded=business[row.id][1],
            )
            for row in rows
        ],
        ingests=ingest_count,
        last_ingest_at=last_ingest,
        refusals=refusals,
    )

