"""`cci task run sync_whatsapp --org X`: one sync run, store to org (chat-day records)."""
from __future__ import annotations

from cumulusci.tasks.salesforce import BaseSalesforceApiTask

from eazybe_tasks.salesforce.org_client import client_for_task
from eazybe_tasks.store.store import URL_VARIABLE, open_store
from eazybe_tasks.sync.run import DEFAULT_DAYS, sync_once


class SyncWhatsApp(BaseSalesforceApiTask):
    task_docs = """
    Writes the WhatsApp chat-days that new messages touched, and those whose last write failed,
    as WhatsApp_Chat__c records of the linked Contacts and Leads. Messages older than `days` are
    left alone (the first run of an account logs that window: the initial backfill).
    """
    task_options = {
        "store_url": {"description": f"The store's SQLAlchemy URL (default ${URL_VARIABLE}, else .eazybe/store.db)."},
        "days": {"description": f"How far back messages are logged (default {DEFAULT_DAYS})."},
    }

    def _run_task(self) -> None:
        store = open_store(self.options.get("store_url"))
        report = sync_once(store, self.sf, days=int(self.options.get("days") or DEFAULT_DAYS),
                           refresh_session=client_for_task(self).refresh_session)
        self.logger.info(
            f"run {report.run_id}: {report.chat_days} chat-days touched, {report.written} written, "
            f"{report.unchanged} unchanged, {report.failed} failed, {report.skipped_do_not_log} skipped "
            f"(do not log), {report.unmatched} with no Contact or Lead"
        )
        self.return_values = report.__dict__
