"""The webhook bodies Meta sends for coexistence, as dicts: contacts (smb_app_state_sync),
history, declined history, echoes of what the business sent from the app (smb_message_echoes)
and offboarding (account_update). Only shapes here: what to send and when is decided elsewhere."""
from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any, Literal

from eazybe_local_graph.business_app import AppContact, BusinessNumber, check_digits
from eazybe_local_graph.history import HistoryChunk
from eazybe_local_graph.ids import history_message_id

Body = dict[str, Any]
OffboardEvent = Literal["PARTNER_REMOVED", "ACCOUNT_OFFBOARDED"]
OFFBOARD_EVENTS: tuple[str, ...] = ("PARTNER_REMOVED", "ACCOUNT_OFFBOARDED")

HISTORY_DECLINED_CODE = 2593109
HISTORY_DECLINED_TITLE = "History sharing is turned off by the business"


def unix_seconds(moment: datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("timestamps must be timezone-aware")
    return int(moment.timestamp())


def _metadata(number: BusinessNumber) -> Body:
    return {"display_phone_number": number.display_phone_number, "phone_number_id": number.phone_number_id}


def _envelope(number: BusinessNumber, field: str, value: Body) -> Body:
    return {"object": "whatsapp_business_account",
            "entry": [{"id": number.waba_id, "changes": [{"field": field, "value": value}]}]}


def contact_change(contact: AppContact | str, action: Literal["add", "remove"], at: datetime) -> Body:
    """One state_sync item: an added (or edited) contact, or a removed one (given by its phone
    number, digits; a removal carries no names)."""
    if action == "add":
        if not isinstance(contact, AppContact):
            raise TypeError("adding a contact needs an AppContact")
        described: Body = {"full_name": contact.full_name, "first_name": contact.first_name,
                           "phone_number": contact.phone_number}
    elif action == "remove":
        phone = contact.phone_number if isinstance(contact, AppContact) else check_digits(contact, "phone number")
        described = {"phone_number": phone}
    else:
        raise ValueError(f"unknown contact action {action!r}")
    return {"type": "contact", "contact": described, "action": action,
            "metadata": {"timestamp": str(unix_seconds(at))}}


def contacts_sync(number: BusinessNumber, changes: list[Body]) -> Body:
    """An smb_app_state_sync webhook carrying `changes` (items from contact_change)."""
    return _envelope(number, "smb_app_state_sync", {
        "messaging_product": "whatsapp", "metadata": _metadata(number), "state_sync": changes,
    })


def contacts_onboarding(number: BusinessNumber, at: datetime) -> Body:
    """The contacts sync after onboarding: every contact of the address book, added."""
    return contacts_sync(number, [contact_change(contact, "add", at) for contact in number.contacts])


def history_chunk(number: BusinessNumber, chunk: HistoryChunk) -> Body:
    """A history webhook for one chunk. The business's own messages are from its number and carry
    `to`; the customer's are from the customer and carry no `to`."""
    business = number.display_phone_number
    threads = []
    for part in chunk.threads:
        messages = []
        for message in part.messages:
            shaped: Body = {"from": business if message.from_business else part.user}
            if message.from_business:
                shaped["to"] = part.user
            shaped.update({
                "id": message.id or history_message_id(business, part.user, message.from_business,
                                                       message.sent_at, message.text),
                "timestamp": str(unix_seconds(message.sent_at)),
                "type": "text",
                "text": {"body": message.text},
                "history_context": {"status": message.status},
            })
            messages.append(shaped)
        threads.append({"id": part.user, "messages": messages})
    return _envelope(number, "history", {
        "messaging_product": "whatsapp", "metadata": _metadata(number),
        "history": [{"metadata": {"phase": chunk.phase, "chunk_order": chunk.chunk_order,
                                  "progress": chunk.progress},
                     "threads": threads}],
    })


def history_declined(number: BusinessNumber) -> Body:
    """The history webhook when the business chose not to share its chat history."""
    return _envelope(number, "history", {
        "messaging_product": "whatsapp", "metadata": _metadata(number),
        "history": [{"errors": [{
            "code": HISTORY_DECLINED_CODE, "title": HISTORY_DECLINED_TITLE, "message": HISTORY_DECLINED_TITLE,
            "error_data": {"details": "The business declined to share chat history."},
        }]}],
    })


def message_echo(number: BusinessNumber, to: str, text: str, sent_at: datetime, message_id: str) -> Body:
    """An smb_message_echoes webhook: a text the business just sent to `to` from the app."""
    check_digits(to, "echo recipient")
    return _envelope(number, "smb_message_echoes", {
        "messaging_product": "whatsapp", "metadata": _metadata(number),
        "message_echoes": [{"from": number.display_phone_number, "to": to, "id": message_id,
                            "timestamp": str(unix_seconds(sent_at)), "type": "text", "text": {"body": text}}],
    })


def owner_business_id(number: BusinessNumber) -> str:
    """The business portfolio owning the number's WABA: as configured, else a stable made-up one."""
    if number.owner_business_id:
        return number.owner_business_id
    return str(10 ** 14 + int(hashlib.sha256(number.waba_id.encode()).hexdigest()[:12], 16) % 10 ** 14)


def offboarding(number: BusinessNumber, event: OffboardEvent, at: datetime) -> Body:
    """An account_update webhook: the partner was removed (Meta disconnected the app, here for the
    primary device's inactivity) or the business offboarded from coexistence."""
    if event not in OFFBOARD_EVENTS:
        raise ValueError(f"event must be one of {OFFBOARD_EVENTS}, got {event!r}")
    value: Body = {"event": event,
                   "waba_info": {"waba_id": number.waba_id, "owner_business_id": owner_business_id(number)}}
    if event == "PARTNER_REMOVED":
        value["disconnection_info"] = {"reason": "PRIMARY_INACTIVITY", "initiated_by": "SYSTEM"}
    return {"object": "whatsapp_business_account",
            "entry": [{"id": number.waba_id, "time": unix_seconds(at),
                       "changes": [{"field": "account_update", "value": value}]}]}
