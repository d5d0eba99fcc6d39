"""A day's messages as an admin reads them: one line per message, `HH:MM sender: text`, oldest
first, with media, deletions, edits, reactions and WhatsApp's own notices written out in words.

What Salesforce shows (the Transcript field, a Note) may cut a message longer than it can show,
with a marker saying so; the whole text stays in the store and in the day's transcript File."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eazybe_tasks.sources.model import Direction, MessageType

CONTINUATION = " " * 6  # lines after the first of a multi-line message line up under its text


@dataclass(frozen=True)
class TranscriptAttachment:
    kind: str  # image, video, audio, voice, document, sticker
    file_name: str | None
    omitted: bool
    caption: str | None = None


@dataclass(frozen=True)
class TranscriptMessage:
    local_time: datetime  # in the account's time zone
    sender: str | None  # display label; None for WhatsApp's own notices
    direction: Direction
    type: MessageType
    body: str
    edited: bool = False
    attachments: tuple[TranscriptAttachment, ...] = ()


def _attachment(item: TranscriptAttachment) -> str:
    if item.omitted or not item.file_name:
        text = f"[{item.kind} not included in the export]" if item.omitted else f"[{item.kind}]"
    else:
        text = f"[{item.kind}: {item.file_name}]"
    return f"{text} {item.caption}" if item.caption else text


def _content(message: TranscriptMessage) -> str:
    if message.type is MessageType.DELETED:
        return "[message deleted]"
    if message.type is MessageType.REACTION:
        return f"[reacted {message.body}]" if message.body else "[removed a reaction]"
    parts = [_attachment(a) for a in message.attachments]
    body = message.body.strip()
    if body and not (message.attachments and message.type is not MessageType.TEXT and body in parts):
        parts.append(body)
    if message.type in (MessageType.UNKNOWN, MessageType.UNSUPPORTED) and not parts:
        parts.append(f"[{message.type.value} message]")
    text = " ".join(parts)
    return f"{text} (edited)" if message.edited else text


def shortened(text: str, limit: int | None) -> str:
    """`text`, cut at `limit` characters with a marker when longer."""
    if limit is None or len(text) <= limit:
        return text
    return f"{text[:limit]}… [shortened: the message has {len(text):,} characters; all of them are in the File]"


def render_line(message: TranscriptMessage, message_limit: int | None = None) -> str:
    clock = message.local_time.strftime("%H:%M")
    content = shortened(_content(message), message_limit).replace("\n", "\n" + CONTINUATION)
    if message.direction is Direction.SYSTEM or message.sender is None:
        return f"{clock} — {content}"
    return f"{clock} {message.sender}: {content}"


def render_transcript(messages: list[TranscriptMessage], message_limit: int | None = None) -> str:
    """Every message whole, or each cut past `message_limit` characters."""
    ordered = sorted(messages, key=lambda m: m.local_time)
    return "\n".join(render_line(m, message_limit) for m in ordered)
