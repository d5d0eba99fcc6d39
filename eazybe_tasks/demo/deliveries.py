"""Sample WhatsApp Cloud API webhook deliveries, shaped as Meta sends them: an envelope per
business account with the senders' profiles, their messages (text, image, document, location,
reaction, replies, a group) and statuses of messages the business sent.

Ids derive from the content and the day, so a delivery built twice on one day is the same
delivery, as Meta's retries are."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eazybe_tasks.demo.cast import Business
from eazybe_tasks.demo.moments import Moment


@dataclass(frozen=True)
class Inbound:
    when: Moment
    sender: str  # E.164
    profile: str  # the name the sender set in WhatsApp
    kind: str  # text, image, document, location or reaction
    text: str = ""  # the body, a caption, a document's file name, a place, or a reaction's emoji
    replies_to: "Inbound | None" = None  # a reply quotes it; a reaction reacts to it
    group_id: str | None = None


@dataclass(frozen=True)
class Status:
    when: Moment
    recipient: str  # E.164
    status: str  # sent, delivered, read
    about: str  # what the business sent: the message's id derives from it


@dataclass(frozen=True)
class Delivery:
    business: Business
    messages: tuple[Inbound, ...] = ()
    statuses: tuple[Status, ...] = ()


def _digest(*parts: object) -> str:
    return hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()


class _Builder:
    def __init__(self, delivery: Delivery, now: datetime) -> None:
        self.business, self.now = delivery.business, now

    def timestamp(self, when: Moment) -> str:
        return str(int(when.utc(self.now, self.business.time_zone).timestamp()))

    def message_id(self, message: Inbound) -> str:
        return "wamid." + _digest(self.business.number, message.sender, self.timestamp(message.when), message.text)[:40]

    def message(self, message: Inbound) -> dict[str, Any]:
        body: dict[str, Any] = {"from": message.sender.lstrip("+"), "id": self.message_id(message),
                                "timestamp": self.timestamp(message.when), "type": message.kind}
        media_id = str(int(_digest(self.message_id(message), "media")[:12], 16))
        if message.kind == "text":
            body["text"] = {"body": message.text}
        elif message.kind == "image":
            body["image"] = {"mime_type": "image/jpeg", "sha256": _digest(media_id)[:44], "id": media_id,
                             **({"caption": message.text} if message.text else {})}
        elif message.kind == "document":
            body["document"] = {"filename": message.text, "mime_type": "application/pdf",
                                "sha256": _digest(media_id)[:44], "id": media_id}
        elif message.kind == "location":
            name, _, address = message.text.partition(", ")
            body["location"] = {"latitude": 51.4545, "longitude": -0.9781, "name": name, "address": address}
        elif message.kind == "reaction":
            assert message.replies_to is not None, "a reaction names the message it reacts to"
            body["reaction"] = {"message_id": self.message_id(message.replies_to), "emoji": message.text}
        if message.replies_to is not None and message.kind != "reaction":
            body["context"] = {"from": message.replies_to.sender.lstrip("+"),
                               "id": self.message_id(message.replies_to)}
        if message.group_id:
            body["group_id"] = message.group_id
        return body

    def status(self, status: Status) -> dict[str, Any]:
        return {"id": "wamid." + _digest(self.business.number, status.recipient, status.about)[:40],
                "status": status.status, "timestamp": self.timestamp(status.when),
                "recipient_id": status.recipient.lstrip("+")}


def payload(delivery: Delivery, now: datetime) -> bytes:
    """The delivery's body, as the bytes Meta would sign."""
    build = _Builder(delivery, now)
    number = delivery.business.number.lstrip("+")
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": number, "phone_number_id": str(int(_digest(number)[:13], 16))},
    }
    profiles = {m.sender: m.profile for m in delivery.messages}
    if profiles:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": sender.lstrip("+")} for sender, name in profiles.items()]
        value["messages"] = [build.message(m) for m in delivery.messages]
    if delivery.statuses:
        value["statuses"] = [build.status(s) for s in delivery.statuses]
    envelope = {"object": "whatsapp_business_account",
                "entry": [{"id": str(int(_digest("waba", number)[:15], 16)), "changes": [{"field": "messages", "value": value}]}]}
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
