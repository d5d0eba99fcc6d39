"""Writing a source's batch into the store: whole or not at all, and never twice.

A batch is one file import, one webhook delivery or one feed file. It is written in a single
transaction together with its ingest-log row, so a crash leaves either everything or nothing, and
a message already stored (same account, same source id) is skipped, so replays are harmless."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from itertools import islice
from typing import Iterable, Iterator, Sequence

from sqlalchemy import and_, select, tuple_, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from eazybe_tasks.sources.model import Message, MessageType, Source, StatusUpdate
from eazybe_tasks.store.accounts import Account, register_account
from eazybe_tasks.store.blobs import BlobStore
from eazybe_tasks.store.schema import attachments, chats, ingests, messages, participants, statuses

CHUNK = 500
INGEST_ATTEMPTS = 3
# A later status never moves a message back: read after delivered stays read.
STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "played": 4, "failed": 5, "deleted": 6}


@dataclass
class Batch:
    source: Source
    origin: str
    raw_sha256: str  # identifies the input: a webhook body's or an export file's hash
    messages: Iterable[Message] = ()  # may be a stream: a large export is never held in memory
    statuses: Sequence[StatusUpdate] = ()
    raw: bytes | None = None  # a webhook body, kept verbatim; files are not copied
    received_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @classmethod
    def of_delivery(
        cls, source: Source, origin: str, raw: bytes,
        messages: Sequence[Message], statuses: Sequence[StatusUpdate],
    ) -> "Batch":
        """A pushed delivery (webhook): its body is kept, and the same body twice is stored once."""
        return cls(
            source=source, origin=origin, raw_sha256=hashlib.sha256(raw).hexdigest(), raw=raw,
            messages=messages, statuses=statuses,
        )


@dataclass(frozen=True)
class IngestResult:
    ingest_id: int
    messages_seen: int
    messages_added: int
    statuses_added: int


def _chunks(items: Iterable[Message], size: int = CHUNK) -> Iterator[list[Message]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


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

    def split(self, chunk: Sequence[Message]) -> tuple[list[Message], list[Message]]:
        """(messages not stored yet, edits and deletions of messages already stored); anything
        else already stored, or repeated within the chunk, is dropped as a duplicate."""
        keys = [(self.account(m.account_number).id, m.source_id) for m in chunk]
        stored = set(
            self.connection.execute(
                select(messages.c.account_id, messages.c.source_id).where(
                    tuple_(messages.c.account_id, messages.c.source_id).in_(keys)
                )
            ).all()
        )
        fresh: list[Message] = []
        revisions: list[Message] = []
        for key, message in zip(keys, chunk):
            if key not in stored:
                stored.add(key)
                fresh.append(message)
            elif message.edited or message.type is MessageType.DELETED:
                revisions.append(message)
        return fresh, revisions

    def revise(self, message: Message) -> None:
        """An edit or a deletion changes the stored message's content, never its time or id."""
        account = self.account(message.account_number)
        self.connection.execute(
            update(messages)
            .where(messages.c.account_id == account.id, messages.c.source_id == message.source_id)
            .values(body=message.body, type=message.type.value, edited=message.edited)
        )

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


def _earlier_delivery(connection: Connection, batch: Batch, raw_sha256: str) -> int | None:
    """The ingest that already stored this very delivery (webhooks are retried and replayed)."""
    if batch.raw is None:
        return None
    return connection.execute(
        select(ingests.c.id).where(
            ingests.c.source == batch.source.value, ingests.c.raw_sha256 == raw_sha256
        )
    ).scalar()


def ingest(engine: Engine, blobs: BlobStore, batch: Batch) -> IngestResult:
    """Stores `batch` in one transaction and logs it; returns what was new.

    Two receivers may store the same delivery at the same moment (Meta retries, several hosts
    answer): the slower transaction then breaks a unique key and is rolled back whole, and a
    repeat finds what the other stored and skips it. A streamed batch (a large export) cannot be
    read twice, so its conflict is raised."""
    for attempt in range(INGEST_ATTEMPTS):
        try:
            return _ingest_once(engine, blobs, batch)
        except IntegrityError:
            if attempt == INGEST_ATTEMPTS - 1 or not isinstance(batch.messages, Sequence):
                raise
    raise AssertionError("unreachable: the last attempt returns or raises")


def _ingest_once(engine: Engine, blobs: BlobStore, batch: Batch) -> IngestResult:
    with engine.begin() as connection:
        earlier = _earlier_delivery(connection, batch, batch.raw_sha256)
        if earlier is not None:
            return IngestResult(earlier, sum(1 for _ in batch.messages), 0, 0)
        ingest_id = connection.execute(
            ingests.insert().values(
                source=batch.source.value, origin=batch.origin, received_at=batch.received_at,
                raw_sha256=batch.raw_sha256,
                raw=batch.raw.decode("utf-8", "replace") if batch.raw is not None else None,
                messages_seen=0, messages_added=0, statuses_added=0,
            )
        ).inserted_primary_key[0]
        writer = _BatchWriter(connection, blobs, ingest_id)
        seen = added = 0
        for chunk in _chunks(batch.messages):
            seen += len(chunk)
            fresh, revisions = writer.split(chunk)
            for message in fresh:
                writer.add_message(message)
            for message in revisions:
                writer.revise(message)
            added += len(fresh)
        statuses_added = sum(writer.add_status(status) for status in batch.statuses)
        connection.execute(
            update(ingests).where(ingests.c.id == ingest_id)
            .values(messages_seen=seen, messages_added=added, statuses_added=statuses_added)
        )
    return IngestResult(ingest_id, seen, added, statuses_added)
