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

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator, Sequence

from sqlalchemy import update
from sqlalchemy.engine import Connection

from eazybe_tasks.chat_days.messages import (
    ChatDay, DayChoice, affected_chat_days, by_chat, chats_between, undecided_chat_days,
)
from eazybe_tasks.chat_days.planning import Planned, PlannedRecord, plan_chats
from eazybe_tasks.chat_days.record import salesforce_datetime
from eazybe_tasks.matching.shared_refresh import refresh_shared_directory
from eazybe_tasks.salesforce.api_budget import ApiBudgetSpent
from eazybe_tasks.salesforce.bulk_upsert import bulk_upsert, fits
from eazybe_tasks.salesforce.collections_writer import BATCH, RecordOutcome, upsert
from eazybe_tasks.salesforce.org_client import OrgClient
from eazybe_tasks.salesforce.resilient_calls import ApiLimitReached
from eazybe_tasks.store.accounts import Account
from eazybe_tasks.store.business_app import history_window_start
from eazybe_tasks.store.locks import DEFAULT_LEASE, Heartbeat, LeaseLost
from eazybe_tasks.store.schema import accounts
from eazybe_tasks.store.store import Store
from eazybe_tasks.sync import ledger, outcomes
from eazybe_tasks.sync.files import write_files
from eazybe_tasks.sync.notes import write_notes
from eazybe_tasks.sync.run_records import RunReport, finish_run, open_run, syncable_accounts, take_locks
from eazybe_tasks.sync.tally import Tally

DEFAULT_DAYS = 3
DEFAULT_BULK_THRESHOLD = 2_000  # more changed chat-days than this (in one segment) go through Bulk API 2.0
# A run plans and writes its chat-days in segments of about this many messages or records.
SEGMENT_MESSAGES = 100_000
SEGMENT_RECORDS = 20_000
Writer = Callable[[OrgClient, str, str, list], list[RecordOutcome]]
_NOT_WRITTEN = RecordOutcome("", None, None, "NOT_WRITTEN")


@dataclass(frozen=True)
class SyncOptions:
    """What a run is asked to do. Without `window`, a sync of what is new (messages sent in the
    last `days`); with it, a backfill of every chat-day in [start, end). `accounts` (business
    numbers) limits the run to those; `dry_run` plans and reports without writing; each account's
    lock is a `lease` renewed while the run goes on."""

    days: int = DEFAULT_DAYS
    window: tuple[datetime, datetime] | None = None
    accounts: Sequence[str] | None = None
    dry_run: bool = False
    bulk_threshold: int = DEFAULT_BULK_THRESHOLD
    lease: timedelta = DEFAULT_LEASE

    @property
    def mode(self) -> str:
        return "dry_run" if self.dry_run else "backfill" if self.window else "sync"


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime | None = None


def sync_once(store: Store, org: OrgClient, options: SyncOptions = SyncOptions(),
              now: datetime | None = None) -> RunReport:
    """One run; workers on different accounts run side by side. Raises LockHeld when another run
    holds one of the accounts; a run that lost a lock anyway stops before its next write. The
    run's calls are held to the client's share of the org's API allowance."""
    return SyncRun(store, org, options, now or datetime.now(timezone.utc)).execute()


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


class SyncRun:
    """One run's steps over its state: the store, the org, what it was asked, its clock, its
    report, and `_still_ours` (raises LeaseLost; asked before every write)."""

    def __init__(self, store: Store, org: OrgClient, options: SyncOptions, now: datetime) -> None:
        self.store, self.org, self.options, self.now = store, org, options, now
        self.span = Window(*options.window) if options.window else Window(now - timedelta(days=options.days))
        self.report = RunReport(0, options.mode)
        self.stamped: dict[tuple[str, str], str] = {}  # the latest message time each person got in this run
        self._still_ours: Callable[[], None] = lambda: None

    def execute(self) -> RunReport:
        chosen = syncable_accounts(self.store, self.options.accounts)
        leases = take_locks(self.store, chosen, self.options.lease)
        self.report = report = open_run(self.store, self.options.mode, (self.span.start, self.span.end), leases,
                                        self.now)
        status, error = "succeeded", None
        try:
            with self.org.run_budget() as budget, Heartbeat(leases) as heartbeat:
                self._still_ours = heartbeat.check
                try:
                    self._run(chosen)
                finally:
                    report.api_calls, report.api_used, report.api_limit = budget.calls, budget.used, budget.limit
        except (ApiBudgetSpent, ApiLimitReached, LeaseLost) as stop:
            status, report.stop_reason = "stopped", str(stop)[:2000]
        except BaseException as failure:
            status, error = "failed", f"{type(failure).__name__}: {failure}"[:2000]
            raise
        finally:
            finish_run(self.store, report, status, error)
            for lease in leases:
                lease.release()
        return report

    def _run(self, chosen: list[Account]) -> None:
        changed_directory = refresh_shared_directory(self.store, self.org)
        with self.store.engine.connect() as connection:
            chats, checkpoints = self._chat_days(connection, chosen, changed_directory)
        for plans in _segments(plan_chats(self.store, chosen, chats)):
            self._write_segment(plans)
        if self.options.dry_run:
            return
        self._still_ours()
        with self.store.engine.begin() as connection:
            connection.execute(update(accounts).where(accounts.c.id.in_([a.id for a in chosen]))
                               .values(last_synced_at=self.now))
            for account_id, message_pk in checkpoints.items():
                ledger.save_checkpoint(connection, account_id, message_pk)

    def _chat_days(self, connection: Connection, chosen: list[Account],
                   directory_changed: bool) -> tuple[dict[tuple[int, int], DayChoice], dict[int, int]]:
        """(the days to plan of each (account, chat), the checkpoints to save after the run); the
        messages new since the last run are counted in the report."""
        span = self.span
        if span.end is not None:
            window = (span.start, span.end)
            return {(a.id, chat_pk): DayChoice(window=window)
                    for a in chosen for chat_pk in chats_between(connection, a, span.start, span.end)}, {}
        account_ids = [account.id for account in chosen]
        days = ledger.due_chat_days(connection, account_ids, self.now)
        if directory_changed:  # late linking: a new or changed Contact/Lead may claim waiting chat-days
            days |= outcomes.waiting_chat_days(connection, account_ids, span.start.date())
        checkpoints = {}
        for account in chosen:
            mark = ledger.checkpoint(connection, account.id)
            start = min(span.start, history_window_start(connection, account.id) or span.start)
            new = affected_chat_days(connection, account, mark, start)
            days |= new.chat_days | undecided_chat_days(connection, account, mark, start)
            checkpoints[account.id] = new.highest_pk
            self.report.messages += new.count
        return by_chat(days), {} if self.options.dry_run else checkpoints

    def _write_segment(self, plans: list[Planned]) -> None:
        """The changed records of these plans, then their Notes and Files, the people's stamps and
        every message's outcome."""
        report = self.report
        with self.store.engine.connect() as connection:
            known = ledger.written(connection, [p.key.external_id() for plan in plans for p in plan.records])
        report.chat_days += len(plans)
        for plan in plans:
            left_out = {o.outcome for o in outcomes.left_out(plan)}
            report.skipped_do_not_log += outcomes.DO_NOT_LOG in left_out
            report.unmatched += outcomes.UNMATCHED in left_out
        changed = [(plan, p) for plan in plans for p in plan.records
                   if known.get(p.key.external_id(), ledger.Written("", "")).content_hash != p.record.content_hash]
        report.unchanged += sum(len(plan.records) for plan in plans) - len(changed)
        if self.options.dry_run:
            report.would_write += [{**p.record.fields, **self._stamp()} for _, p in changed]
            return
        results = {key: RecordOutcome(key, written.record_id, False) for key, written in known.items()}
        results |= self._write_records(changed)
        in_org = [(p, str(results[p.key.external_id()].record_id)) for plan in plans for p in plan.records
                  if results.get(p.key.external_id(), _NOT_WRITTEN).ok]
        side_writes = self._write_notes_and_files(in_org)
        self._still_ours()
        self._stamp_people([p for _, p in changed if results[p.key.external_id()].ok])
        self._settle(plans, results, side_writes)

    def _stamp(self) -> dict[str, str]:
        return {"Last_Synced_At__c": salesforce_datetime(self.now)}

    def _write_records(self, changed: list[tuple[Planned, PlannedRecord]]) -> dict[str, RecordOutcome]:
        """Salesforce's answer for each changed record, each batch's kept in the ledger at once."""
        results: dict[str, RecordOutcome] = {}
        for writer, chunk in _batches(changed, self.options.bulk_threshold):
            self._still_ours()
            answers = writer(self.org, "WhatsApp_Chat__c", "Chat_Key__c",
                             [{**p.record.fields, **self._stamp()} for _, p in chunk])
            with self.store.engine.begin() as connection:
                ledger.record_outcomes(connection, [(plan.chat_day, planned, answer)
                                                    for (plan, planned), answer in zip(chunk, answers)], self.now)
            for (_, planned), answer in zip(chunk, answers):
                results[planned.key.external_id()] = answer
                self.report.written += answer.ok
                self.report.failed += not answer.ok
        return results

    def _write_notes_and_files(self, in_org: list[tuple[PlannedRecord, str]]) -> list[Tally]:
        """The Notes and Files of the records Salesforce has; what was acknowledged counts even
        when the run stops in the middle."""
        notes, files = Tally(), Tally()
        try:
            self._still_ours()
            write_notes(self.store.engine, self.org, [p for p, _ in in_org], self.now, notes)
            self._still_ours()
            write_files(self.store, self.org, in_org, self.now, files)
        finally:
            self.report.notes_written += notes.acknowledged
            self.report.files_written += files.acknowledged
        return [notes, files]

    def _settle(self, plans: list[Planned], results: dict[str, RecordOutcome], side_writes: list[Tally]) -> None:
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
        self.report.failed += len(failed)
        answers = {**results, **{key: answer for key, (_, _, answer) in failed.items()}}
        with self.store.engine.begin() as connection:
            ledger.record_outcomes(connection, list(failed.values()), self.now)
            decisions = []
            for plan in plans:
                decided = [*outcomes.left_out(plan),
                           *(_message_outcome(connection, planned, answers.get(planned.key.external_id(), _NOT_WRITTEN))
                             for planned in plan.records)]
                self.report.quarantined += sum(o.outcome == outcomes.QUARANTINED for o in decided)
                decisions.append(outcomes.Decision(plan.chat_day, plan.chat, plan.rows, decided))
            outcomes.replace(connection, decisions, self.report.run_id, self.now)

    def _stamp_people(self, written: list[PlannedRecord]) -> None:
        """WhatsApp_Last_Synced__c and WhatsApp_Last_Message_At__c on every Contact and Lead whose
        chat-days were written, and WhatsApp_User_Id__c on those linked by phone to a user whose
        business-scoped id is known (their later phone-less messages then link by it). Upserting by
        Id is an update that a retry can repeat safely; a person deleted meanwhile is refused and
        left out. `stamped` holds the latest message time each person got earlier in the run, so a
        later segment never stamps an earlier one."""
        stamped = self.stamped
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
                {"Id": record_id, "WhatsApp_Last_Synced__c": salesforce_datetime(self.now),
                 **({"WhatsApp_Last_Message_At__c": stamped[(kind, record_id)]} if (kind, record_id) in stamped else {}),
                 **({"WhatsApp_User_Id__c": user_ids[(kind, record_id)]} if (kind, record_id) in user_ids else {})}
                for kind, record_id in sorted(touched) if kind == object_name
            ]
            if records:
                upsert(self.org, object_name, "Id", records)


def _message_outcome(connection: Connection, planned: PlannedRecord, answer: RecordOutcome) -> outcomes.Outcome:
    key = planned.key.external_id()
    if answer.ok:
        return outcomes.Outcome(planned.key.person_id, outcomes.LOGGED, key, answer.record_id)
    attempts = ledger.attempts(connection, key)
    kind = outcomes.QUARANTINED if ledger.quarantined(attempts) else outcomes.PENDING
    return outcomes.Outcome(planned.key.person_id, kind, key, None, answer.error_code)
