"""Turns one entry (its header line's match plus continuation lines) into an `ExportEntry`.

Decides who wrote it, whether WhatsApp wrote it (system), and what kind of message it is, using
the vocabulary in `vocab`. Checks run cheapest-first so plain text, the bulk of any chat, costs
a dictionary lookup plus a few string tests.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Callable

from eazybe_tasks.sources.exports import vocab
from eazybe_tasks.sources.exports.entry import ExportEntry, new_entry
from eazybe_tasks.sources.exports.layouts import Clock
from eazybe_tasks.sources.exports.media import media_type, mime_type
from eazybe_tasks.sources.model import AttachmentRef, MessageType, SourceError

MediaLookup = Callable[[str], "bytes | None"]  # bytes of a file named in the chat, None if absent


def _alternatives(phrases: tuple[str, ...]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


# "Name: text" -- a colon then a space, the end, or punctuation ("Name:." is a message "."),
# but not "https://" or a time "10:30" inside a system line. Follows the header in the entry
# pattern; without a match the whole line is the text (no author: WhatsApp wrote it).
# (Written greedily, colon by colon: a lazy scan costs more per character.)
_SEPARATES = r"\s|$|[^\w/]"
AUTHOR = rf"(?:(?P<author>[^\n:]*(?::(?!{_SEPARATES})[^\n:]*)*):(?={_SEPARATES}) ?)?"
_QUOTED_EVENT = re.compile(
    rf"\b(?:{_alternatives(vocab.QUOTED_EVENT_VERBS)})\b.*[{vocab.QUOTES}]", re.IGNORECASE
)
_SYSTEM_TEXT = re.compile(_alternatives(vocab.SYSTEM_FRAGMENTS), re.IGNORECASE)
_EDITED = re.compile(rf"\s*<(?:{_alternatives(vocab.EDITED)})>$", re.IGNORECASE)
_ATTACHED_IOS = re.compile(r"<[^<>:]{1,40}: ?([^<>]+)>")
_ATTACHED_ANDROID = re.compile(rf"(.+?\.\w{{1,10}}) \((?:{_alternatives(vocab.FILE_ATTACHED)})\)$")
_LOCATION = re.compile(r"https://(?:maps\.google\.com/\?q=-?\d|foursquare\.com/v/)")


# Exports write some Devanagari letters precomposed, some not: text is compared decomposed (NFD).
def _notice_key(text: str) -> str:
    key = text.strip().rstrip(".。").lower()
    return key if key.isascii() else unicodedata.normalize("NFD", key)


# Whole-line notices: deleted, or media left out (typed on iOS, generic on Android).
_NOTICES = {_notice_key(p): MessageType.DELETED for p in vocab.DELETED}
_NOTICES |= {_notice_key(p): MessageType.DOCUMENT for p in vocab.GENERIC_MEDIA_OMITTED}
_NOTICES |= {_notice_key(p): t for t, phrases in vocab.TYPED_MEDIA_OMITTED.items() for p in phrases}
_DOCUMENT_OMITTED = tuple(unicodedata.normalize("NFD", p) for p in vocab.DOCUMENT_OMITTED)
_LONGEST_NOTICE = max(map(len, _NOTICES)) + 2
_OMITTED = AttachmentRef(omitted=True)  # immutable, so every uncaptioned notice can share it
_UNSEEN = object()
_REMEMBERED_AUTHORS = 10_000  # prefixes kept: lines without author can make many; memory stays flat


class EntryBuilder:
    """Builds the entries of one chat. Remembers what each author prefix stands for (a chat has
    few authors, so the quoted-event check runs once per name) and looks up exported media."""

    def __init__(self, clock: Clock, media: MediaLookup, where: str) -> None:
        self._clock = clock
        self._media = media
        self._where = where
        self._authors: dict[str, str | None] = {}  # text before the separator -> author (None: none)

    def build(
        self, line_number: int, header: re.Match[str], continuation: str, whatsapp_wrote: bool
    ) -> ExportEntry:
        """The entry `header` starts: a match of HEADER + AUTHOR + (?P<first>...) on its line.
        `continuation` holds the entry's further lines, each after a line break ("" if none)."""
        date_text, time_text, date_after, time_before, author, first = header.group(
            "date", "time", "date_t", "time_t", "author", "first")
        try:
            timestamp = self._clock.timestamp(date_text or date_after, time_text or time_before)
        except ValueError as error:
            raise SourceError(
                f"{self._where}:{line_number}",
                f"no such date or time with date order {self._clock.order.value}: {error}",
            ) from None
        if author is not None:
            name = self._authors.get(author, _UNSEEN)
            author = self._author(author) if name is _UNSEEN else name
            if author is None:  # 'X changed the subject to "a: b"': the whole line is the text
                first = header.string[header.start("author"):header.end()]
        text = first + continuation
        if author is None or (whatsapp_wrote and _SYSTEM_TEXT.search(first)):
            return new_entry(line_number, timestamp, None, text, "system", MessageType.SYSTEM)
        edited = text[-1:] == ">" and _EDITED.search(text) is not None
        if edited:
            text = _EDITED.sub("", text)
            first, newline, rest = text.partition("\n")
            continuation = newline + rest
        message_type, attachments = _content(first, continuation, text, self._media)
        return new_entry(line_number, timestamp, author, text, "message", message_type, edited,
                         attachments)

    def _author(self, prefix: str) -> str | None:
        author = None if _QUOTED_EVENT.search(prefix) else prefix.strip()
        if len(self._authors) >= _REMEMBERED_AUTHORS:
            self._authors.clear()
        self._authors[prefix] = author
        return author


def _content(
    first: str, continuation: str, text: str, media: MediaLookup
) -> tuple[MessageType, tuple[AttachmentRef, ...]]:
    """Message type and attachments, from the notices and file names WhatsApp writes. `first` is
    the first line of `text`, `continuation` the rest; a caption is the rest without its line break."""
    if len(first) <= _LONGEST_NOTICE:
        notice = _NOTICES.get(_notice_key(first))
        if notice is MessageType.DELETED:
            if not continuation[1:]:
                return MessageType.DELETED, ()
        elif notice is not None:
            caption = continuation[1:]
            return notice, (AttachmentRef(caption=caption, omitted=True) if caption else _OMITTED,)
    canonical_first = first if first.isascii() else unicodedata.normalize("NFD", first)
    if canonical_first.endswith(_DOCUMENT_OMITTED):
        phrase = next(p for p in _DOCUMENT_OMITTED if canonical_first.endswith(p))
        title = canonical_first[: -len(phrase)].split(" • ")[0].strip() or None
        return MessageType.DOCUMENT, (AttachmentRef(
            file_name=title, mime_type=title and mime_type(title), caption=continuation[1:] or None,
            omitted=True,
        ),)
    if "<" in first:
        attached = _ATTACHED_IOS.search(first)
        if attached:
            rest = (first[: attached.start()] + first[attached.end():]).strip()
            caption = "\n".join(filter(None, [rest, continuation[1:]]))
            return _attached(attached.group(1).strip(), caption, media)
    if first[-1:] == ")":
        attached = _ATTACHED_ANDROID.match(first)
        if attached:
            return _attached(attached.group(1), continuation[1:], media)
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
