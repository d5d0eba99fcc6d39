"""Writing a source's batch into the store: whole or not at all, and never twice.

A batch is one file import, one webhook delivery or one feed file. It is written in a single
transaction together with its ingest-log row, so a crash leaves either everything or nothing, and
a message already stored (same account, same source id) is skipped, so replays are harmless."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cache
from itertools import islice
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import Column, bindparam, case, delete, select, update
from sqlalchemy.engine import Connection, Engine, Row
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from eazybe_tasks.sources.account_facts import AccountFacts
from eazybe_tasks.sources.model import Direction, Message, MessageType, Source, StatusUpdate
from eazybe_tasks.store import business_app
from eazybe_tasks.store.accounts import Account, register_account
from eazybe_tasks.store.blobs import BlobStore
from eazybe_tasks.store.identities import apply_handle_changes, record_users, resolve_chat
from eazybe_tasks.store.schema import attachments, ingests, message_outcomes, messages, participants, statuses

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
    facts: AccountFacts = field(default_factory=AccountFacts)  # users, address book, history progress...
    accounts: Sequence[str] = ()  # business numbers registered in the batch's transaction (an import's own)

    @classmethod
    def of_delivery(
        cls, source: Source, origin: str, raw: bytes,
        messages: Sequence[Message], statuses: Sequence[StatusUpdate], facts: AccountFacts | None = None,
    ) -> "Batch":
        """A pushed delivery (webhook): its body is kept, and the same body twice is stored once."""
        return cls(
            source=source, origin=origin, raw_sha256=hashlib.sha256(raw).hexdigest(), raw=raw,
            messages=messages, statuses=statuses, facts=facts or AccountFacts(),
        )


@dataclass(frozen=True)
class IngestResult:
    ingest_id: int
    messages_seen: int
    messages_added: int
    statuses_added: int
    attachments_added: int = 0  # bytes now stored for attachments of messages stored before without them
    notices_seen: int = 0  # of messages_seen: WhatsApp's own notices (joins, subject changes), events

    def describe(self) -> str:
        """What an import says it read: messages and WhatsApp's notices apart, as the counts in
        Salesforce mean them."""
        notices = f" and {self.notices_seen} WhatsApp notices" if self.notices_seen else ""
        return f"{self.messages_seen - self.notices_seen} messages{notices} read, {self.messages_added} new"


def _chunks(items: Iterable[Message], size: int = CHUNK) -> Iterator[list[Message]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


@cache
def _pairs_query(first: Column, second: Column, *columns: Column) -> Select:
    """Built once per shape: a statement SQLAlchemy has seen before is executed without being
    analysed again, and that analysis is most of what a small query costs."""
    return select(first, second, *columns).where(first == bindparam("first"),
                                                 second.in_(bindparam("seconds", expanding=True)))


def _stored_pairs(connection: Connection, first: Column, second: Column, pairs: Iterable[tuple[Any, Any]],
                  *columns: Column) -> list[Row]:
    """Rows whose (first, second) is one of `pairs`, with `columns` after those two: one query per
    distinct `first`, each an index search (SQLite scans the whole table for a row-value IN)."""
    by_first: dict[Any, list[Any]] = {}
    for key, value in pairs:
        by_first.setdefault(key, []).append(value)
    query = _pairs_query(first, second, *columns)
    found: list[Row] = []
    for key, values in by_first.items():
        found += connection.execute(query, {"first": key, "seconds": values}).all()
    return found


_DELIVERY = select(ingests.c.id).where(ingests.c.source == bindparam("source"), ingests.c.raw_sha256 == bindparam("sha"))
_COUNTS = update(ingests).where(ingests.c.id == bindparam("ingest"))  # sets the columns its parameters name
# A stored status, as a rank: NULL for a status the toolkit does not know, which nothing replaces.
_STORED_RANK = case(STATUS_RANK, value=messages.c.status, else_=None)
# One status applied to its message, if it moves it forward (statement shared by every batch).
_MOVE_FORWARD = (
    update(messages)
    .where(messages.c.account_id == bindparam("account"), messages.c.source_id == bindparam("message"),
           messages.c.status.is_(None) | (_STORED_RANK < bindparam("rank")))
    .values(status=bindparam("new_status"))
)


class _BatchWriter:
    """The state of one batch's transaction: accounts, chats and participants already resolved."""

    def __init__(self, connection: Connection, blobs: BlobStore, ingest_id: int):
        self.connection = connection
        self.blobs = blobs
        self.ingest_id = ingest_id
        self.accounts: dict[str, Account] = {}
        self.chats: dict[tuple[int, str, str | None], int] = {}
        self.participants: set[tuple[int, str]] = set()  # (chat, handle) known to be stored

    def account(self, number: str) -> Account:
        if number not in self.accounts:
            self.accounts[number] = register_account(self.connection, number)
        return self.accounts[number]

    def chat(self, account: Account, message: Message) -> int:
        key = (account.id, message.chat_id, message.user_id)
        if key not in self.chats:
            self.chats[key] = resolve_chat(self.connection, account.id, message)
        return self.chats[key]

    def add_facts(self, facts: AccountFacts, received_at: datetime) -> None:
        """What the batch says besides messages: handle changes after its messages (the old
        handle's chat may be the batch's own), then the Business app's contacts and history."""
        numbers = {n.account_number for n in facts.numbers} | {c.account_number for c in facts.handle_changes}
        numbers |= {e.account_number for e in facts.address_book} | {c.account_number for c in facts.history}
        ids = {number: self.account(number).id for number in sorted(numbers)}
        business_app.record_numbers(self.connection, ids, facts.numbers)
        for number, account_id in ids.items():
            apply_handle_changes(self.connection, account_id,
                                 [c for c in facts.handle_changes if c.account_number == number])
        business_app.record_address_book(self.connection, ids, facts.address_book)
        business_app.record_history(self.connection, ids, facts.history, received_at, self.ingest_id)
        business_app.record_events(self.connection, facts.account_events, self.ingest_id)

    def split(self, chunk: Sequence[Message]) -> tuple[list[Message], list[Message], list[Message]]:
        """(messages not stored yet, edits and deletions of messages already stored, messages
        already stored that bring attachment bytes: a chat's .zip after its .txt); anything else
        already stored, or repeated within the chunk, is dropped as a duplicate."""
        keys = [(self.account(m.account_number).id, m.source_id) for m in chunk]
        stored = {tuple(row) for row in _stored_pairs(self.connection, messages.c.account_id, messages.c.source_id, keys)}
        before = set(stored)
        fresh: list[Message] = []
        revisions: list[Message] = []
        with_bytes: dict[tuple[int, str], Message] = {}
        for key, message in zip(keys, chunk):
            if key not in stored:
                stored.add(key)
                fresh.append(message)
                continue
            if message.edited or message.type is MessageType.DELETED:
                revisions.append(message)
            if key in before and any(a.content is not None or a.media_id for a in message.attachments):
                with_bytes.setdefault(key, message)
        return fresh, revisions, list(with_bytes.values())

    def complete_attachments(self, chunk: Sequence[Message]) -> int:
        """Stores the bytes `chunk` brings for attachments its stored messages lack (omitted, or
        named by a chat's .txt without its media), or the media id to fetch them by (a Business
        app history's media details, after its placeholder); returns how many. A completed message
        is undecided again, as after `revise`, so the next sync rewrites its chat-day."""
        if not chunk:
            return 0
        owners = [(self.account(message.account_number).id, message) for message in chunk]
        message_pks = {
            (row.account_id, row.source_id): row.id
            for row in _stored_pairs(self.connection, messages.c.account_id, messages.c.source_id,
                                     [(account_id, message.source_id) for account_id, message in owners], messages.c.id)
        }
        stored = {
            (row.message_pk, row.position): row
            for row in self.connection.execute(select(attachments).where(
                attachments.c.message_pk.in_(list(message_pks.values()))))
        }
        added = 0
        completed: list[int] = []
        for account_id, message in owners:
            message_pk = message_pks[(account_id, message.source_id)]
            before = added
            for position, attachment in enumerate(message.attachments):
                row = stored.get((message_pk, position))
                if row is not None and (row.sha256 is not None or row.media_id is not None):
                    continue
                if attachment.content is not None:
                    found = {"sha256": self.blobs.put(attachment.content), "size": len(attachment.content)}
                elif attachment.media_id:
                    found = {"media_id": attachment.media_id, "sha256": attachment.sha256}
                else:
                    continue
                values = {
                    **found, "omitted": False,
                    "file_name": (row.file_name if row is not None else None) or attachment.file_name,
                    "mime_type": (row.mime_type if row is not None else None) or attachment.mime_type,
                }
                if row is None:
                    self.connection.execute(attachments.insert().values(
                        message_pk=message_pk, position=position, caption=attachment.caption,
                        **{"media_id": attachment.media_id, **values}))
                else:
                    self.connection.execute(update(attachments).where(attachments.c.id == row.id).values(**values))
                added += 1
            if added > before:
                completed.append(message_pk)
                if message.type is not MessageType.MEDIA:  # a placeholder's details say what it is
                    self.connection.execute(update(messages).where(messages.c.id == message_pk,
                                                                   messages.c.type == MessageType.MEDIA.value)
                                            .values(type=message.type.value, body=message.body))
        if completed:
            self.connection.execute(delete(message_outcomes).where(message_outcomes.c.message_pk.in_(completed)))
        return added

    def revise(self, message: Message) -> None:
        """An edit or a deletion changes the stored message's content, never its time or id; the
        message is undecided again, so the next sync rewrites its chat-day."""
        account = self.account(message.account_number)
        where = (messages.c.account_id == account.id) & (messages.c.source_id == message.source_id)
        self.connection.execute(
            update(messages).where(where).values(body=message.body, type=message.type.value, edited=message.edited)
        )
        self.connection.execute(delete(message_outcomes).where(
            message_outcomes.c.message_pk.in_(select(messages.c.id).where(where))))

    def add_messages(self, fresh: Sequence[Message]) -> None:
        """Stores a chunk's new messages with one statement, in input order (messages sent in the
        same second are read back in id order), after their chats and participants."""
        if not fresh:
            return
        owners = [self.account(message.account_number) for message in fresh]
        chat_pks = [self.chat(account, message) for account, message in zip(owners, fresh)]
        self.add_participants(zip(chat_pks, fresh))
        self.connection.execute(messages.insert(), [
            {
                "account_id": account.id, "chat_pk": chat_pk, "source": message.source.value,
                "source_id": message.source_id, "direction": message.direction.value, "type": message.type.value,
                "sender": message.sender, "sender_name": message.sender_name, "body": message.body,
                "sent_at": message.sent_at, "status": message.status, "edited": message.edited,
                "reply_to": message.reply_to, "raw": message.raw, "ingest_id": self.ingest_id,
            }
            for account, message, chat_pk in zip(owners, fresh, chat_pks)
        ])
        self.add_attachments([(account.id, message) for account, message in zip(owners, fresh) if message.attachments])

    def add_participants(self, senders: Iterable[tuple[int, Message]]) -> None:
        """Each chat's senders once, under the name the first of their messages gives."""
        wanted: dict[tuple[int, str], str | None] = {}
        for chat_pk, message in senders:
            handle = message.sender or message.sender_name
            if handle and (chat_pk, handle) not in self.participants:
                wanted.setdefault((chat_pk, handle), message.sender_name)
        if not wanted:
            return
        stored = {tuple(row) for row in _stored_pairs(self.connection, participants.c.chat_pk, participants.c.handle,
                                                      wanted)}
        new = [{"chat_pk": chat_pk, "handle": handle, "name": name}
               for (chat_pk, handle), name in wanted.items() if (chat_pk, handle) not in stored]
        if new:
            self.connection.execute(participants.insert(), new)
        self.participants.update(wanted)

    def add_attachments(self, owners: list[tuple[int, Message]]) -> None:
        """The attachments of messages just stored: their bytes into the blob store, their rows
        under the messages' ids (read back by source id: one statement stored the messages)."""
        if not owners:
            return
        message_pks = {
            (row.account_id, row.source_id): row.id
            for row in _stored_pairs(self.connection, messages.c.account_id, messages.c.source_id,
                                     [(account_id, message.source_id) for account_id, message in owners], messages.c.id)
        }
        rows = []
        for account_id, message in owners:
            for position, attachment in enumerate(message.attachments):
                sha256, size = attachment.sha256, None
                if attachment.content is not None:
                    sha256, size = self.blobs.put(attachment.content), len(attachment.content)
                rows.append({
                    "message_pk": message_pks[(account_id, message.source_id)], "position": position,
                    "file_name": attachment.file_name, "mime_type": attachment.mime_type, "size": size,
                    "sha256": sha256, "media_id": attachment.media_id, "caption": attachment.caption,
                    "omitted": attachment.omitted,
                })
        self.connection.execute(attachments.insert(), rows)

    def add_statuses(self, updates: Sequence[StatusUpdate]) -> int:
        """Stores the statuses not stored yet and moves their messages forward, in input order;
        returns how many were new."""
        if not updates:
            return 0
        keyed = [((self.account(s.account_number).id, s.source_id), s) for s in updates]
        stored = {
            (row.account_id, row.source_id, row.status)
            for row in _stored_pairs(self.connection, statuses.c.account_id, statuses.c.source_id,
                                     [key for key, _ in keyed], statuses.c.status)
        }
        new: list[tuple[int, StatusUpdate]] = []
        for (account_id, source_id), status in keyed:
            if (account_id, source_id, status.status) not in stored:
                stored.add((account_id, source_id, status.status))
                new.append((account_id, status))
        if not new:
            return 0
        self.connection.execute(statuses.insert(), [
            {"account_id": account_id, "source_id": s.source_id, "recipient": s.recipient, "status": s.status,
             "at": s.at, "errors": list(s.errors) or None, "ingest_id": self.ingest_id}
            for account_id, s in new
        ])
        self.connection.execute(_MOVE_FORWARD, [  # executemany runs them one after the other, in order
            {"account": account_id, "message": s.source_id, "rank": STATUS_RANK.get(s.status, 0),
             "new_status": s.status}
            for account_id, s in new
        ])
        return len(new)


def _earlier_delivery(connection: Connection, batch: Batch, raw_sha256: str) -> int | None:
    """The ingest that already stored this very delivery (webhooks are retried and replayed)."""
    if batch.raw is None:
        return None
    return connection.execute(_DELIVERY, {"source": batch.source.value, "sha": raw_sha256}).scalar()


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
        ingest_id = connection.execute(ingests.insert(), {
            "source": batch.source.value, "origin": batch.origin, "received_at": batch.received_at,
            "raw_sha256": batch.raw_sha256, "raw": batch.raw.decode("utf-8", "replace") if batch.raw is not None else None,
            "messages_seen": 0, "messages_added": 0, "statuses_added": 0,
        }).inserted_primary_key[0]
        writer = _BatchWriter(connection, blobs, ingest_id)
        for number in batch.accounts:
            writer.account(number)
        record_users(connection, batch.facts.users, batch.received_at)
        seen = added = attachments_added = notices = 0
        for chunk in _chunks(batch.messages):
            seen += len(chunk)
            notices += sum(message.direction is Direction.SYSTEM for message in chunk)
            fresh, revisions, with_bytes = writer.split(chunk)
            writer.add_messages(fresh)
            for message in revisions:
                writer.revise(message)
            attachments_added += writer.complete_attachments(with_bytes)
            added += len(fresh)
        statuses_added = writer.add_statuses(batch.statuses)
        writer.add_facts(batch.facts, batch.received_at)
        connection.execute(_COUNTS, {"ingest": ingest_id, "messages_seen": seen, "messages_added": added,
                                     "statuses_added": statuses_added})
    return IngestResult(ingest_id, seen, added, statuses_added, attachments_added, notices)
