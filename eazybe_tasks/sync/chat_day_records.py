"""The records of one chat-day: one per linked person who may be logged, built from the store."""
from __future__ import annotations

from dataclasses import dataclass
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


def linked_people(chat, rows: list, directory: PhoneDirectory) -> list[Link]:  # type: ignore[no-untyped-def]
    """1:1: the people with the customer's number. Group: the people among its senders."""
    numbers = [chat.chat_id] if not chat.is_group else sorted(
        {row.sender for row in rows if row.sender and row.direction == Direction.INBOUND.value}
    )
    links: dict[str, Link] = {}
    for number in numbers:
        for link in directory.links(number):
            links.setdefault(link.person.record_id, link)
    return list(links.values())


def _transcript_message(row, files: list, account: Account, chat) -> TranscriptMessage:  # type: ignore[no-untyped-def]
    local = row.sent_at.astimezone(ZoneInfo(account.time_zone)).replace(tzinfo=None)
    if row.direction == Direction.OUTBOUND.value:
        sender = account.label or "You"
    elif row.direction == Direction.SYSTEM.value:
        sender = None
    else:
        sender = row.sender_name or row.sender or chat.name
    kind = row.type if row.type in MEDIA_KINDS else "file"
    return TranscriptMessage(
        local, sender, Direction(row.direction), MessageType(row.type), row.body or "", bool(row.edited),
        tuple(TranscriptAttachment(kind, f.file_name, bool(f.omitted), f.caption) for f in files),
    )


def plan_records(
    chat_day: ChatDay, chat, rows: list, files: dict[int, list], account: Account, directory: PhoneDirectory,  # type: ignore[no-untyped-def]
) -> tuple[list[PlannedRecord], list[Link]]:
    """(records to write, people skipped because they asked not to be logged)."""
    people = linked_people(chat, rows, directory)
    transcript = [_transcript_message(row, files.get(row.id, []), account, chat) for row in rows]
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
