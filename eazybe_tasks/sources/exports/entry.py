"""What the export parser yields: one entry per message or system line of the chat text."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum

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
