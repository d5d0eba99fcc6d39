"""The records of one chat-day: one per linked person who may be logged, built from the store."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Callable
from zoneinfo import ZoneInfo

from eazybe_tasks.chat_days.record import ChatDayKey, ChatDayRecord, build_record
from eazybe_tasks.chat_days.transcript import TranscriptAttachment, TranscriptMessage
from eazybe_tasks.matching.directory import Link, PhoneDirectory
from eazybe_tasks.sources.model import Direction, MessageType
from eazybe_tasks.store.accounts import Account
from eazybe_tasks.sync.chat_day_messages import ChatDay

PERSON_FIELD = {"Contact": "Contact__c", "Lead": "Lead__c"}
MEDIA_KINDS = {t.value for t in (MessageType.IMAGE, MessageType.VIDEO, MessageType.AUDIO, MessageType.VOICE,
                                 MessageType.DOCUMENT, MessageType.STICKER)}


@dataclass(frozen=True)
class PlannedRecord:
    link: Link
    key: ChatDayKey
    record: ChatDayRecord
    files: tuple[tuple[str, str], ...] = ()  # (sha256, file name) of the day's downloaded attachments


def linked_people(chat, rows: list, links_of: Callable[[str], list[Link]]) -> list[Link]:  # type: ignore[no-untyped-def]
    """1:1: the people with the customer's number. Group: the people among its senders.
    `links_of` is a directory's `links`, usually remembered per number (see `remembered_links`)."""
    numbers = [chat.chat_id] if not chat.is_group else sorted(
        {row.sender for row in rows if row.sender and row.direction == Direction.INBOUND.value}
    )
    links: dict[str, Link] = {}
    for number in numbers:
        for link in links_of(number):
            links.setdefault(link.person.record_id, link)
    return list(links.values())


_DIRECTIONS = {direction.value: direction for direction in Direction}  # a dict lookup: Enum(value) costs more
_TYPES = {kind.value: kind for kind in MessageType}


def _transcript_message(row, files: list, account: Account, chat,  # type: ignore[no-untyped-def]
                        zone: ZoneInfo) -> TranscriptMessage:
    direction = _DIRECTIONS[row.direction]
    if direction is Direction.OUTBOUND:
        sender = account.label or "You"
    elif direction is Direction.SYSTEM:
        sender = None
    else:
        sender = row.sender_name or row.sender or chat.name
    kind = row.type if row.type in MEDIA_KINDS else "file"
    return TranscriptMessage(
        row.sent_at.astimezone(zone).replace(tzinfo=None), sender, direction, _TYPES[row.type], row.body or "",
        bool(row.edited), tuple(TranscriptAttachment(kind, f.file_name, bool(f.omitted), f.caption) for f in files),
    )


def remembered_links(directory: PhoneDirectory) -> Callable[[str], list[Link]]:
    """The directory's `links`, each number parsed once: a chat's number comes back with every
    one of its days, and parsing it is most of what linking costs."""
    return cache(directory.links)


def plan_records(
    chat_day: ChatDay, chat, rows: list, files: dict[int, list], account: Account,  # type: ignore[no-untyped-def]
    links_of: Callable[[str], list[Link]],
) -> tuple[list[PlannedRecord], list[Link]]:
    """(records to write, people skipped because they asked not to be logged)."""
    people = linked_people(chat, rows, links_of)
    zone = ZoneInfo(account.time_zone)
    transcript = [_transcript_message(row, files.get(row.id, []), account, chat, zone) for row in rows]
    times = [row.sent_at for row in rows]
    source = rows[-1].source
    by_bytes: dict[str, str] = {}  # the same bytes sent twice are one file, under its first name
    for row in rows:
        for f in files.get(row.id, []):
            if f.sha256 and f.size is not None:
                by_bytes.setdefault(f.sha256, f.file_name or f.sha256[:12])
    stored_files = tuple(by_bytes.items())
    planned: list[PlannedRecord] = []
    for link in people:
        if not link.logged:
            continue
        key = ChatDayKey(account.number, chat.chat_id, chat_day.day, link.person.record_id)
        record = build_record(
            key, PERSON_FIELD[link.person.object_name], chat.name or link.person.name, bool(chat.is_group),
            None if chat.is_group else chat.chat_id, source, transcript, times,
        )
        planned.append(PlannedRecord(link, key, record, stored_files))
    return planned, [link for link in people if not link.logged]
