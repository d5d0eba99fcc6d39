"""What Meta does for coexistence numbers, without HTTP: accept each sync request once per
number and queue its webhooks (contacts, history chunks or the declined-history error), and send
the webhooks that follow onboarding (echoes, contact changes, offboarding) when told to."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from typing import Callable, Literal

from eazybe_local_graph import payloads
from eazybe_local_graph.business_app import AppContact, BusinessNumber
from eazybe_local_graph.graph_errors import already_requested, unknown_object
from eazybe_local_graph.history import plan_history
from eazybe_local_graph.ids import random_id, wamid
from eazybe_local_graph.payloads import Body, OffboardEvent
from eazybe_local_graph.sender import Sender
from eazybe_local_graph.worker import DeliveryQueue

SyncType = Literal["smb_app_state_sync", "history"]
SYNC_TYPES: tuple[str, ...] = ("smb_app_state_sync", "history")
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Coexistence:
    def __init__(self, numbers: list[BusinessNumber], sender: Sender, queue: DeliveryQueue,
                 clock: Clock = utc_now) -> None:
        by_id: dict[str, BusinessNumber] = {}
        for number in numbers:
            if number.phone_number_id in by_id:
                raise ValueError(f"two numbers have the phone_number_id {number.phone_number_id!r}")
            by_id[number.phone_number_id] = number
        self._numbers = by_id
        self._sender = sender
        self._queue = queue
        self._clock = clock
        self._lock = threading.Lock()
        self._requested: set[tuple[str, str]] = set()

    def number(self, phone_number_id: str) -> BusinessNumber:
        """The number with that id, else the Graph error for an unknown object."""
        try:
            return self._numbers[phone_number_id]
        except KeyError:
            raise unknown_object(phone_number_id) from None

    def _by_waba(self, waba_id: str) -> BusinessNumber:
        for number in self._numbers.values():
            if number.waba_id == waba_id:
                return number
        raise KeyError(f"no number belongs to the WABA {waba_id!r}")

    def request_sync(self, phone_number_id: str, sync_type: SyncType, after: threading.Event | None = None) -> str:
        """Accepts the first request of `sync_type` for the number and queues its webhooks (they
        start once `after` is set); returns the request_id. A repeat raises a GraphError."""
        if sync_type not in SYNC_TYPES:
            raise ValueError(f"unknown sync_type {sync_type!r}")
        number = self.number(phone_number_id)
        with self._lock:
            if (phone_number_id, sync_type) in self._requested:
                raise already_requested(sync_type)
            self._requested.add((phone_number_id, sync_type))
        onboarded_at = self._clock()
        bodies: list[Body]
        if sync_type == "smb_app_state_sync":
            bodies = [payloads.contacts_onboarding(number, onboarded_at)] if number.contacts else []
            kind = "contacts"
        elif number.decline_history:
            bodies, kind = [payloads.history_declined(number)], "history"
        else:
            bodies = [payloads.history_chunk(number, chunk) for chunk in plan_history(number, onboarded_at)]
            kind = "history"
        self._queue_bodies(kind, bodies, after)
        return random_id()

    def _queue_bodies(self, kind: str, bodies: list[Body], after: threading.Event | None = None) -> None:
        def deliver_all() -> None:
            for body in bodies:
                self._sender.deliver(kind, body)

        if bodies:
            self._queue.submit(deliver_all, after)

    def send_echo(self, phone_number_id: str, to_digits: str, text: str, sent_at: datetime | None = None) -> Body:
        """Queues the echo of a text the business sent to `to_digits` from the app; returns its body."""
        number = self.number(phone_number_id)
        moment = sent_at or self._clock()
        message_id = wamid(number.display_phone_number, to_digits, f"echo|{moment.isoformat()}|{text}|{random_id()}")
        body = payloads.message_echo(number, to_digits, text, moment, message_id)
        self._queue_bodies("echo", [body])
        return body

    def sync_contact(self, phone_number_id: str, contact: AppContact, at: datetime | None = None) -> Body:
        """Queues the state sync of a contact added or edited in the app after onboarding."""
        number = self.number(phone_number_id)
        body = payloads.contacts_sync(number, [payloads.contact_change(contact, "add", at or self._clock())])
        self._queue_bodies("contacts", [body])
        return body

    def remove_contact(self, phone_number_id: str, phone_number: str, at: datetime | None = None) -> Body:
        """Queues the state sync of a contact deleted from the app after onboarding."""
        number = self.number(phone_number_id)
        body = payloads.contacts_sync(number, [payloads.contact_change(phone_number, "remove", at or self._clock())])
        self._queue_bodies("contacts", [body])
        return body

    def offboard(self, waba_id: str, event: OffboardEvent = "PARTNER_REMOVED", at: datetime | None = None) -> Body:
        """Queues the account_update webhook of the WABA leaving coexistence; returns its body."""
        body = payloads.offboarding(self._by_waba(waba_id), event, at or self._clock())
        self._queue_bodies("offboarding", [body])
        return body
