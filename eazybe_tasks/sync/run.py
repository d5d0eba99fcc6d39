"""One sync run: refresh the directory, find the chat-days to write (new messages, earlier
failures whose wait is over, and chat-days a directory change may now link), rebuild them from the
store, write the ones whose content changed, then their Notes and Files, stamp the people, record
every message's outcome, and only then move the checkpoint. A large backlog (a backfill of a
million messages) goes through those steps in segments, chat by chat, so a run's memory does not
grow with what it writes; the checkpoint still moves once, after the last segment.

If the run stops anywhere (a kill, a spent API budget, a server down), the checkpoint has not
moved and the next run plans the same chat-days again: those Salesforce already has are unchanged
by hash and skipped, upserts by Chat_Key__c make a repeat harmless, and Notes and Files settle
their recorded intents before sending anything. One run at a time per account: the store's
"sync:<number>" locks (runs on different accounts may go side by side)."""
from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator, Sequence

from simple_salesforce import Salesforce
from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from eazybe_tasks.chat_days.record import salesforce_datetime
from eazybe_tasks.matching.directory import PhoneDirectory
from eazybe_tasks.matching.refresh import refresh_directory, stored_people
from eazybe_tasks.salesforce.api_budget import DEFAULT_SHARE, DEFAULT_TIMEOUT_S, ApiBudget, ApiBudgetSpent
from eazybe_tasks.salesforce.bulk_upsert import bulk_upsert, fits
from eazybe_tasks.salesforce.collections_writer import BATCH, RecordOutcome, upsert
from eazybe_tasks.salesforce.resilient_calls import ApiLimitReached, RetryingQueries
from eazybe_tasks.store.accounts import Account
from eazybe_tasks.store.business_app import address_book_names, history_window_start, offboarding
from eazybe_tasks.store.identities import chat_identity
from eazybe_tasks.store.locks import DEFAULT_LEASE, SYNC_LOCK, Heartbeat, Lease, LeaseLost, LockHeld, acquire
from eazybe_tasks.store.schema import accounts, locks, sync_runs
from eazybe_tasks.store.store import Store
from eazybe_tasks.sync import ledger, outcomes
from eazybe_tasks.sync.chat_day_messages import (
    ChatDay, DayChoice, affected_chat_days, by_chat, chat_of, chats_between, days_of_chat, undecided_chat_days,
)
from eazybe_tasks.sync.chat_day_records import ChatParty, Linker, PlannedRecord, plan_records
from eazybe_tasks.sync.files import write_files
from eazybe_tasks.sync.notes import write_notes
from eazybe_tasks.sync.tally import Tally

DEFAULT_DAYS = 3
DIRECTORY_LOCK = "directory"
DIRECTORY_WAIT_S = 300.0  # a run waits this long for another worker's refresh of the shared directory
# The directory's lock is renewed while its refresh goes on: a holder that froze or died frees it
# within this, rather than after a run's whole lease.
DIRECTORY_LEASE = timedelta(seconds=60)
DIRECTORY_POLL_S = 0.2
DEFAULT_BULK_THRESHOLD = 2_000  # more changed chat-days than this (in one segment) go through Bulk API 2.0
# A run plans and writes its chat-days in segments of about this many messages or records.
SEGMENT_MESSAGES = 100_000
SEGMENT_RECORDS = 20_000
Writer = Callable[..., list[RecordOutcome]]


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


@dataclass(frozen=True)
class Planned:
    chat_day: ChatDay
    chat: object
    rows: list
    records: list[PlannedRecord]
    decided: list[outcomes.Outcome]  # what its messages' outcome is when nothing is written


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime | None = None


def _batches(changed: list[tuple[Planned, PlannedRecord]], bulk_threshold: int) -> Iterator[tuple[Writer, list]]:
    """Past the threshold, one Bulk API 2.0 upsert for every record it takes; the rest (and every
    record below the threshold) through Collections, 200 a call, each batch's answers kept at once."""
    rest = changed
    if len(changed) > bulk_threshold:
        in_bulk = [item for item in changed if fits(item[1].record.fields)]
        rest = [item for item in changed if not fits(item[1].record.fields)]
        yield bulk_upsert, in_bulk
    for start in range(0, len(rest), BATCH):
        yield upsert, rest[start:start + BATCH]


def sync_once(store: Store, sf: Salesforce, *, days: int = DEFAULT_DAYS, window: tuple[datetime, datetime] | None = None,
              accounts: Sequence[str] | None = None,
              dry_run: bool = False, api_share: float = DEFAULT_SHARE, bulk_threshold: int = DEFAULT_BULK_THRESHOLD,
              now: datetime | None = None, refresh_session: Callable[[], None] | None = None,
              request_timeout_s: float | None = DEFAULT_TIMEOUT_S, lease: timedelta = DEFAULT_LEASE) -> RunReport:
    """A sync of what is new (messages sent in the last `days`), or with `window` a backfill of
    every chat-day in [start, end). `accounts` (business numbers) limits the run to those; workers
    on different accounts run side by side. `dry_run` plans and reports without writing. Raises
    LockHeld when another run holds one of the accounts. Each account's lock is a `lease` renewed
    while the run goes on; a run that lost one anyway stops before its next write."""
    now = now or datetime.now(timezone.utc)
    mode = "dry_run" if dry_run else "backfill" if window else "sync"
    span = Window(*window) if window else Window(now - timedelta(days=days))
    with store.engine.connect() as connection:
        chosen = [account for account in _accounts(connection, accounts)
                  if offboarding(connection, account.waba_id) is None]  # it left coexistence: data kept, not synced
    leases = _take_locks(store, chosen, lease)
    budget = ApiBudget(api_share, request_timeout_s).attach(sf)
    with store.engine.begin() as connection:
        run_id = connection.execute(sync_runs.insert().values(
            started_at=now, status="running", mode=mode, window_start=span.start, window_end=span.end,
            lock_holders=",".join(lease.holder for lease in leases),
        )).inserted_primary_key[0]
        _close_dead_runs(connection, run_id)
    report = RunReport(run_id, mode)
    status, error = "succeeded", None
    try:
        with Heartbeat(leases) as heartbeat:
            _run(store, sf, report, chosen, span, now, refresh_session, bulk_threshold, dry_run, heartbeat.check)
    except (ApiBudgetSpent, ApiLimitReached, LeaseLost) as stop:
        status, report.stop_reason = "stopped", str(stop)[:2000]
    except BaseException as failure:
        status, error = "failed", f"{type(failure).__name__}: {failure}"[:2000]
        raise
    finally:
        budget.detach()
        report.api_calls, report.api_used, report.api_limit = budget.calls, budget.used, budget.limit
        _finish(store, report, status, error)
        for lease in leases:
            lease.release()
    return report


def lock_name(account_number: str) -> str:
    return f"{SYNC_LOCK}:{account_number}"


def _accounts(connection: Connection, numbers: Sequence[str] | None) -> list[Account]:
    """The accounts this run syncs (all by default), in id order."""
    known = {row.number: Account(**row._mapping) for row in connection.execute(select(accounts)).all()}
    if numbers is None:
        return sorted(known.values(), key=lambda account: account.id)
    unknown = sorted(set(numbers) - set(known))
    if unknown:
        raise ValueError(f"no account with the number {', '.join(unknown)} in the store")
    return sorted((known[number] for number in set(numbers)), key=lambda account: account.id)


def _take_locks(store: Store, chosen: list[Account], lease: timedelta) -> list[Lease]:
    """One lease per account, in a fixed order; all or none."""
    leases: list[Lease] = []
    try:
        for number in sorted(account.number for account in chosen):
            leases.append(acquire(store.engine, lock_name(number), lease))
    except LockHeld:
        for lease in leases:
            lease.release()
        raise
    return leases


def _close_dead_runs(connection: Connection, run_id: int) -> None:
    """Run records still `running` whose locks are all gone (released, or taken over from a
    killed process, by this run say) are of runs that died: marked abandoned, not running forever."""
    live = {row.holder for row in connection.execute(select(locks.c.holder)).all()}
    dead = [row.id for row in connection.execute(
        select(sync_runs.c.id, sync_runs.c.lock_holders).where(sync_runs.c.status == "running", sync_runs.c.id != run_id)
    ).all() if not live & set((row.lock_holders or "").split(","))]
    if dead:
        connection.execute(update(sync_runs).where(sync_runs.c.id.in_(dead), sync_runs.c.status == "running").values(
            status="abandoned", finished_at=datetime.now(timezone.utc),
            error="the run ended without finishing (killed, or its last write failed); its locks were gone"))


def _finish(store: Store, report: RunReport, status: str, error: str | None) -> None:
    with store.engine.begin() as connection:
        connection.execute(update(sync_runs).where(sync_runs.c.id == report.run_id).values(
            status=status, finished_at=datetime.now(timezone.utc), error=error, messages=report.messages,
            chat_days_written=report.written,
            chat_days_failed=report.failed, chat_days_unchanged=report.unchanged, unmatched=report.unmatched,
            skipped_do_not_log=report.skipped_do_not_log, quarantined=report.quarantined,
            notes_written=report.notes_written, files_written=report.files_written, api_calls=report.api_calls,
            api_used=report.api_used, api_limit=report.api_limit, stop_reason=report.stop_reason,
        ))


def _chat_days(connection: Connection, chosen: list[Account], span: Window, now: datetime, directory_changed: bool,
               mode: str) -> tuple[dict[tuple[int, int], DayChoice], dict[int, int], int]:
    """(the days to plan of each (account, chat), the checkpoints to save after the run, messages
    new since the last)."""
    if span.end is not None:
        window = (span.start, span.end)
        return {(a.id, chat_pk): DayChoice(window=window)
                for a in chosen for chat_pk in chats_between(connection, a, span.start, span.end)}, {}, 0
    account_ids = [account.id for account in chosen]
    days = ledger.due_chat_days(connection, account_ids, now)
    if directory_changed:  # late linking: a new or changed Contact/Lead may claim waiting chat-days
        days |= outcomes.waiting_chat_days(connection, account_ids, span.start.date())
    checkpoints, count = {}, 0
    for account in chosen:
        mark = ledger.checkpoint(connection, account.id)
        start = min(span.start, history_window_start(connection, account.id) or span.start)
        new = affected_chat_days(connection, account, mark, start)
        days |= new.chat_days | undecided_chat_days(connection, account, mark, start)
        checkpoints[account.id] = new.highest_pk
        count += new.count
    return by_chat(days), {} if mode == "dry_run" else checkpoints, count


def plan_chat_days(store: Store, connection: Connection, chat_days: set[ChatDay]) -> Iterator[Planned]:
    """The records of these chat-days, as a run plans them (the audit rebuilds what was written
    with it)."""
    return _plan_chats(store, _accounts(connection, None), by_chat(chat_days))


def _plan_chats(store: Store, chosen: list[Account], chats: dict[tuple[int, int], DayChoice]) -> Iterator[Planned]:
    """The chosen chat-days' records, chat by chat: each chat's days are read at once, on a
    connection given back before its plans are used (a run never holds a read open across its
    writes)."""
    people = stored_people(store.engine)
    by_region = {region: Linker(PhoneDirectory.build(people, region))  # accounts of a region share one
                 for region in {account.default_region for account in chosen}}
    by_id = {account.id: account for account in chosen}
    with store.engine.connect() as connection:
        books = {account.id: address_book_names(connection, account.id) for account in chosen}
    for (account_id, chat_pk), choice in sorted(chats.items()):
        account = by_id[account_id]
        with store.engine.connect() as connection:
            chat = chat_of(connection, chat_pk)
            identity = chat_identity(connection, chat)
            found = days_of_chat(connection, chat_pk, choice, account.time_zone)
        party = ChatParty(chat, identity, next((books[account_id][p] for p in identity.phones
                                                if p in books[account_id]), None))
        linker = by_region[account.default_region]
        for day in found:
            chat_day = ChatDay(account_id, chat_pk, day.day)
            records, do_not_log = plan_records(chat_day, party, day.rows, day.files, account, linker)
            records = [_with_transcript_file(store, planned) for planned in records]
            decided = [outcomes.Outcome(link.person.record_id, outcomes.DO_NOT_LOG) for link in do_not_log]
            if not records and not decided:
                decided = [outcomes.Outcome("", outcomes.UNMATCHED)]
            yield Planned(chat_day, chat, day.rows, records, decided)


def _segments(plans: Iterable[Planned]) -> Iterator[list[Planned]]:
    """The plans in consecutive segments of at most about SEGMENT_MESSAGES messages and
    SEGMENT_RECORDS records, each written whole before the next is read: a backlog of any size is
    written with the memory of one segment."""
    segment: list[Planned] = []
    messages = records = 0
    for plan in plans:
        segment.append(plan)
        messages += len(plan.rows)
        records += len(plan.records)
        if messages >= SEGMENT_MESSAGES or records >= SEGMENT_RECORDS:
            yield segment
            segment, messages, records = [], 0, 0
    if segment:
        yield segment


def _with_transcript_file(store: Store, planned: PlannedRecord) -> PlannedRecord:
    """A day Salesforce cannot show whole (over the field's limit, or with a message cut) goes
    whole into a text File on the record."""
    if not planned.record.needs_file:
        return planned
    sha = store.blobs.put(planned.record.full_transcript.encode())
    return replace(planned, files=(*planned.files, (sha, f"{planned.record.fields['Name']}.txt")))


def _refresh(store: Store, sf: Salesforce, refresh_session: Callable[[], None] | None) -> bool:
    """Whether the directory changed. Workers share one directory and refresh it one at a time: a
    run that finds another refreshing waits for it (planning with a directory still being read
    would leave chat-days unmatched: on a new store, all of them), then reads what changed since.
    Only past DIRECTORY_WAIT_S does it go on with the directory as it is. The lock's short lease
    is renewed while the refresh goes on, so only a holder that froze or died makes others wait
    (for DIRECTORY_LEASE at most)."""
    lease = _directory_lease(store)
    if lease is None:
        return False
    try:
        with Heartbeat([lease]):
            return refresh_directory(store.engine, RetryingQueries(sf, refresh_session)).read > 0
    finally:
        lease.release()


def _directory_lease(store: Store) -> Lease | None:
    """The directory's lock once no other worker holds it; None if one still does at the deadline."""
    deadline = time.monotonic() + DIRECTORY_WAIT_S
    while True:
        try:
            return acquire(store.engine, DIRECTORY_LOCK, DIRECTORY_LEASE)
        except LockHeld:
            if time.monotonic() >= deadline:
                return None
            time.sleep(DIRECTORY_POLL_S)


def _run(store: Store, sf: Salesforce, report: RunReport, chosen: list[Account], span: Window, now: datetime,
         refresh_session: Callable[[], None] | None, bulk_threshold: int, dry_run: bool,
         still_ours: Callable[[], None]) -> None:
    """The run's work; `still_ours` raises LeaseLost, and is asked before every write."""
    changed_directory = _refresh(store, sf, refresh_session)
    with store.engine.connect() as connection:
        chats, checkpoints, report.messages = _chat_days(connection, chosen, span, now, changed_directory,
                                                         report.mode)
    stamped: dict[tuple[str, str], str] = {}
    for plans in _segments(_plan_chats(store, chosen, chats)):
        _write_segment(store, sf, report, plans, now, refresh_session, bulk_threshold, dry_run, stamped, still_ours)
    if dry_run:
        return
    still_ours()
    with store.engine.begin() as connection:
        connection.execute(update(accounts).where(accounts.c.id.in_([a.id for a in chosen])).values(last_synced_at=now))
        for account_id, message_pk in checkpoints.items():
            ledger.save_checkpoint(connection, account_id, message_pk)


def _write_segment(store: Store, sf: Salesforce, report: RunReport, plans: list[Planned], now: datetime,
                   refresh_session: Callable[[], None] | None, bulk_threshold: int, dry_run: bool,
                   stamped: dict[tuple[str, str], str], still_ours: Callable[[], None]) -> None:
    """The changed records of these plans, then their Notes and Files, the people's stamps and
    every message's outcome."""
    with store.engine.connect() as connection:
        known = ledger.written(connection, [p.key.external_id() for plan in plans for p in plan.records])
    report.chat_days += len(plans)
    report.skipped_do_not_log += sum(any(o.outcome == outcomes.DO_NOT_LOG for o in plan.decided) for plan in plans)
    report.unmatched += sum(any(o.outcome == outcomes.UNMATCHED for o in plan.decided) for plan in plans)
    changed = [(plan, p) for plan in plans for p in plan.records
               if known.get(p.key.external_id(), ledger.Written("", "")).content_hash != p.record.content_hash]
    report.unchanged += sum(len(plan.records) for plan in plans) - len(changed)
    stamp = {"Last_Synced_At__c": salesforce_datetime(now)}
    if dry_run:
        report.would_write += [{**p.record.fields, **stamp} for _, p in changed]
        return
    results: dict[str, RecordOutcome] = dict(_known_outcomes(known))
    for writer, chunk in _batches(changed, bulk_threshold):
        still_ours()
        answers = writer(sf, "WhatsApp_Chat__c", "Chat_Key__c", [{**p.record.fields, **stamp} for _, p in chunk],
                         refresh_session=refresh_session)
        with store.engine.begin() as connection:  # each batch's answers are kept at once
            ledger.record_outcomes(connection, [(plan.chat_day, planned, answer)
                                                for (plan, planned), answer in zip(chunk, answers)], now)
        for (_, planned), answer in zip(chunk, answers):
            results[planned.key.external_id()] = answer
            report.written += answer.ok
            report.failed += not answer.ok
    in_org = [(p, results[p.key.external_id()].record_id) for plan in plans for p in plan.records
              if results.get(p.key.external_id(), _NOT_WRITTEN).ok]
    notes, files = Tally(), Tally()
    try:  # what was acknowledged counts even when the run stops in the middle
        still_ours()
        write_notes(store.engine, sf, [p for p, _ in in_org], now, notes, refresh_session)
        still_ours()
        write_files(store.engine, store.blobs, sf, in_org, now, files, refresh_session)
    finally:
        report.notes_written += notes.acknowledged
        report.files_written += files.acknowledged
    still_ours()
    _stamp_people(sf, [p for _, p in changed if results[p.key.external_id()].ok], now, refresh_session, stamped)
    _settle(store, plans, results, [notes, files], report, now)


_NOT_WRITTEN = RecordOutcome("", None, None, "NOT_WRITTEN")


def _known_outcomes(known: dict[str, ledger.Written]) -> Iterator[tuple[str, RecordOutcome]]:
    """What Salesforce already has, as if this run had written it (unchanged chat-days)."""
    for key, written in known.items():
        yield key, RecordOutcome(key, written.record_id, False)


def _settle(store: Store, plans: list[Planned], results: dict[str, RecordOutcome], side_writes: list[Tally],
            report: RunReport, now: datetime) -> None:
    """Refused Notes and Files fail their chat-day (so it is retried like a refused record), and
    every planned message gets its outcome."""
    refused: dict[str, tuple[str, str | None]] = {}
    for tally in side_writes:
        for key, reason in tally.refused.items():
            refused.setdefault(key, reason)
    failed: dict[str, tuple[ChatDay, PlannedRecord, RecordOutcome]] = {}  # written, but a Note or File refused
    for plan in plans:
        for planned in plan.records:
            key = planned.key.external_id()
            if results.get(key, _NOT_WRITTEN).ok and key in refused:
                code, message = refused[key]
                failed[key] = (plan.chat_day, planned, RecordOutcome(key, None, None, code[:64], message))
    report.failed += len(failed)
    answers = {**results, **{key: answer for key, (_, _, answer) in failed.items()}}
    with store.engine.begin() as connection:
        ledger.record_outcomes(connection, list(failed.values()), now)
        decisions = []
        for plan in plans:
            decided = [*plan.decided, *(_message_outcome(connection, planned,
                                                         answers.get(planned.key.external_id(), _NOT_WRITTEN))
                                        for planned in plan.records)]
            report.quarantined += sum(o.outcome == outcomes.QUARANTINED for o in decided)
            decisions.append(outcomes.Decision(plan.chat_day, plan.chat, plan.rows, decided))
        outcomes.replace(connection, decisions, report.run_id, now)


def _message_outcome(connection: Connection, planned: PlannedRecord, answer: RecordOutcome) -> outcomes.Outcome:
    key = planned.key.external_id()
    if answer.ok:
        return outcomes.Outcome(planned.key.person_id, outcomes.LOGGED, key, answer.record_id)
    attempts = ledger.attempts(connection, key)
    kind = outcomes.QUARANTINED if ledger.quarantined(attempts) else outcomes.PENDING
    return outcomes.Outcome(planned.key.person_id, kind, key, None, answer.error_code)


def _stamp_people(sf: Salesforce, written: list[PlannedRecord], now: datetime,
                  refresh_session: Callable[[], None] | None, stamped: dict[tuple[str, str], str]) -> None:
    """WhatsApp_Last_Synced__c and WhatsApp_Last_Message_At__c on every Contact and Lead whose
    chat-days were written, and WhatsApp_User_Id__c on those linked by phone to a user whose
    business-scoped id is known (their later phone-less messages then link by it). Upserting by Id
    is an update that a retry can repeat safely; a person deleted meanwhile is refused and left
    out. `stamped` holds the latest message time each person got earlier in the run, so a later
    segment never stamps an earlier one."""
    touched: set[tuple[str, str]] = set()
    user_ids: dict[tuple[str, str], str] = {}
    for planned in written:
        person = (planned.link.person.object_name, planned.link.person.record_id)
        if last := planned.record.fields["Last_Message_At__c"]:  # None: the day had WhatsApp's notices only
            stamped[person] = max(stamped.get(person, ""), last)
        touched.add(person)
        user_id = planned.record.fields.get("WhatsApp_User_Id__c")
        if user_id and planned.link.person.user_id != user_id:
            user_ids[person] = user_id
    for object_name in ("Contact", "Lead"):
        records = [
            {"Id": record_id, "WhatsApp_Last_Synced__c": salesforce_datetime(now),
             **({"WhatsApp_Last_Message_At__c": stamped[(kind, record_id)]} if (kind, record_id) in stamped else {}),
             **({"WhatsApp_User_Id__c": user_ids[(kind, record_id)]} if (kind, record_id) in user_ids else {})}
            for kind, record_id in sorted(touched) if kind == object_name
        ]
        if records:
            upsert(sf, object_name, "Id", records, refresh_session=refresh_session)
