"""Turns one entry's lines (header body plus continuation lines) into an `ExportEntry`.

Decides who wrote it, whether WhatsApp wrote it (system), and what kind of message it is, using
the vocabulary in `vocab`. Checks run cheapest-first so plain text, the bulk of any chat, costs
one regex search plus a few string tests.
"""
from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Callable

from eazybe_tasks.sources.exports import vocab
from eazybe_tasks.sources.exports.entry import ExportEntry
from eazybe_tasks.sources.exports.media import media_type, mime_type
from eazybe_tasks.sources.model import AttachmentRef, MessageType

MediaLookup = Callable[[str], "bytes | None"]  # bytes of a file named in the chat, None if absent


def _alternatives(phrases: tuple[str, ...]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


# "Name: text" -- a colon then a space, the end, or punctuation ("Name:." is a message "."),
# but not "https://" or a time "10:30" inside a system line.
_AUTHOR_SEPARATOR = re.compile(r":(?=\s|$|[^\w/])")
_QUOTED_EVENT = re.compile(
    rf"\b(?:{_alternatives(vocab.QUOTED_EVENT_VERBS)})\b.*[{vocab.QUOTES}]", re.IGNORECASE
)
_SYSTEM_TEXT = re.compile(_alternatives(vocab.SYSTEM_FRAGMENTS), re.IGNORECASE)
_EDITED = re.compile(rf"\s*<(?:{_alternatives(vocab.EDITED)})>$", re.IGNORECASE)
_ATTACHED_IOS = re.compile(r"<[^<>:]{1,40}: ?([^<>]+)>")
_ATTACHED_ANDROID = re.compile(rf"(.+?\.\w{{1,10}}) \((?:{_alternatives(vocab.FILE_ATTACHED)})\)$")
_LOCATION = re.compile(r"https://(?:maps\.google\.com/\?q=-?\d|foursquare\.com/v/)")



def _canonical(text: str) -> str:
    """Decomposed form: exports write some Devanagari letters precomposed, some not."""
    return text if text.isascii() else unicodedata.normalize("NFD", text)


def _notice_key(text: str) -> str:
    return _canonical(text.strip().rstrip(".。").lower())


_DELETED = frozenset(map(_notice_key, vocab.DELETED))
_OMITTED_TYPE = {_notice_key(p): t for t, phrases in vocab.TYPED_MEDIA_OMITTED.items() for p in phrases}
_GENERIC_OMITTED = frozenset(map(_notice_key, vocab.GENERIC_MEDIA_OMITTED))
_DOCUMENT_OMITTED = tuple(map(_canonical, vocab.DOCUMENT_OMITTED))
_LONGEST_NOTICE = max(map(len, [*_DELETED, *_OMITTED_TYPE, *_GENERIC_OMITTED])) + 2


def build_entry(
    line_number: int,
    timestamp: datetime,
    body: str,
    continuation: list[str],
    whatsapp_wrote: bool,
    media: MediaLookup,
) -> ExportEntry:
    author, first = _split_author(body)
    text = "\n".join([first, *continuation]) if continuation else first
    if author is None or (whatsapp_wrote and _SYSTEM_TEXT.search(first)):
        return ExportEntry(line_number, timestamp, None, text, "system", MessageType.SYSTEM)
    unedited = _EDITED.sub("", text) if text.endswith(">") else text
    message_type, attachments = _content(unedited, media)
    return ExportEntry(line_number, timestamp, author, unedited, "message", message_type,
                       unedited != text, attachments)


def _split_author(body: str) -> tuple[str | None, str]:
    """(author, text) -- author None when the line has no author, i.e. WhatsApp wrote it."""
    separator = _AUTHOR_SEPARATOR.search(body)
    if separator is None:
        return None, body
    author = body[: separator.start()]
    if _QUOTED_EVENT.search(author):  # 'X changed the subject to "a: b"' has no author
        return None, body
    text = body[separator.end():]
    return author.strip(), text[1:] if text[:1] == " " else text


def _content(text: str, media: MediaLookup) -> tuple[MessageType, tuple[AttachmentRef, ...]]:
    """Message type and attachments, from the notices and file names WhatsApp writes."""
    first, _, caption = text.partition("\n")
    caption = caption or None
    if len(first) <= _LONGEST_NOTICE:
        notice = _notice_key(first)
        if notice in _DELETED and caption is None:
            return MessageType.DELETED, ()
        if notice in _GENERIC_OMITTED:
            return MessageType.DOCUMENT, (AttachmentRef(caption=caption, omitted=True),)
        if notice in _OMITTED_TYPE:
            return _OMITTED_TYPE[notice], (AttachmentRef(caption=caption, omitted=True),)
    canonical_first = _canonical(first)
    if canonical_first.endswith(_DOCUMENT_OMITTED):
        phrase = next(p for p in _DOCUMENT_OMITTED if canonical_first.endswith(p))
        title = canonical_first[: -len(phrase)].split(" • ")[0].strip() or None
        return MessageType.DOCUMENT, (AttachmentRef(
            file_name=title, mime_type=title and mime_type(title), caption=caption, omitted=True,
        ),)
    if "<" in first:
        attached = _ATTACHED_IOS.search(first)
        if attached:
            rest = (first[: attached.start()] + first[attached.end():]).strip()
            return _attached(attached.group(1).strip(), "\n".join(filter(None, [rest, caption])), media)
    if first.endswith(")"):
        attached = _ATTACHED_ANDROID.match(first)
        if attached:
            return _attached(attached.group(1), caption, media)
    if "https://" in text and _LOCATION.search(text):
        return MessageType.LOCATION, ()
    return MessageType.TEXT, ()


def _attached(
    file_name: str, caption: str | None, media: MediaLookup
) -> tuple[MessageType, tuple[AttachmentRef, ...]]:
    reference = AttachmentRef(
        file_name=file_name, mime_type=mime_type(file_name), caption=caption or None,
        content=media(file_name),
    )
    return media_type(file_name), (reference,)
