"""What a WhatsApp Business app phone number holds when its owner onboards to coexistence: its
address book and chat history, plus how Meta will share them (declined, chunk size, order).

Plain dataclasses, checked on construction, so a wrong fixture fails where it is written rather
than as an odd webhook later."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

HISTORY_STATUSES = frozenset({"READ", "DELIVERED", "SENT", "PLAYED", "ERROR", "PENDING"})
_GRAPH_ID = re.compile(r"[A-Za-z0-9_-]+")  # Meta's are digits; anything that fits in a URL path segment


def check_digits(value: str, what: str) -> str:
    """Returns `value` if it is a phone number written as digits only (as Meta writes them)."""
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        raise ValueError(f"{what} must be digits only, got {value!r}")
    return value


@dataclass(frozen=True)
class AppContact:
    """One entry of the business app's address book."""

    full_name: str
    first_name: str
    phone_number: str  # digits, e.g. "16505551234"

    def __post_init__(self) -> None:
        check_digits(self.phone_number, "AppContact.phone_number")


@dataclass(frozen=True)
class HistoryMessage:
    """One text message of a chat, as the app has it. `id` None: derived from the content
    (eazybe_local_graph.ids.history_message_id), so the same fixture always gives the same wamid."""

    from_business: bool
    text: str
    sent_at: datetime  # timezone-aware
    id: str | None = None
    status: str = "READ"

    def __post_init__(self) -> None:
        if self.sent_at.tzinfo is None or self.sent_at.utcoffset() is None:
            raise ValueError("HistoryMessage.sent_at must be timezone-aware")
        if self.sent_at.utcoffset() != timedelta(0):
            raise ValueError("HistoryMessage.sent_at must be in UTC")
        if self.status not in HISTORY_STATUSES:
            raise ValueError(f"HistoryMessage.status must be one of {sorted(HISTORY_STATUSES)}, got {self.status!r}")


@dataclass(frozen=True)
class Thread:
    """The chat with one customer (`user`: their phone number, digits)."""

    user: str
    messages: list[HistoryMessage] = field(default_factory=list)

    def __post_init__(self) -> None:
        check_digits(self.user, "Thread.user")


@dataclass(frozen=True)
class BusinessNumber:
    """A business app phone number and what Meta shares for it on onboarding.

    `chunk_messages`: the most messages in one history webhook. `shuffle_chunks`: deliver each
    phase's chunks out of order, as Meta may (their `chunk_order` stays right).
    `owner_business_id`: the Meta business portfolio owning the WABA (offboarding webhooks name it);
    None: derived from `waba_id`."""

    display_phone_number: str  # digits, e.g. "15550783881"
    phone_number_id: str
    waba_id: str
    contacts: list[AppContact] = field(default_factory=list)
    threads: list[Thread] = field(default_factory=list)
    decline_history: bool = False
    chunk_messages: int = 500
    shuffle_chunks: bool = False
    owner_business_id: str | None = None

    def __post_init__(self) -> None:
        check_digits(self.display_phone_number, "BusinessNumber.display_phone_number")
        for name in ("phone_number_id", "waba_id"):
            if not _GRAPH_ID.fullmatch(getattr(self, name)):
                raise ValueError(f"BusinessNumber.{name} must be letters, digits, '_' or '-'")
        if self.chunk_messages < 1:
            raise ValueError("BusinessNumber.chunk_messages must be at least 1")
        users = [thread.user for thread in self.threads]
        if len(users) != len(set(users)):
            raise ValueError("BusinessNumber.threads has several threads with the same user")
