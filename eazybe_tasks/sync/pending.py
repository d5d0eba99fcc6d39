"""What the sync still owes Salesforce: messages past the checkpoint, chat-days whose write
failed (waiting for their retry, or quarantined), and Notes or Files sent without a confirmed
answer. Zero everywhere (quarantine aside) means the org holds everything the store has."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from eazybe_tasks.store.schema import accounts, chat_day_ledger, file_ledger, messages, note_ledger
from eazybe_tasks.sync import ledger


@dataclass(frozen=True)
class Pending:
    new_messages: int
    failed_chat_days: int  # will be retried
    quarantined_chat_days: int
    unconfirmed_notes: int
    unconfirmed_files: int

    @property
    def nothing(self) -> bool:
        return not (self.new_messages or self.failed_chat_days or self.unconfirmed_notes or self.unconfirmed_files)


def pending_work(engine: Engine) -> Pending:
    def count(query) -> int:  # type: ignore[no-untyped-def]
        return connection.execute(query).scalar() or 0

    failed = chat_day_ledger.c.error_code.is_not(None)
    with engine.connect() as connection:
        return Pending(
            new_messages=sum(
                count(select(func.count()).select_from(messages).where(
                    messages.c.account_id == account_id, messages.c.id > ledger.checkpoint(connection, account_id)))
                for account_id in connection.execute(select(accounts.c.id)).scalars()
            ),
            failed_chat_days=count(select(func.count()).select_from(chat_day_ledger)
                                   .where(failed, chat_day_ledger.c.attempts < ledger.MAX_ATTEMPTS)),
            quarantined_chat_days=count(select(func.count()).select_from(chat_day_ledger)
                                        .where(failed, chat_day_ledger.c.attempts >= ledger.MAX_ATTEMPTS)),
            unconfirmed_notes=count(select(func.count()).select_from(note_ledger)
                                    .where(note_ledger.c.intent_at.is_not(None), note_ledger.c.note_id.is_(None))),
            unconfirmed_files=count(select(func.count()).select_from(file_ledger).where(
                file_ledger.c.intent_at.is_not(None), file_ledger.c.content_version_id.is_(None),
                file_ledger.c.content_document_id.is_(None))),
        )
