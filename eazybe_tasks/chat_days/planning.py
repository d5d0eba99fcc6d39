"""Planning chat-days: the records each should have in Salesforce, one per linked person who
may be logged, built from the store (its messages, the chat's identity and the phone directory).
A sync run writes what it plans; the audit plans the same chat-days again to check what Salesforce
holds, so both go through `plan_chats`."""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from typing import Any, Iterable, Iterator
from zoneinfo import ZoneInfo

from eazybe_tasks.chat_days.messages import ChatDay, DayChoice, by_chat, chat_of, days_of_chat
from eazybe_tasks.chat_days.record import ChatDayKey, ChatDayRecord, ChatFacts, build_record
from eazybe_tasks.chat_days.transcript import TranscriptAttachment, TranscriptMessage
from eazybe_tasks.matching.directory import Link, PhoneDirectory
from eazybe_tasks.matching.refresh import stored_people
from eazybe_tasks.sources.model import Direction, MessageType
from eazybe_tasks.store.accounts import Account, all_accounts
from eazybe_tasks.store.business_app import address_book_names
from eazybe_tasks.store.identities import ChatIdentity, chat_identity
from eazybe_tasks.store.store import Store

PERSON_FIELD = {"Contact": "Contact__c", "Lead": "Lead__c"}
MEDIA_KINDS = {t.value for t in (MessageType.IMAGE, MessageType.VIDEO, MessageType.AUDIO, MessageType.VOICE,
                                 MessageType.DOCUMENT, MessageType.STICKER, MessageType.MEDIA)}


@dataclass(frozen=True)
class PlannedRecord:
    link: Link
    key: ChatDayKey
    record: ChatDayRecord
    files: tuple[tuple[str, str], ...] = ()  # (sha256, file name) of the day's downloaded attachments


@dataclass(frozen=True)
class ChatParty:
    """A chat and who it is with, as the store knows them."""

    chat: Any  # the chats row
    identity: ChatIdentity
    book_name: str | None = None  # the name the seller gave the number in the Business app


class Linker:
    """A directory's answers, each number parsed once: a chat's number comes back with every one
    of its days, and parsing it is most of what linking costs."""

    def __init__(self, directory: PhoneDirectory):
        self.by_number = cache(directory.links)
        self.by_user_id = cache(directory.links_by_user_id)

    def people(self, party: ChatParty, rows: list) -> list[Link]:
        """1:1: the people with the customer's WhatsApp user id, else with any of their numbers.
        Group: the people among its senders."""
        chat = party.chat
        if chat.is_group:
            numbers = sorted({row.sender for row in rows if row.sender and row.direction == Direction.INBOUND.value})
        else:
            for user_id in party.identity.user_ids:
                if found := self.by_user_id(user_id):
                    return found
            numbers = list(party.identity.phones or [chat.chat_id])
        links: dict[str, Link] = {}
        for number in numbers:
            for link in self.by_number(number):
                links.setdefault(link.person.record_id, link)
        return list(links.values())


_DIRECTIONS = {direction.value: direction for direction in Direction}  # a dict lookup: Enum(value) costs more
_TYPES = {kind.value: kind for kind in MessageType}


def _transcript_message(row, files: list, account: Account, chat_name: str | None,  # type: ignore[no-untyped-def]
                        is_group: bool, zone: ZoneInfo) -> TranscriptMessage:
    """A 1:1 customer with no profile name is shown by the chat's name (the export's, or the one
    the seller gave them in the Business app) before their bare number."""
    direction = _DIRECTIONS[row.direction]
    if direction is Direction.OUTBOUND:
        sender = account.label or "You"
    elif direction is Direction.SYSTEM:
        sender = None
    else:
        sender = row.sender_name or (row.sender or chat_name if is_group else chat_name or row.sender)
    kind = row.type if row.type in MEDIA_KINDS else "file"
    return TranscriptMessage(
        row.sent_at.astimezone(zone).replace(tzinfo=None), sender, direction, _TYPES[row.type], row.body or "",
        bool(row.edited), tuple(TranscriptAttachment(kind, f.file_name, bool(f.omitted), f.caption) for f in files),
    )


def _quiet_senders(rows: list, linker: Linker) -> set[str]:
    """The group members whose Contact or Lead says WhatsApp Do Not Log (a number one of them
    shares counts): their words stay out of everyone else's transcript and Note too."""
    senders = {row.sender for row in rows if row.sender and row.direction == Direction.INBOUND.value}
    return {sender for sender in senders if any(link.person.do_not_log for link in linker.by_number(sender))}


def _not_logged(row, zone: ZoneInfo) -> TranscriptMessage:  # type: ignore[no-untyped-def]
    """What the others' transcript says in place of a quiet member's message."""
    return TranscriptMessage(row.sent_at.astimezone(zone).replace(tzinfo=None), None, Direction.INBOUND,
                             MessageType.TEXT, "[a participant's message was not logged: they asked not to be]")


def plan_records(
    chat_day: ChatDay, party: ChatParty, rows: list, files: dict[int, list], account: Account, linker: Linker,
) -> tuple[list[PlannedRecord], list[Link]]:
    """(records to write, people skipped because they asked not to be logged)."""
    chat = party.chat
    people = linker.people(party, rows)
    zone = ZoneInfo(account.time_zone)
    chat_name = chat.name or party.book_name
    quiet = _quiet_senders(rows, linker) if chat.is_group else set()
    transcript = [_not_logged(row, zone) if row.sender in quiet else
                  _transcript_message(row, files.get(row.id, []), account, chat_name, bool(chat.is_group), zone)
                  for row in rows]
    times = [row.sent_at for row in rows]
    source = rows[-1].source
    by_bytes: dict[str, str] = {}  # the same bytes sent twice are one file, under its first name
    for row in rows:
        for f in files.get(row.id, []) if row.sender not in quiet else ():
            if f.sha256 and f.size is not None:
                by_bytes.setdefault(f.sha256, f.file_name or f.sha256[:12])
    stored_files = tuple(by_bytes.items())
    planned: list[PlannedRecord] = []
    for link in people:
        if not link.logged:
            continue
        key = ChatDayKey(account.number, chat.chat_id, chat_day.day, link.person.record_id)
        facts = ChatFacts(PERSON_FIELD[link.person.object_name], chat_name or link.person.name, bool(chat.is_group),
                          party.identity.phones[0] if party.identity.phones else None, source,
                          party.identity.user_ids[0] if party.identity.user_ids else None, party.identity.username)
        record = build_record(key, facts, transcript, times)
        planned.append(PlannedRecord(link, key, record, stored_files))
    return planned, [link for link in people if not link.logged]


@dataclass(frozen=True)
class Planned:
    """One chat-day as planned: its messages, the records to write, and the people it leaves out
    because they asked not to be logged. No record and nobody left out: the number matched nobody."""

    chat_day: ChatDay
    chat: Any  # the chats row
    rows: list  # its messages
    records: list[PlannedRecord]
    not_logged: list[Link]


def plan_chat_days(store: Store, chat_days: Iterable[ChatDay]) -> Iterator[Planned]:
    """The records of these chat-days, as a run plans them."""
    with store.engine.connect() as connection:
        chosen = all_accounts(connection)
    return plan_chats(store, chosen, by_chat(chat_days))


def plan_chats(store: Store, chosen: list[Account], chats: dict[tuple[int, int], DayChoice]) -> Iterator[Planned]:
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
            records, not_logged = plan_records(chat_day, party, day.rows, day.files, account, linker)
            yield Planned(chat_day, chat, day.rows, [_with_transcript_file(store, p) for p in records], not_logged)


def _with_transcript_file(store: Store, planned: PlannedRecord) -> PlannedRecord:
    """A day Salesforce cannot show whole (over the field's limit, or with a message cut) goes
    whole into a text File on the record."""
    if not planned.record.needs_file:
        return planned
    sha = store.blobs.put(planned.record.full_transcript.encode())
    return replace(planned, files=(*planned.files, (sha, f"{planned.record.fields['Name']}.txt")))
