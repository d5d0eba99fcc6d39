"""What the export parser yields: one entry per message or system line of the chat text."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from enum import Enum
from functools import partial
from operator import add
from typing import NamedTuple

from eazybe_tasks.sources.model import AttachmentRef, MessageType


class DateOrder(str, Enum):
    """Order of the numeric date fields; exports do not say which one they use."""

    DMY = "dmy"
    MDY = "mdy"
    YMD = "ymd"


class ExportEntry(NamedTuple):
    """A named tuple (immutable, and built from columns with no Python code per entry)."""

    line_number: int  # 1-based line of the entry's first line in the chat text
    timestamp: datetime  # naive: the exporting phone's local time, the export has no zone
    author: str | None  # as written (display name or phone number); None for system lines
    text: str  # whole message, continuation lines joined with "\n", invisible marks removed
    kind: str  # "message" or "system"
    type: MessageType
    edited: bool = False
    attachments: tuple[AttachmentRef, ...] = ()


# Who said what, all of an entry but where and when: author, text, kind, type, edited,
# attachments. Chats repeat messages ("ok", "<Media omitted>"), and every entry in which the same
# author says the same is built from one.
Content = tuple[str | None, str, str, MessageType, bool, tuple[AttachmentRef, ...]]

_from_fields = partial(tuple.__new__, ExportEntry)


def new_entry(line_number: int, timestamp: datetime, content: Content) -> ExportEntry:
    return _from_fields((line_number, timestamp, *content))


def new_entries(
    line_numbers: Iterable[int], timestamps: Iterable[datetime], contents: Iterable[Content]
) -> Iterator[ExportEntry]:
    """Entries from columns, lazily, by `map` alone."""
    return map(_from_fields, map(add, zip(line_numbers, timestamps), contents))
