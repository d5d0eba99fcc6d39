"""A sync run's record and locks: which accounts it takes (one lease per account, all or none),
its `sync_runs` row opened when it starts and finished with its report when it ends, and the rows
of runs that died (killed, their locks gone) closed as abandoned rather than left running."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Sequence

from sqlalchemy import select, update

from eazybe_tasks.store.accounts import Account, all_accounts
from eazybe_tasks.store.business_app import offboarding
from eazybe_tasks.store.locks import SYNC_LOCK, Lease, LockHeld, acquire
from eazybe_tasks.store.schema import locks, sync_runs
from eazybe_tasks.store.store import Store


@dataclass
class RunReport:
    run_id: int
    mode: str  # sync, backfill or dry_run
    messages: int = 0  # stored since the last run
    chat_days: int = 0
    written: int = 0
    unchanged: int = 0
    failed: int = 0
    quarantined: int = 0
    skipped_do_not_log: int = 0
    unmatched: int = 0
    notes_written: int = 0
    files_written: int = 0
    api_calls: int = 0
    api_used: int | None = None
    api_limit: int | None = None
    stop_reason: str | None = None
    would_write: list[dict] = field(default_factory=list)  # a dry run's records, as they would be sent


def lock_name(account_number: str) -> str:
    return f"{SYNC_LOCK}:{account_number}"


def syncable_accounts(store: Store, numbers: Sequence[str] | None) -> list[Account]:
    """The accounts a run syncs (all by default), in id order, leaving out those that left
    coexistence (their data is kept, not synced)."""
    with store.engine.connect() as connection:
        known = {account.number: account for account in all_accounts(connection)}
        unknown = sorted(set(numbers or ()) - set(known))
        if unknown:
            raise ValueError(f"no account with the number {', '.join(unknown)} in the store")
        return [account for account in known.values() if (numbers is None or account.number in numbers)
                and offboarding(connection, account.waba_id) is None]


def take_locks(store: Store, chosen: list[Account], lease: timedelta) -> list[Lease]:
    """One lease per account, in a fixed order; all or none. Raises LockHeld."""
    leases: list[Lease] = []
    try:
        for number in sorted(account.number for account in chosen):
            leases.append(acquire(store.engine, lock_name(number), lease))
    except LockHeld:
        for lease in leases:
            lease.release()
        raise
    return leases


def open_run(store: Store, mode: str, window: tuple[datetime, datetime | None], leases: list[Lease],
             now: datetime) -> RunReport:
    """The run's record, `running`, with the holders of its locks (how a later run tells it died)."""
    with store.engine.begin() as connection:
        run_id = connection.execute(sync_runs.insert().values(
            started_at=now, status="running", mode=mode, window_start=window[0], window_end=window[1],
            lock_holders=",".join(lease.holder for lease in leases),
        )).inserted_primary_key[0]
        live = {row.holder for row in connection.execute(select(locks.c.holder)).all()}
        dead = [row.id for row in connection.execute(
            select(sync_runs.c.id, sync_runs.c.lock_holders).where(sync_runs.c.status == "running",
                                                                   sync_runs.c.id != run_id)
        ).all() if not live & set((row.lock_holders or "").split(","))]
        if dead:
            connection.execute(update(sync_runs).where(sync_runs.c.id.in_(dead), sync_runs.c.status == "running").values(
                status="abandoned", finished_at=datetime.now(timezone.utc),
                error="the run ended without finishing (killed, or its last write failed); its locks were gone"))
    return RunReport(run_id, mode)


def finish_run(store: Store, report: RunReport, status: str, error: str | None) -> None:
    with store.engine.begin() as connection:
        connection.execute(update(sync_runs).where(sync_runs.c.id == report.run_id).values(
            status=status, finished_at=datetime.now(timezone.utc), error=error, messages=report.messages,
            chat_days_written=report.written,
            chat_days_failed=report.failed, chat_days_unchanged=report.unchanged, unmatched=report.unmatched,
            skipped_do_not_log=report.skipped_do_not_log, quarantined=report.quarantined,
            notes_written=report.notes_written, files_written=report.files_written, api_calls=report.api_calls,
            api_used=report.api_used, api_limit=report.api_limit, stop_reason=report.stop_reason,
        ))
