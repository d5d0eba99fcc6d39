"""`cci task run store_status`: what the store holds, per business account."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from eazybe_tasks.store.refusals import RefusalCount
from eazybe_tasks.tasks.options import StoreTask

REASON_SHOWN = 120  # characters of a refusal's reason in the table; the store keeps more


def _when(value: object) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "never"  # type: ignore[attr-defined]


class StoreStatus(StoreTask):
    task_docs = ("Shows the accounts in the store with their chats, messages and last activity, and the "
                 "deliveries the webhook receiver refused, per status and reason code.")

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
        self._print_refusals(summary.refusals)
        self.return_values = {
            "accounts": len(summary.accounts),
            "messages": sum(a.messages for a in summary.accounts),
            "business_app": {a.number: a.business_app() for a in summary.accounts if a.business_app()},
            "refusals": {f"{r.status} {r.code}": {"last_24h": r.recent, "total": r.total} for r in summary.refusals},
        }

    def _print_refusals(self, refusals: tuple[RefusalCount, ...]) -> None:
        """Why Meta keeps retrying: what the receiver answered other than 200 (the reasons are in
        its log, and in the store's webhook_refusals)."""
        if not refusals:
            self.logger.info("no webhook deliveries refused")
            return
        table = Table(title="Webhook refusals")
        for column in ("status", "code", "last 24 h", "all kept", "last", "last reason"):
            table.add_column(column)
        for refusal in refusals:
            reason = refusal.last_reason if len(refusal.last_reason) <= REASON_SHOWN else \
                refusal.last_reason[:REASON_SHOWN - 1] + "…"
            table.add_row(str(refusal.status), refusal.code, str(refusal.recent), str(refusal.total),
                          _when(refusal.last_at), reason)
        Console(width=200).print(table)
