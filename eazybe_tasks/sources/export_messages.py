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
from datetime import datetime, timezone
from pathlib import PurePath
from typing import Iterable, Iterator
from zoneinfo import ZoneInfo

from eazybe_tasks.phone_numbers import ParsedNumber, parse_number
from eazybe_tasks.sources.exports import ExportEntry
from eazybe_tasks.sources.exports.vocab import QUOTES
from eazybe_tasks.sources.local_times import LocalClock
from eazybe_tasks.sources.model import FUTURE_LIMIT, Direction, Message, MessageType, Source, SourceError

# "WhatsApp Chat with Jane Doe.txt", "WhatsApp Chat - Jane Doe.txt", localized variants: the chat
# name is what follows the last " with " / " - " / " con " / " mit " ... before the extension.
_TITLE = re.compile(r"^WhatsApp.*?(?: with | - | con | mit | avec | com | met | s | с )(?P<name>.+)$", re.IGNORECASE)

# The system lines that name a group: its creation, and each change of its subject (the last one
# in the file is the name it had when exported), in the languages whose group events `vocab`
# knows. Each is read without backtracking (a line's time stays linear in its length): the words
# before the name, then ' "Name"' for a creation, or ' to "Name"' / ' from "Old" to "Name"' for a
# change, then, in some languages, a closing verb.


@dataclass(frozen=True)
class _SubjectLine:
    verb: str  # regex of the words before the (old) name: 'changed (?:the subject|the group name)'
    to: str | None = None  # regex of the word before the new name, in a change: 'to'
    after: str = ""  # the word after the name: 'erstellt'


_Q = f"[{QUOTES}]"
_SUBJECT_LINES = tuple(
    (re.compile(rf"\b{line.verb}(?= )", re.IGNORECASE),
     re.compile(rf"(?:^|{_Q}) (?:{line.to}) {_Q}", re.IGNORECASE) if line.to else None,
     line.after.lower())
    for line in (
        # English
        _SubjectLine(r"created (?:the )?group"),
        _SubjectLine(r"changed (?:the subject|the group name|the group['’]s name|this group['’]s name)", "to"),
        # Spanish
        _SubjectLine(r"creó el grupo"),
        _SubjectLine(r"cambió (?:el asunto|el nombre del grupo)", "a|por"),
        # Portuguese
        _SubjectLine(r"criou o grupo"),
        _SubjectLine(r"(?:mudou|alterou) o (?:assunto|nome do grupo)", "para"),
        # German
        _SubjectLine(r"hat die Gruppe", after="erstellt"),
        _SubjectLine(r"hat den (?:Betreff|Gruppennamen)", "zu|in", "geändert"),
        # French
        _SubjectLine(r"a créé le groupe"),
        _SubjectLine(r"a (?:modifié|changé) (?:le sujet|le nom du groupe)", "en|à|pour"),
        # Italian
        _SubjectLine(r"ha creato il gruppo"),
        _SubjectLine(r"ha (?:cambiato|modificato) (?:l['’]oggetto|il nome del gruppo)", "in|a"),
        # Dutch
        _SubjectLine(r"heeft (?:de )?groep", after="aangemaakt"),
        _SubjectLine(r"heeft (?:het onderwerp|de groepsnaam) gewijzigd", "in|naar"),
    )
)


@dataclass(frozen=True)
class ExportContext:
    account_number: str  # the business number, E.164
    time_zone: str  # IANA zone of the exporting phone
    me: str  # the business user's name as the export writes it
    default_region: str  # for numbers written without a country code
    other_number: str | None = None  # the other party's number, for a 1:1 chat
    chat_name: str | None = None  # defaults to what the file name says, else the export's subject line
    is_group: bool | None = None  # defaults to what the export shows
    now: datetime | None = None  # the import's time (aware); default: when the messages are read


@dataclass(frozen=True)
class ChatShape:
    """What a first look at the whole export tells: who wrote, and whether it is a group."""

    authors: frozenset[str]
    has_system_lines: bool
    subject: str | None = None  # the group's name as its last creation or subject line gives it


def chat_name_from_file(path: PurePath) -> str | None:
    match = _TITLE.match(path.stem)
    return match.group("name").strip() if match else None


def subject_of(text: str) -> str | None:
    """The group name a system line gives: 'X created group "Name"', 'X changed the subject from
    "Old" to "Name"', and the same in the other languages of `_SUBJECT_LINES`."""
    line = text.partition("\n")[0].rstrip()
    if not line or not any(quote in line for quote in QUOTES):
        return None
    for verb, to, after in _SUBJECT_LINES:
        said = verb.search(line)
        if said is None:
            continue
        rest = line[said.end():]
        if after:
            if not rest.lower().endswith(f" {after}"):
                continue
            rest = rest[: -len(after) - 1].rstrip()
        if len(rest) < 3 or rest[-1] not in QUOTES:
            continue
        if to is None:  # ' "Name"'
            name = rest[2:-1] if rest[0] == " " and rest[1] in QUOTES else ""
        else:  # ' to "Name"', or ' from "Old" to "Name"': the first ' to "' there is
            new = to.search(rest)
            name = rest[new.end():-1] if new else ""
        if name.strip():
            return name.strip()
    return None


def survey(entries: Iterable[ExportEntry]) -> ChatShape:
    authors: set[str] = set()
    system = False
    subject = None
    for entry in entries:
        if entry.author is None:
            system = True
            subject = subject_of(entry.text) or subject
        else:
            authors.add(entry.author)
    return ChatShape(frozenset(authors), system, subject)


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


def _business_never_wrote(where: str, shape: ChatShape, context: ExportContext) -> bool:
    """Whether the export is a 1:1 chat the business never answered (an unanswered lead): one
    author, who is not `me`, and the other party's number given. The author's own number, when
    WhatsApp wrote it as the name, must be that number."""
    group = context.is_group if context.is_group is not None else shape.subject is not None
    if context.other_number is None or len(shape.authors) != 1 or group:
        return False
    (author,) = shape.authors
    number = as_number(author, context.default_region)
    if number is not None and number != context.other_number:
        raise SourceError(
            where, f"the only author, {author}, has the number {number}, not {context.other_number} "
            f"(-o other_number), and nobody is called {context.me!r} (-o me)"
        )
    return True


def _resolve_chat(where: str, shape: ChatShape, context: ExportContext, file_name: str | None) -> _Chat:
    if context.me not in shape.authors and shape.authors and not _business_never_wrote(where, shape, context):
        lone = len(shape.authors) == 1 and context.other_number is None
        raise SourceError(
            where, f"no author is called {context.me!r}; authors in the export: "
            f"{', '.join(sorted(shape.authors))}. Pass the business user's name as written (-o me)"
            + (", or, if the business never wrote in this chat, the other party's number (-o other_number)"
               if lone else "")
        )
    others = shape.authors - {context.me}
    is_group = (context.is_group if context.is_group is not None
                else len(others) > 1 or shape.subject is not None)  # a subject line is a group's
    # The file name first: the name groups imported before subject lines were read are keyed by.
    name = context.chat_name or file_name or (shape.subject if is_group else None)
    if is_group:
        if not name:
            raise SourceError(where, "a group export needs the group's name (-o chat_name): neither the file "
                              "name (\"WhatsApp Chat with <name>\") nor a subject line in it gives one")
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
    now = context.now or datetime.now(timezone.utc)
    latest = now + FUTURE_LIMIT
    # The same text from the same author at the same time is counted, so two "ok"s in one minute
    # are two messages. Only the current timestamp's counts are kept: memory stays flat.
    current: datetime | None = None
    seen: dict[str, int] = {}
    for entry in entries:
        sent_at = clock.to_utc(entry.timestamp)
        if sent_at > latest:
            raise SourceError(
                f"{where}:{entry.line_number}",
                f"the message's date and time, {entry.timestamp:%Y-%m-%d %H:%M} ({context.time_zone}), is more than "
                f"a day after now ({now.astimezone(ZoneInfo(context.time_zone)):%Y-%m-%d %H:%M}): the phone's clock "
                "was wrong, or the dates are read in the wrong order (-o date_order dmy|mdy|ymd)?"
            )
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
