"""`cci task run store_status`: what the store holds, per business account."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from eazybe_tasks.tasks.store_task import StoreTask


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"  # type: ignore[attr-defined]


class StoreStatus(StoreTask):
    task_docs = "Shows the accounts in the store with their chats, messages and last activity."

    def _run_task(self) -> None:
        summary = self._open_store().summary()
        table = Table(title="WhatsApp store")
        for column in ("account", "label", "time zone", "chats", "messages", "last message", "last synced",
                       "business app"):
            table.add_column(column)
        for account in summary.accounts:
            last_synced = _when(account.last_synced_at) + (" (offboarded)" if account.offboarded else "")
            table.add_row(
                account.number, account.label or "", account.time_zone, str(account.chats),
                str(account.messages), _when(account.last_message_at), last_synced, account.business_app(),
            )
        Console(width=200).print(table)
        self.logger.info(f"{summary.ingests} ingests, last {_when(summary.last_ingest_at)}")
        self.return_values = {
            "accounts": len(summary.accounts),
            "messages": sum(a.messages for a in summary.accounts),
            "business_app": {a.number: a.business_app() for a in summary.accounts if a.business_app()},
        }
