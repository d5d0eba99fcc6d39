"""A whole webhook delivery (`{"object": "whatsapp_business_account", "entry": [...]}`) as
normalized messages and statuses.

A delivery can carry several entries, each with several changes: all are read. Changes of other
webhook fields (templates, account updates...) are not conversations and are skipped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eazybe_tasks.sources.cloud_api.errors import read_errors
from eazybe_tasks.sources.cloud_api.fields import (
    as_list,
    as_object,
    as_str,
    child,
    describe,
    display_number,
    optional_list,
    optional_object,
    optional_str,
    required,
)
from eazybe_tasks.sources.cloud_api.messages import ChangeContext, convert_message
from eazybe_tasks.sources.cloud_api.statuses import convert_status
from eazybe_tasks.sources.model import Message, SourceError, StatusUpdate

OBJECT = "whatsapp_business_account"
MESSAGES_FIELD = "messages"


@dataclass
class Delivery:
    messages: list[Message] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    # Errors Meta put on a change rather than on one message ("Unsupported webhook payload"...):
    # also summarized into that change's messages, kept here so a receiver can log them.
    errors: list[dict[str, Any]] = field(default_factory=list)


def parse_delivery(body: Any) -> Delivery:
    """`body` is the decoded JSON of a delivery whose signature was verified. Raises SourceError
    naming the payload path of the first malformed value."""
    envelope = as_object(body, "(delivery)")
    kind = required(envelope, "object", "")
    if kind != OBJECT:
        raise SourceError("object", f"expected {OBJECT!r}, got {describe(kind)}")
    delivery = Delivery()
    entries = required(envelope, "entry", "")
    for entry_index, entry in enumerate(as_list(entries, "entry")):
        entry_where = child("entry", entry_index)
        changes = required(as_object(entry, entry_where), "changes", entry_where)
        for change_index, change in enumerate(as_list(changes, child(entry_where, "changes"))):
            _read_change(change, child(child(entry_where, "changes"), change_index), delivery)
    return delivery


def _read_change(value: Any, where: str, delivery: Delivery) -> None:
    change = as_object(value, where)
    if as_str(required(change, "field", where), child(where, "field")) != MESSAGES_FIELD:
        return
    value_where = child(where, "value")
    payload = as_object(required(change, "value", where), value_where)
    metadata_where = child(value_where, "metadata")
    metadata = as_object(required(payload, "metadata", value_where), metadata_where)
    account_number = display_number(
        required(metadata, "display_phone_number", metadata_where),
        child(metadata_where, "display_phone_number"),
    )
    errors = read_errors(payload.get("errors"), child(value_where, "errors"))
    context = ChangeContext(account_number, _profile_names(payload, value_where), errors)
    messages_where = child(value_where, "messages")
    messages = optional_list(payload, "messages", value_where)
    delivery.messages += [convert_message(message, child(messages_where, index), context)
                          for index, message in enumerate(messages)]
    statuses_where = child(value_where, "statuses")
    delivery.statuses += [convert_status(status, child(statuses_where, index), account_number)
                          for index, status in enumerate(optional_list(payload, "statuses", value_where))]
    delivery.errors += errors


def _profile_names(payload: dict[str, Any], where: str) -> dict[str, str]:
    """Profile names by wa_id and by user_id: contacts may be absent (statuses), and newer
    payloads may identify a user by user_id only."""
    names: dict[str, str] = {}
    contacts_where = child(where, "contacts")
    for index, item in enumerate(optional_list(payload, "contacts", where)):
        contact_where = child(contacts_where, index)
        contact = as_object(item, contact_where)
        name = optional_str(optional_object(contact, "profile", contact_where), "name",
                            child(contact_where, "profile"))
        for key in ("wa_id", "user_id"):
            user = optional_str(contact, key, contact_where)
            if name and user:
                names[user] = name
    return names
