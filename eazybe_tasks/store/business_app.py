"""What the store keeps of a number on coexistence (the WhatsApp Business app beside the Cloud
API): the ids Meta gives the number, the app's address book, the history sync's progress, the
offboarding events, and the one-time sync requests; and the per-account summary of all of it.

Meta delivers history chunks in any order, and the same chunk twice is the same delivery (stored
once), so progress is read over all chunks kept, never from the last one received."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import Connection

from eazybe_tasks.sources.account_facts import AccountEvent, AddressBookEntry, HistoryChunk, NumberSeen
from eazybe_tasks.store.schema import account_events, accounts, address_book, business_app_requests, history_chunks

OFFBOARDED = frozenset({"ACCOUNT_OFFBOARDED", "PARTNER_REMOVED"})
SYNC_TYPES = ("smb_app_state_sync", "history")


def record_numbers(connection: Connection, account_ids: dict[str, int], seen: Iterable[NumberSeen]) -> None:
    """The number's Graph API id and WABA, kept up to date as deliveries give them."""
    for number in seen:
        values = {key: value for key, value in (("phone_number_id", number.phone_number_id),
                                                ("waba_id", number.waba_id)) if value}
        if values and number.account_number in account_ids:
            connection.execute(update(accounts).where(accounts.c.id == account_ids[number.account_number])
                               .values(**values))


def record_address_book(connection: Connection, account_ids: dict[str, int],
                        entries: Iterable[AddressBookEntry]) -> None:
    """The latest state of each contact: an older event never overwrites a newer one."""
    for entry in entries:
        account_id = account_ids[entry.account_number]
        key = (address_book.c.account_id == account_id) & (address_book.c.phone == entry.phone)
        stored = connection.execute(select(address_book.c.updated_at).where(key)).scalar()
        if stored is not None and stored > entry.at:
            continue
        connection.execute(delete(address_book).where(key))
        connection.execute(address_book.insert().values(account_id=account_id, phone=entry.phone, name=entry.name,
                                                        removed=entry.removed, updated_at=entry.at))


def record_history(connection: Connection, account_ids: dict[str, int], chunks: Iterable[HistoryChunk],
                   received_at: datetime, ingest_id: int) -> None:
    rows = [{"account_id": account_ids[c.account_number], "phase": c.phase, "chunk_order": c.chunk_order,
             "progress": c.progress, "messages": c.messages, "declined": c.declined, "received_at": received_at,
             "ingest_id": ingest_id} for c in chunks]
    if rows:
        connection.execute(history_chunks.insert(), rows)


def record_events(connection: Connection, events: Iterable[AccountEvent], ingest_id: int) -> None:
    rows = [{"waba_id": e.waba_id, "event": e.event, "reason": e.reason, "at": e.at, "ingest_id": ingest_id}
            for e in events]
    if rows:
        connection.execute(account_events.insert(), rows)


def address_book_names(connection: Connection, account_id: int) -> dict[str, str]:
    """Names the seller gave numbers in the Business app (removed contacts left out)."""
    return dict(connection.execute(select(address_book.c.phone, address_book.c.name).where(
        address_book.c.account_id == account_id, address_book.c.removed.is_(False),
        address_book.c.name.is_not(None))).all())


@dataclass(frozen=True)
class Offboarding:
    event: str
    reason: str | None
    at: datetime


def offboarding(connection: Connection, waba_id: str | None) -> Offboarding | None:
    """The account's offboarding, when its WABA's latest event is one (a reconnection ends it)."""
    if waba_id is None:
        return None
    latest = connection.execute(select(account_events).where(account_events.c.waba_id == waba_id)
                                .order_by(account_events.c.at.desc(), account_events.c.id.desc()).limit(1)).first()
    return Offboarding(latest.event, latest.reason, latest.at) if latest and latest.event in OFFBOARDED else None


@dataclass(frozen=True)
class HistoryProgress:
    chunks: int
    messages: int
    phase: int | None  # the furthest phase received
    progress: int | None  # the highest progress received, 0-100
    declined: str | None

    def describe(self) -> str:
        if self.declined:
            return f"history: declined by the business ({self.declined})"
        phase = "" if self.phase is None else f"phase {self.phase}, "
        return f"history: {phase}{self.progress or 0}% ({self.chunks} chunks, {self.messages:,} messages)"


def history_progress(connection: Connection, account_id: int) -> HistoryProgress | None:
    """None when no history delivery has come for the account."""
    row = connection.execute(select(
        func.count(), func.coalesce(func.sum(history_chunks.c.messages), 0), func.max(history_chunks.c.phase),
        func.max(history_chunks.c.progress), func.max(history_chunks.c.declined),
    ).where(history_chunks.c.account_id == account_id)).one()
    return None if row[0] == 0 else HistoryProgress(row[0], int(row[1]), row[2], row[3], row[4])


def requested_syncs(connection: Connection, account_id: int) -> dict[str, datetime]:
    return dict(connection.execute(select(business_app_requests.c.sync_type, business_app_requests.c.requested_at)
                                   .where(business_app_requests.c.account_id == account_id)).all())


def record_request(connection: Connection, account_id: int, sync_type: str, at: datetime, request_id: str | None,
                   days: int | None = None) -> None:
    connection.execute(business_app_requests.insert().values(account_id=account_id, sync_type=sync_type,
                                                             requested_at=at, request_id=request_id, days=days))


def history_window_start(connection: Connection, account_id: int) -> datetime | None:
    """Messages sent since then go to Salesforce: `days` before the history was requested."""
    row = connection.execute(select(business_app_requests.c.requested_at, business_app_requests.c.days).where(
        business_app_requests.c.account_id == account_id, business_app_requests.c.sync_type == "history")).first()
    return None if row is None or not row.days else row.requested_at - timedelta(days=row.days)
