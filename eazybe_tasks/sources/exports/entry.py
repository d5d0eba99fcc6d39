"""What the export parser yields: one entry per message or system line of the chat text."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Callable

from eazybe_tasks.sources.model import AttachmentRef, MessageType


class DateOrder(str, Enum):
    """Order of the numeric date fields; exports do not say which one they use."""

    DMY = "dmy"
    MDY = "mdy"
    YMD = "ymd"


@dataclass(frozen=True, slots=True)
class ExportEntry:
    line_number: int  # 1-based line of the entry's first line in the chat text
    timestamp: datetime  # naive: the exporting phone's local time, the export has no zone
    author: str | None  # as written (display name or phone number); None for system lines
    text: str  # whole message, continuation lines joined with "\n", invisible marks removed
    kind: str  # "message" or "system"
    type: MessageType
    edited: bool = False
    attachments: tuple[AttachmentRef, ...] = ()


# Who said what, all of an entry but where and when: author, text, kind, type, edited,
# attachments. A plain tuple, cheap to make; chats repeat messages ("ok", "<Media omitted>"), and
# every entry in which the same author says the same shares one.
Content = tuple[str | None, str, str, MessageType, bool, tuple[AttachmentRef, ...]]


class _Unfrozen:
    """Builds an ExportEntry at a fraction of the cost of ExportEntry(...).

    A frozen dataclass sets each field through object.__setattr__, which dominated parsing. This
    class has the same slots, so it fills them with plain stores and then becomes an ExportEntry
    (a __class__ change between classes of identical layout): the result is an ordinary, frozen
    ExportEntry. It takes the shared `Content` whole, so `map` can build entries from columns."""

    __slots__ = ExportEntry.__slots__

    def __init__(self, line_number: int, timestamp: datetime, content: Content) -> None:
        self.line_number = line_number
        self.timestamp = timestamp
        self.author, self.text, self.kind, self.type, self.edited, self.attachments = content
        self.__class__ = ExportEntry


new_entry: Callable[[int, datetime, Content], ExportEntry] = _Unfrozen  # type: ignore[assignment]
