"""`cci task run sync_whatsapp --org X` (one sync run), `backfill_whatsapp` (a window of days
written again) and `refresh_whatsapp_directory` (the phone directory alone): the sync engine as
CumulusCI tasks, on whichever org CumulusCI gives them."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone

from cumulusci.core.exceptions import CumulusCIFailure, TaskOptionsError
from cumulusci.tasks.salesforce import BaseSalesforceApiTask
from rich.console import Console
from rich.table import Table

from eazybe_tasks.matching.refresh import refresh_directory
from eazybe_tasks.salesforce.api_budget import DEFAULT_SHARE
from eazybe_tasks.salesforce.org_client import client_for_task
from eazybe_tasks.store.locks import LockHeld
from eazybe_tasks.sync.run import DEFAULT_BULK_THRESHOLD, DEFAULT_DAYS, SyncOptions, sync_once
from eazybe_tasks.sync.run_records import RunReport
from eazybe_tasks.tasks.options import StoreOption, flag, number

RUN_OPTIONS = {
    **StoreOption.task_options,
    "dry_run": {"description": "Plan and print what would be written, write nothing (default false)."},
    "api_share": {"description": f"Share of the org's daily API allowance one run may use (default {DEFAULT_SHARE})."},
    "bulk_threshold": {"description": "More changed chat-days than this are written with Bulk API 2.0 "
                                      f"(default {DEFAULT_BULK_THRESHOLD})."},
}


class _SyncTask(StoreOption, BaseSalesforceApiTask):
    def _init_options(self, kwargs: dict) -> None:  # type: ignore[type-arg]
        super()._init_options(kwargs)
        self.api_share = number(self.options, "api_share", float, DEFAULT_SHARE)
        self.run_options = SyncOptions(days=number(self.options, "days", int, DEFAULT_DAYS),
                                       dry_run=flag(self.options, "dry_run"),
                                       bulk_threshold=number(self.options, "bulk_threshold", int, DEFAULT_BULK_THRESHOLD))

    def _sync(self, options: SyncOptions) -> RunReport:
        try:
            report = sync_once(self._open_store(), client_for_task(self, api_share=self.api_share), options)
        except LockHeld as busy:
            raise CumulusCIFailure(f"another sync is running: {busy}") from busy
        self.logger.info(
            f"run {report.run_id} ({report.mode}): {report.chat_days} chat-days touched, {report.written} written, "
            f"{report.unchanged} unchanged, {report.failed} failed ({report.quarantined} quarantined), "
            f"{report.skipped_do_not_log} skipped (do not log), {report.unmatched} with no Contact or Lead; "
            f"{report.notes_written} notes, {report.files_written} files; {report.api_calls} API calls"
        )
        if report.stop_reason:
            self.logger.warning(f"stopped early: {report.stop_reason}")
        if report.would_write:
            self._print_preview(report)
        self.return_values = {k: v for k, v in report.__dict__.items() if k != "would_write"}
        return report

    def _print_preview(self, report: RunReport) -> None:
        table = Table(title=f"Dry run: {len(report.would_write)} WhatsApp_Chat__c records would be written")
        for column in ("Name", "Chat_Date__c", "Contact__c / Lead__c", "Message_Count__c", "Attachment_Count__c"):
            table.add_column(column)
        for record in report.would_write:
            table.add_row(record["Name"], record["Chat_Date__c"], record.get("Contact__c") or record.get("Lead__c"),
                          str(record["Message_Count__c"]), str(record["Attachment_Count__c"]))
        Console(width=160).print(table)


class SyncWhatsApp(_SyncTask):
    task_docs = """
    Writes the WhatsApp chat-days that new messages touched (and earlier failures whose wait is
    over, and waiting chat-days a new Contact or Lead now claims) as WhatsApp_Chat__c records of
    the linked Contacts and Leads, with their Notes and Files. Messages older than `days` are left
    alone: an account's first run logs that window (the initial backfill).
    """
    task_options = {**RUN_OPTIONS, "days": {"description": f"How far back messages are logged (default {DEFAULT_DAYS})."}}

    def _run_task(self) -> None:
        self._sync(self.run_options)


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise TaskOptionsError(f"option {option}: expected a date as YYYY-MM-DD, got {value!r}") from error


class BackfillWhatsApp(_SyncTask):
    task_docs = """
    Writes every chat-day with messages in a window again (those Salesforce already has unchanged
    are skipped by hash): `days` back from today, or `start` to `end` (dates, inclusive, UTC).
    The regular sync's checkpoint is left where it is.
    """
    task_options = {
        **RUN_OPTIONS,
        "days": {"description": f"The last N days (default {DEFAULT_DAYS}), when start is not given."},
        "start": {"description": "First day of the window, YYYY-MM-DD."},
        "end": {"description": "Last day of the window, YYYY-MM-DD (default: today)."},
    }

    def _init_options(self, kwargs: dict) -> None:  # type: ignore[type-arg]
        super()._init_options(kwargs)
        end = _day(self.options["end"], "end") if self.options.get("end") else datetime.now(timezone.utc).date()
        start = (_day(self.options["start"], "start") if self.options.get("start")
                 else end - timedelta(days=self.run_options.days - 1))
        if start > end:
            raise TaskOptionsError(f"option start ({start}) is after end ({end})")
        self.window = (datetime.combine(start, time.min, timezone.utc),
                       datetime.combine(end + timedelta(days=1), time.min, timezone.utc))

    def _run_task(self) -> None:
        self._sync(replace(self.run_options, window=self.window))


class RefreshWhatsAppDirectory(StoreOption, BaseSalesforceApiTask):
    task_docs = """
    Reads the Contacts and Leads changed since the last refresh (all of them the first time) into
    the store's phone directory. Sync runs do this first; this task does it alone.
    """
    task_options = dict(StoreOption.task_options)

    def _run_task(self) -> None:
        report = refresh_directory(self._open_store().engine, client_for_task(self))
        self.logger.info(f"{report.read} Contacts and Leads read, {report.removed} removed from the directory")
        self.return_values = report.__dict__
