"""Turns a batch of entries (columns of header fields and texts) into `ExportEntry`s.

Decides who wrote each entry, whether WhatsApp wrote it (system), and what kind of message it is,
using the vocabulary in `vocab`. Most entries are plain text messages: the compiled
`_plain_messages` recognizes those and builds their entries in C, and leaves the others to the code
here. What an entry's body (author and text) says is worked out once and remembered, as is who each
name stands for: a chat has few authors, who repeat many messages ("ok", "<Media omitted>").
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import NamedTuple

from eazybe_tasks.sources.exports import vocab
from eazybe_tasks.sources.exports.entry import Content, ExportEntry, new_entries, new_entry
from eazybe_tasks.sources.exports.layouts import Clock
from eazybe_tasks.sources.exports.media import media_type, mime_type
from eazybe_tasks.sources.exports.memo import Memo
from eazybe_tasks.sources.model import AttachmentRef, MessageType, SourceError

try:
    from eazybe_tasks.sources.exports._plain_messages import PlainMessages
except ImportError:  # not built (an install without a C compiler): the Python code does it all
    PlainMessages = None

MediaLookup = Callable[[str], "bytes | None"]  # bytes of a file named in the chat, None if absent


def _alternatives(phrases: tuple[str, ...]) -> str:
    return "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True))


# "Name: text" -- a colon then a space, the end, or punctuation ("Name:." is a message "."), but
# not "https://" or a time "10:30" inside a system line. Matched at the start of what follows a
# header; without a match the whole line is the text (no author: WhatsApp wrote it). The name
# runs to the first colon not followed by a letter, digit or "/": there is one such colon, so
# nothing to backtrack to.
_AUTHOR = re.compile(r"(?P<author>[^\n:]*+(?::(?=[\w/])[^\n:]*+)*+):(?![\w/]) ?")
# A group event's verb, and a quote after it (see _author). Not one pattern "verb.*quote": that
# would scan the rest of the name again from each verb in it.
_EVENT_VERB = re.compile(rf"\b(?:{_alternatives(vocab.QUOTED_EVENT_VERBS)})\b", re.IGNORECASE)
_QUOTE = re.compile(f"[{re.escape(vocab.QUOTES)}]")
_SYSTEM_TEXT = re.compile(_alternatives(vocab.SYSTEM_FRAGMENTS), re.IGNORECASE)
# The edited marker at the end of a text, with the spaces before it. Tried only where a run of
# spaces starts (or at a non-space), so that a long run is not scanned again from each of its spaces.
_EDITED = re.compile(rf"(?<!\s)\s*+<(?:{_alternatives(vocab.EDITED)})>$", re.IGNORECASE)
_ATTACHED_IOS = re.compile(r"<[^<>:]{1,40}: ?([^<>]+)>")
_ATTACHED_ANDROID = re.compile(rf"(.+?\.\w{{1,10}}) \((?:{_alternatives(vocab.FILE_ATTACHED)})\)$")
_LOCATION = re.compile(r"https://(?:maps\.google\.com/\?q=-?\d|foursquare\.com/v/)")


# Exports write some Devanagari letters precomposed, some not: text is compared decomposed (NFD).
def _notice_key(text: str) -> str:
    key = text.strip().rstrip(".。").lower()
    return key if key.isascii() else unicodedata.normalize("NFD", key)


def _canonical(text: str) -> str:
    return text if text.isascii() else unicodedata.normalize("NFD", text)


# Whole-line notices: deleted, or media left out (typed on iOS, generic on Android).
_NOTICES = {_notice_key(p): MessageType.DELETED for p in vocab.DELETED}
_NOTICES |= {_notice_key(p): MessageType.MEDIA for p in vocab.GENERIC_MEDIA_OMITTED}
_NOTICES |= {_notice_key(p): t for t, phrases in vocab.TYPED_MEDIA_OMITTED.items() for p in phrases}
_DOCUMENT_OMITTED = tuple(unicodedata.normalize("NFD", p) for p in vocab.DOCUMENT_OMITTED)
_LONGEST_NOTICE = max(map(len, _NOTICES)) + 2
_OMITTED = AttachmentRef(omitted=True)  # immutable, so every uncaptioned notice can share it
_REMEMBERED_AUTHORS = 10_000  # names kept: system lines with a colon can make many; memory stays flat
_REMEMBERED_BODIES = 2_048  # entry bodies kept...
_SHORT_BODY = 128  # ...of at most this many characters: long ones seldom repeat, and would fill memory
_SHORT_PLAIN_BODY = 40  # plain text bodies kept: longer ones are cheaper to recognize again than to keep


class EntryColumns(NamedTuple):
    """Consecutive entries of the chat, as columns: one item per entry in each list."""

    numbers: list[int]  # line number of each header
    dates: list[str]  # date text of each header
    times: list[str]  # time text of each header
    bodies: list[str]  # what follows each header: author, text, and the continuation lines
    whatsapp_lines: frozenset[int]  # header lines that iOS marked as WhatsApp's own (see marks)


class EntryBuilder:
    """Builds the entries of one chat, batch by batch."""

    def __init__(self, clock: Clock, media: MediaLookup, where: str) -> None:
        self._clock = clock
        self._media = media
        self._where = where
        self._authors: Memo[str, str | None] = Memo(_author, _REMEMBERED_AUTHORS)
        self._contents: Memo[str, Content] = Memo(self._content_of, _REMEMBERED_BODIES, _sharable)
        self._entries_of: Callable[[list[int], list[datetime], list[str]], Iterable[ExportEntry]] = (
            PlainMessages(ExportEntry, self._contents, _SHORT_PLAIN_BODY, self._authors, _NOTICES,
                          _LONGEST_NOTICE, _notice_key, _canonical, _DOCUMENT_OMITTED, MessageType.TEXT).entries
            if PlainMessages else self._remembered_entries
        )

    def build(self, batch: EntryColumns) -> Iterator[Iterable[ExportEntry]]:
        """The batch's entries, in order, in runs: lazy iterables, to be read one after the other.
        Entries before a header with an impossible date come before its SourceError."""
        numbers = batch.numbers
        stamps, bad_stamp = self._clock.timestamps(batch.dates, batch.times)
        start, end = 0, len(stamps)
        for marked in _indexes(numbers, batch.whatsapp_lines, end):
            yield self._unmarked(numbers, stamps, batch.bodies, start, marked)
            yield (self._marked(numbers[marked], stamps[marked], batch.bodies[marked]),)
            start = marked + 1
        yield self._unmarked(numbers, stamps, batch.bodies, start, end)
        if bad_stamp is not None:
            raise SourceError(
                f"{self._where}:{numbers[end]}",
                f"no such date or time with date order {self._clock.order.value}: {bad_stamp}",
            )

    def _unmarked(
        self, numbers: list[int], stamps: list[datetime], bodies: list[str], start: int, end: int
    ) -> Iterable[ExportEntry]:
        """Entries start..end-1, built from the columns with no Python code per entry, but for a
        body not seen before that is not a plain text message."""
        return self._entries_of(numbers[start:end], stamps[start:end], bodies[start:end])

    def _remembered_entries(
        self, numbers: list[int], stamps: list[datetime], bodies: list[str]
    ) -> Iterable[ExportEntry]:
        """What `PlainMessages.entries` gives, without it: every body through the memo."""
        return new_entries(numbers, stamps, map(self._contents.__getitem__, bodies))

    def _marked(self, number: int, stamp: datetime, body: str) -> ExportEntry:
        """An entry on a line iOS marked as WhatsApp's own: a system line if its text says so."""
        content, said = self._contents[body], _AUTHOR.match(body)
        if said and content[0] is not None and _SYSTEM_TEXT.search(body[said.end():].partition("\n")[0]):
            content = _system(body[said.end():])
        return new_entry(number, stamp, content)

    def _content_of(self, body: str) -> Content:
        """Who said what, from an entry's body."""
        said = _AUTHOR.match(body)
        # No author, or 'X changed the subject to "a: b"': the whole line is the text.
        if said is None or (author := self._authors[said["author"]]) is None:
            return _system(body)
        return _message(author, body[said.end():], self._media)


def _indexes(numbers: list[int], wanted: frozenset[int], end: int) -> list[int]:
    """Indexes below `end` of the entries whose line number is `wanted`, in order."""
    if not wanted:
        return []
    indexes = (bisect.bisect_left(numbers, number, 0, end) for number in wanted)
    return sorted(index for index, number in zip(indexes, wanted) if index < end and numbers[index] == number)


def _author(name: str) -> str | None:
    """The author a name stands for; None if the "name" is a group event: a verb of one, then a
    quote (a name is one line: both callers cut it at the first line break)."""
    verb = _EVENT_VERB.search(name)
    return None if verb is not None and _QUOTE.search(name, verb.end()) else name.strip()


def _system(text: str) -> Content:
    return None, text, "system", MessageType.SYSTEM, False, ()


def _message(author: str, text: str, media: MediaLookup) -> Content:
    """What a message with this text says: its type, attachments, and whether it was edited."""
    edited = text[-1:] == ">" and _EDITED.search(text) is not None
    if edited:
        text = _EDITED.sub("", text)
    first, newline, rest = text.partition("\n")
    message_type, attachments = _content(first, newline + rest, text, media)
    return author, text, "message", message_type, edited, attachments


def _sharable(body: str, content: Content) -> bool:
    """Whether entries with this body may share `content`: not when it holds media bytes (memory)."""
    attachments = content[5]
    return len(body) <= _SHORT_BODY and (not attachments or all(a.content is None for a in attachments))


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
    canonical_first = _canonical(first)
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
