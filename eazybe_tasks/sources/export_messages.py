"""From the entries of a chat export to normalized messages.

An export says less than a webhook: times are the phone's local time with no zone, people are
display names, and nothing tells which of them is the business user or what number the other
party has. The import supplies those (`ExportContext`), and this module turns each entry into a
`Message` whose id is stable: the same message in a re-import, or in a later export that overlaps,
gets the same id, so the store keeps it once."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

from eazybe_tasks.phone_numbers import ParsedNumber, parse_number
from eazybe_tasks.sources.exports import ExportEntry
from eazybe_tasks.sources.local_times import LocalClock
from eazybe_tasks.sources.model import Direction, Message, MessageType, Source, SourceError

# "WhatsApp Chat with Jane Doe.txt", "WhatsApp Chat - Jane Doe.txt", localized variants: the chat
# name is what follows the last " with " / " - " / " con " / " mit " ... before the extension.
_TITLE = re.compile(r"^WhatsApp.*?(?: with | - | con | mit | avec | com | met | s | с )(?P<name>.+)$", re.IGNORECASE)


@dataclass(frozen=True)
class ExportContext:
    account_number: str  # the business number, E.164
    time_zone: str  # IANA zone of the exporting phone
    me: str  # the business user's name as the export writes it
    default_region: str  # for numbers written without a country code
    other_number: str | None = None  # the other party's number, for a 1:1 chat
    chat_name: str | None = None  # defaults to what the file name says
    is_group: bool | None = None  # defaults to what the export shows


@dataclass(frozen=True)
class ChatShape:
    """What a first look at the whole export tells: who wrote, and whether it is a group."""

    authors: frozenset[str]
    has_system_lines: bool


def chat_name_from_file(path: Path) -> str | None:
    match = _TITLE.match(path.stem)
    return match.group("name").strip() if match else None


def survey(entries: Iterable[ExportEntry]) -> ChatShape:
    authors: set[str] = set()
    system = False
    for entry in entries:
        if entry.author is None:
            system = True
        else:
            authors.add(entry.author)
    return ChatShape(frozenset(authors), system)


def as_number(text: str, region: str) -> str | None:
    """E.164 when `text` is a possible phone number (an author WhatsApp shows as a number)."""
    if not any(ch.isdigit() for ch in text):
        return None
    parsed = parse_number(text, region)
    return parsed.e164 if isinstance(parsed, ParsedNumber) else None


@dataclass(frozen=True)
class _Chat:
    chat_id: str
    name: str | None
    is_group: bool


def _resolve_chat(where: str, shape: ChatShape, context: ExportContext, file_name: str | None) -> _Chat:
    if context.me not in shape.authors and shape.authors:
        raise SourceError(
            where, f"no author is called {context.me!r}; authors in the export: "
            f"{', '.join(sorted(shape.authors))}. Pass the business user's name as written (-o me)"
        )
    others = shape.authors - {context.me}
    is_group = context.is_group if context.is_group is not None else len(others) > 1
    name = context.chat_name or file_name
    if is_group:
        if not name:
            raise SourceError(where, "a group export needs the group's name (-o chat_name)")
        digest = hashlib.sha256(f"{context.account_number}\n{name}".encode()).hexdigest()[:20]
        return _Chat(f"group:{digest}", name, True)
    number = context.other_number or next(
        (n for n in (as_number(a, context.default_region) for a in others) if n), None
    )
    if number is None:
        raise SourceError(
            where, f"which number does {', '.join(sorted(others)) or 'the other party'} have? "
            "Pass it as -o other_number (E.164, e.g. +14155550134)"
        )
    return _Chat(number, name or next(iter(others), None), False)


def _direction(entry: ExportEntry, me: str) -> Direction:
    if entry.author is None:
        return Direction.SYSTEM
    return Direction.OUTBOUND if entry.author == me else Direction.INBOUND


def to_messages(
    entries: Iterable[ExportEntry], shape: ChatShape, context: ExportContext, where: str,
    file_name: str | None = None,
) -> Iterator[Message]:
    """Messages of one export, in file order, each with its stable id (times: see local_times)."""
    chat = _resolve_chat(where, shape, context, file_name)
    clock = LocalClock(ZoneInfo(context.time_zone))
    # The same text from the same author at the same time is counted, so two "ok"s in one minute
    # are two messages. Only the current timestamp's counts are kept: memory stays flat.
    current: datetime | None = None
    seen: dict[str, int] = {}
    for entry in entries:
        sent_at = clock.to_utc(entry.timestamp)
        if sent_at != current:
            current, seen = sent_at, {}
        key = "\n".join(
            (context.account_number, chat.chat_id, sent_at.isoformat(), entry.author or "", entry.text)
        )
        seen[key] = seen.get(key, 0) + 1
        source_id = "export:" + hashlib.sha256(f"{key}\n{seen[key]}".encode()).hexdigest()[:32]
        direction = _direction(entry, context.me)
        sender = None
        if direction is Direction.OUTBOUND:
            sender = context.account_number
        elif direction is Direction.INBOUND:
            sender = chat.chat_id if not chat.is_group else as_number(entry.author or "", context.default_region)
        yield Message(
            source=Source.CHAT_EXPORT,
            source_id=source_id,
            account_number=context.account_number,
            chat_id=chat.chat_id,
            is_group=chat.is_group,
            chat_name=chat.name,
            direction=direction,
            type=MessageType.SYSTEM if entry.kind == "system" and entry.type is MessageType.TEXT else entry.type,
            sent_at=sent_at,
            body=entry.text,
            sender=sender,
            sender_name=entry.author,
            edited=entry.edited,
            attachments=entry.attachments,
            raw={"line": entry.line_number},
        )
