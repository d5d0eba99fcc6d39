"""What a delivery says besides messages and statuses: who the WhatsApp users are (business-scoped
user ids beside or instead of phones), the seller's Business-app address book, history progress and
account events. Normalized like messages, so the store keeps them without knowing the payloads."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

# "US.13491208655302741918"; a parent id is "US.ENT.11815799212886844830".
_USER_ID = re.compile(r"[A-Z]{2}\.(?:ENT\.)?[A-Za-z0-9]{1,128}")


def is_user_id(value: str) -> bool:
    """Whether `value` has the form of a business-scoped user id."""
    return _USER_ID.fullmatch(value) is not None


@dataclass(frozen=True)
class WhatsAppUser:
    """One user as a delivery names them. A business-scoped user id (BSUID, `CC.` and up to 128
    letters and digits) is scoped to the business portfolio, so the id alone identifies them."""

    user_id: str
    phone: str | None = None  # E.164, when Meta shared it
    parent_user_id: str | None = None
    username: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class HandleChange:
    """A user now known by a new phone or a new BSUID (system messages `user_changed_number`,
    `user_changed_user_id`): their chat goes on under the new handle."""

    account_number: str
    old: str  # E.164 or BSUID
    new: str


@dataclass(frozen=True)
class AddressBookEntry:
    """A contact of the seller's WhatsApp Business app (`smb_app_state_sync`)."""

    account_number: str
    phone: str  # E.164
    name: str | None
    removed: bool
    at: datetime


@dataclass(frozen=True)
class HistoryChunk:
    """One chunk of a Business-app history sync; a declined sync is a chunk with `declined`."""

    account_number: str
    phase: int | None  # 0: day 0-1, 1: days 1-90, 2: days 90-180
    chunk_order: int | None
    progress: int | None  # 0-100, over the whole sync
    messages: int
    declined: str | None = None  # Meta's error, summarized, when the business declined sharing


@dataclass(frozen=True)
class AccountEvent:
    """An `account_update` event of a WhatsApp Business Account (WABA), e.g. offboarding."""

    waba_id: str
    event: str
    reason: str | None
    at: datetime


@dataclass(frozen=True)
class NumberSeen:
    """The ids Meta gives a business number: the Graph API addresses the number by its id."""

    account_number: str
    phone_number_id: str | None
    waba_id: str | None


@dataclass
class AccountFacts:
    users: list[WhatsAppUser] = field(default_factory=list)
    handle_changes: list[HandleChange] = field(default_factory=list)
    address_book: list[AddressBookEntry] = field(default_factory=list)
    history: list[HistoryChunk] = field(default_factory=list)
    account_events: list[AccountEvent] = field(default_factory=list)
    numbers: list[NumberSeen] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.users, self.handle_changes, self.address_book, self.history, self.account_events,
                    self.numbers))
