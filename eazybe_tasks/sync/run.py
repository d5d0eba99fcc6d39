"""One sync run: refresh the directory, find the chat-days new messages touch (and earlier
failures), rebuild them from the store, write the ones whose content changed, record each
outcome, and only then move the checkpoint.

If the run stops anywhere (a kill, a spent API allowance, a server down), the checkpoint has not
moved and the next run does the same work again; upserts by Chat_Key__c make that harmless."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from simple_salesforce import Salesforce
from sqlalchemy import select, update

from eazybe_tasks.chat_days.record import salesforce_datetime
from eazybe_tasks.matching.directory import PhoneDirectory
from eazybe_tasks.matching.refresh import refresh_directory, stored_people
from eazybe_tasks.salesforce.collections_writer import upsert
from eazybe_tasks.salesforce.resilient_calls import RetryingQueries
from eazybe_tasks.store.accounts import Account
from eazybe_tasks.store.schema import accounts, sync_runs
from eazybe_tasks.store.store import Store
from eazybe_tasks.sync import ledger
from eazybe_tasks.sync.chat_day_messages import ChatDay, affected_chat_days, attachments_of, chat_of, messages_of
from eazybe_tasks.sync.chat_day_records import PlannedRecord, plan_records
from eazybe_tasks.sync.files import write_files
from eazybe_tasks.sync.notes import write_notes

DEFAULT_DAYS = 3


@dataclass(frozen=True)
class RunReport:
    run_id: int
    chat_days: int
    written: int
    unchanged: int
    failed: int
    skipped_do_not_log: int
    unmatched: int
    notes_written: int
    files_written: int


def _stamp_people(sf: Salesforce, written: list[PlannedRecord], now: datetime,
                  refresh_session: Callable[[], None] | None) -> None:
    """WhatsApp_Last_Synced__c and WhatsApp_Last_Message_At__c on every Contact and Lead whose
    chat-days were written. Upserting by Id is an update that a retry can repeat safely."""
    latest: dict[tuple[str, str], str] = {}
    for planned in written:
        person = (planned.link.person.object_name, planned.link.person.record_id)
        latest[person] = max(latest.get(person, ""), planned.record.fields["Last_Message_At__c"])
    for object_name in ("Contact", "Lead"):
        records = [
            {"Id": record_id, "WhatsApp_Last_Synced__c": salesforce_datetime(now), "WhatsApp_Last_Message_At__c": last}
            for (kind, record_id), last in sorted(latest.items()) if kind == object_name
        ]
        if records:
            upsert(sf, object_name, "Id", records, refresh_session=refresh_session)


def _finish(store: Store, run_id: int, status: str, **counts: object) -> None:
    with store.engine.begin() as connection:
        connection.execute(update(sync_runs).where(sync_runs.c.id == run_id).values(
            status=status, finished_at=datetime.now(timezone.utc), **counts))


def sync_once(store: Store, sf: Salesforce, *, days: int = DEFAULT_DAYS, now: datetime | None = None,
              refresh_session: Callable[[], None] | None = None) -> RunReport:
    now = now or datetime.now(timezone.utc)
    with store.engine.begin() as connection:
        run_id = connection.execute(sync_runs.insert().values(started_at=now, status="running")).inserted_primary_key[0]
    try:
        return _run(store, sf, run_id, days, now, refresh_session)
    except BaseException as error:
        _finish(store, run_id, "failed", error=f"{type(error).__name__}: {error}"[:2000])
        raise


def _run(store: Store, sf: Salesforce, run_id: int, days: int, now: datetime,
         refresh_session: Callable[[], None] | None) -> RunReport:
    refresh_directory(store.engine, RetryingQueries(sf, refresh_session))
    people = stored_people(store.engine)
    with store.engine.connect() as connection:
        new = affected_chat_days(connection, ledger.checkpoint(connection), now - timedelta(days=days))
        affected = new.chat_days | ledger.failed_chat_days(connection)
        account_rows = {row.id: Account(**row._mapping) for row in connection.execute(select(accounts)).all()}
        directories = {i: PhoneDirectory.build(people, a.default_region) for i, a in account_rows.items()}
        plans: list[tuple[ChatDay, PlannedRecord]] = []
        skipped = unmatched = 0
        for chat_day in sorted(affected, key=lambda d: (d.account_id, d.chat_pk, d.day)):
            account = account_rows[chat_day.account_id]
            rows = messages_of(connection, chat_day, account.time_zone)
            if not rows:
                continue
            chat = chat_of(connection, chat_day.chat_pk)
            files = attachments_of(connection, [row.id for row in rows])
            planned, do_not_log = plan_records(chat_day, chat, rows, files, account, directories[account.id])
            skipped += len(do_not_log)
            unmatched += not planned and not do_not_log
            plans += [(chat_day, p) for p in planned]
        hashes = ledger.written_hashes(connection, [p.key.external_id() for _, p in plans])
    changed = [(d, p) for d, p in plans if hashes.get(p.key.external_id()) != p.record.content_hash]
    records = [{**p.record.fields, "Last_Synced_At__c": salesforce_datetime(now)} for _, p in changed]
    outcomes = upsert(sf, "WhatsApp_Chat__c", "Chat_Key__c", records, refresh_session=refresh_session)
    with store.engine.begin() as connection:
        for (chat_day, planned), outcome in zip(changed, outcomes):
            ledger.record_outcome(connection, chat_day, planned, outcome, now)
        ledger.save_checkpoint(connection, new.highest_pk)
    written = [p for (_, p), o in zip(changed, outcomes) if o.ok]
    notes = write_notes(store.engine, sf, written, now, refresh_session)
    files = write_files(store.engine, store.blobs, sf,
                        [(p, o.record_id) for (_, p), o in zip(changed, outcomes) if o.ok and o.record_id],
                        now, refresh_session)
    _stamp_people(sf, written, now, refresh_session)
    with store.engine.begin() as connection:
        connection.execute(update(accounts).where(accounts.c.id.in_({d.account_id for d, _ in changed}))
                           .values(last_synced_at=now))
    failed = sum(not o.ok for o in outcomes)
    report = RunReport(run_id, len(affected), len(outcomes) - failed, len(plans) - len(changed), failed, skipped,
                       unmatched, notes, files)
    _finish(store, run_id, "succeeded", messages=new.count, chat_days_written=report.written, chat_days_failed=failed)
    return report
