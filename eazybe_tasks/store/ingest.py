"""Writing a source's batch into the store: whole or not at all, and never twice.

A batch is one file import, one webhook delivery or one feed file. It is written in a single
transaction together with its ingest-log row, so a crash leaves either everything or nothing, and
a message already stored (same account, same source id) is skipped, so replays are harmless."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Iterator, Sequence

from sqlalchemy import and_, select, tuple_, update
from sqlalchemy.engine import Connection, Engine

from eazybe_tasks.sources.model import Message, Source, StatusUpdate
from eazybe_tasks.store.accounts import Account, register_account
from eazybe_tasks.store.blobs import BlobStore
from eazybe_tasks.store.schema import attachments, chats, ingests, messages, participants, statuses

CHUNK = 500
# A later status never moves a message back: read after delivered stays read.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 5, "deleted": 6}


@dataclass
class Batch:
    source: Source
    origin: str
    raw: bytes  # the input as received: its hash identifies the delivery
    messages: Sequence[Message] = ()
    statuses: Sequence[StatusUpdate] = ()
    keep_raw: bool = False  # webhook bodies are kept verbatim; files are not copied
    received_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))


@dataclass(frozen=True)
class IngestResult:
    ingest_id: int
    messages_seen: int
    messages_added: int
    statuses_added: int


def _chunks(items: Sequence, size: int = CHUNK) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class _BatchWriter:
    """The state of one batch's transaction: accounts and chats already resolved."""

    def __init__(self, connection: Connection, blobs: BlobStore, ingest_id: int):
        self.connection = connection
        self.blobs = blobs
        self.ingest_id = ingest_id
        self.accounts: dict[str, Account] = {}
        self.chats: dict[tuple[int, str], int] = {}

    def account(self, number: str) -> Account:
        if number not in self.accounts:
            self.accounts[number] = register_account(self.connection, number)
        return self.accounts[number]

    def chat(self, account: Account, message: Message) -> int:
        key = (account.id, message.chat_id)
        if key not in self.chats:
            found = self.connection.execute(
                select(chats.c.id, chats.c.name).where(
                    chats.c.account_id == account.id, chats.c.chat_id == message.chat_id
                )
            ).first()
            if found is None:
                self.chats[key] = self.connection.execute(
                    chats.insert().values(
                        account_id=account.id, chat_id=message.chat_id,
                        is_group=message.is_group, name=message.chat_name,
                    )
                ).inserted_primary_key[0]
            else:
                self.chats[key] = found.id
                if message.chat_name and message.chat_name != found.name:
                    self.connection.execute(
                        update(chats).where(chats.c.id == found.id).values(name=message.chat_name)
                    )
        return self.chats[key]

    def participant(self, chat_pk: int, message: Message) -> None:
        handle = message.sender or message.sender_name
        if not handle:
            return
        exists = self.connection.execute(
            select(participants.c.id).where(
                participants.c.chat_pk == chat_pk, participants.c.handle == handle
            )
        ).first()
        if exists is None:
            self.connection.execute(
                participants.insert().values(chat_pk=chat_pk, handle=handle, name=message.sender_name)
            )

    def new_messages(self, chunk: Sequence[Message]) -> list[Message]:
        """The messages of `chunk` not stored yet (nor earlier in the same chunk)."""
        keys = [(self.account(m.account_number).id, m.source_id) for m in chunk]
        stored = set(
            self.connection.execute(
                select(messages.c.account_id, messages.c.source_id).where(
                    tuple_(messages.c.account_id, messages.c.source_id).in_(keys)
                )
            ).all()
        )
        fresh: list[Message] = []
        for key, message in zip(keys, chunk):
            if key not in stored:
                stored.add(key)
                fresh.append(message)
        return fresh

    def add_message(self, message: Message) -> None:
        account = self.account(message.account_number)
        chat_pk = self.chat(account, message)
        self.participant(chat_pk, message)
        message_pk = self.connection.execute(
            messages.insert().values(
                account_id=account.id, chat_pk=chat_pk, source=message.source.value,
                source_id=message.source_id, direction=message.direction.value,
                type=message.type.value, sender=message.sender, sender_name=message.sender_name,
                body=message.body, sent_at=message.sent_at, status=message.status,
                edited=message.edited, reply_to=message.reply_to, raw=message.raw,
                ingest_id=self.ingest_id,
            )
        ).inserted_primary_key[0]
        for position, attachment in enumerate(message.attachments):
            sha256, size = attachment.sha256, None
            if attachment.content is not None:
                sha256, size = self.blobs.put(attachment.content), len(attachment.content)
            self.connection.execute(
                attachments.insert().values(
                    message_pk=message_pk, position=position, file_name=attachment.file_name,
                    mime_type=attachment.mime_type, size=size, sha256=sha256,
                    media_id=attachment.media_id, caption=attachment.caption,
                    omitted=attachment.omitted,
                )
            )

    def add_status(self, status: StatusUpdate) -> bool:
        account = self.account(status.account_number)
        exists = self.connection.execute(
            select(statuses.c.id).where(
                statuses.c.account_id == account.id,
                statuses.c.source_id == status.source_id,
                statuses.c.status == status.status,
            )
        ).first()
        if exists is not None:
            return False
        self.connection.execute(
            statuses.insert().values(
                account_id=account.id, source_id=status.source_id, recipient=status.recipient,
                status=status.status, at=status.at, errors=list(status.errors) or None,
                ingest_id=self.ingest_id,
            )
        )
        lower = [s for s, rank in STATUS_RANK.items() if rank < STATUS_RANK.get(status.status, 0)]
        self.connection.execute(
            update(messages)
            .where(
                and_(messages.c.account_id == account.id, messages.c.source_id == status.source_id),
                (messages.c.status.is_(None)) | (messages.c.status.in_(lower)),
            )
            .values(status=status.status)
        )
        return True


def ingest(engine: Engine, blobs: BlobStore, batch: Batch) -> IngestResult:
    """Stores `batch` in one transaction and logs it; returns what was new."""
    with engine.begin() as connection:
        ingest_id = connection.execute(
            ingests.insert().values(
                source=batch.source.value, origin=batch.origin, received_at=batch.received_at,
                raw_sha256=hashlib.sha256(batch.raw).hexdigest(),
                raw=batch.raw.decode("utf-8", "replace") if batch.keep_raw else None,
                messages_seen=len(batch.messages), messages_added=0, statuses_added=0,
            )
        ).inserted_primary_key[0]
        writer = _BatchWriter(connection, blobs, ingest_id)
        added = 0
        for chunk in _chunks(batch.messages):
            for message in writer.new_messages(chunk):
                writer.add_message(message)
                added += 1
        statuses_added = sum(writer.add_status(status) for status in batch.statuses)
        connection.execute(
            update(ingests).where(ingests.c.id == ingest_id)
            .values(messages_added=added, statuses_added=statuses_added)
        )
    return IngestResult(ingest_id, len(batch.messages), added, statuses_added)
