"""The normalized message every source produces and the store keeps.

One shape for all sources, so matching and the writer never need to know where a message came
from. Timestamps are timezone-aware UTC; phone numbers are E.164 ("+" and digits).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Any


# How far after now a message's time may be, in every source: clocks differ by seconds, a time
# days ahead is a bug or a forgery (a wrong year, a phone's clock far off, dates read in the wrong
# order), and would sort after every real message forever.
FUTURE_LIMIT = timedelta(days=1)


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Source(str, Enum):
    CLOUD_API = "cloud_api"
    CHAT_EXPORT = "chat_export"
    FEED = "feed"
    BUSINESS_APP = "business_app"  # coexistence: what the seller did in the WhatsApp Business app


class Direction(str, Enum):
    INBOUND = "inbound"  # from the customer (or another group member) to the business
    OUTBOUND = "outbound"  # from the business account
    SYSTEM = "system"  # WhatsApp's own notices: joins, leaves, encryption, number changes


class MessageType(str, Enum):
    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    VOICE = "voice"
    DOCUMENT = "document"
    MEDIA = "media"  # media whose kind the source does not say: an export's "<Media omitted>"
    STICKER = "sticker"
    LOCATION = "location"
    CONTACTS = "contacts"
    INTERACTIVE = "interactive"  # button or list reply
    BUTTON = "button"  # quick-reply button of a template
    REACTION = "reaction"
    ORDER = "order"
    SYSTEM = "system"
    DELETED = "deleted"
    UNSUPPORTED = "unsupported"  # a type WhatsApp itself does not support
    UNKNOWN = "unknown"  # a type this toolkit does not know yet: stored as such, never dropped


@dataclass(frozen=True)
class AttachmentRef:
    """Media belonging to a message. Either the bytes are at hand (`content`, from a .zip export),
    or they are to be fetched (`media_id`, from the Cloud API), or they were left out (`omitted`)."""

    file_name: str | None = None
    mime_type: str | None = None
    media_id: str | None = None
    sha256: str | None = None
    caption: str | None = None
    omitted: bool = False
    content: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class Message:
    source: Source
    source_id: str  # stable: the same message seen again has the same id
    account_number: str  # the business WhatsApp number, E.164
    chat_id: str  # 1:1: the customer's E.164 number; group: the group's id
    is_group: bool
    direction: Direction
    type: MessageType
    sent_at: datetime  # aware, UTC
    body: str = ""
    sender: str | None = None  # E.164 number when known
    sender_name: str | None = None  # display name when known
    chat_name: str | None = None
    status: str | None = None  # sent, delivered, read, played, failed (outbound)
    edited: bool = False
    reply_to: str | None = None  # source_id of the message this one answers or reacts to
    attachments: tuple[AttachmentRef, ...] = ()
    raw: Any = field(default=None, compare=False)  # the source's own record, kept for the audit
    user_id: str | None = None  # 1:1: the customer's business-scoped WhatsApp user id (BSUID), when sent


@dataclass(frozen=True)
class StatusUpdate:
    """A delivery status of an outbound message (Cloud API statuses)."""

    source_id: str  # the message's id
    account_number: str
    recipient: str | None  # E.164
    status: str  # sent, delivered, read, played, failed, deleted
    at: datetime  # aware, UTC
    errors: tuple[dict[str, Any], ...] = ()
    raw: Any = field(default=None, compare=False)


class SourceError(ValueError):
    """Bad input, with where it is (file and line, or payload path) and what was expected."""

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem
