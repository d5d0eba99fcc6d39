"""A whole webhook delivery (`{"object": "whatsapp_business_account", "entry": [...]}`) as
normalized messages, statuses and account facts.

A delivery can carry several entries, each with several changes: all are read. The fields read
are `messages`, the coexistence fields (`smb_message_echoes`, `history`, `smb_app_state_sync`) and
the offboarding events of `account_update`; changes of other webhook fields (templates, quality...)
are not conversations and are skipped.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from eazybe_tasks.sources.account_facts import AccountFacts, NumberSeen, WhatsAppUser
from eazybe_tasks.sources.cloud_api.account_update import read_account_update
from eazybe_tasks.sources.cloud_api.coexistence import read_echoes, read_history, read_state_sync
from eazybe_tasks.sources.cloud_api.errors import read_errors
from eazybe_tasks.sources.cloud_api.fields import (
    as_list,
    as_object,
    as_str,
    child,
    describe,
    display_number,
    optional_list,
    optional_str,
    required,
)
from eazybe_tasks.sources.cloud_api.handle_changes import handle_change
from eazybe_tasks.sources.cloud_api.messages import ChangeContext, convert_message
from eazybe_tasks.sources.cloud_api.profiles import read_profiles, users_of
from eazybe_tasks.sources.cloud_api.statuses import convert_status, status_user
from eazybe_tasks.sources.model import Message, Source, SourceError, StatusUpdate

OBJECT = "whatsapp_business_account"
MESSAGES_FIELD = "messages"
ECHOES_FIELD = "smb_message_echoes"
HISTORY_FIELD = "history"
STATE_SYNC_FIELD = "smb_app_state_sync"
ACCOUNT_UPDATE_FIELD = "account_update"
NUMBER_FIELDS = frozenset({MESSAGES_FIELD, ECHOES_FIELD, HISTORY_FIELD, STATE_SYNC_FIELD})


@dataclass
class Delivery:
    messages: list[Message] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    # Errors Meta put on a change rather than on one message ("Unsupported webhook payload"...):
    # also summarized into that change's messages, kept here so a receiver can log them.
    errors: list[dict[str, Any]] = field(default_factory=list)
    facts: AccountFacts = field(default_factory=AccountFacts)


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
        entry_object = as_object(entry, entry_where)
        changes = required(entry_object, "changes", entry_where)
        for change_index, change in enumerate(as_list(changes, child(entry_where, "changes"))):
            _read_change(entry_object, entry_where, change, child(child(entry_where, "changes"), change_index),
                         delivery)
    delivery.facts.users = list(dict.fromkeys(delivery.facts.users))
    delivery.facts.numbers = list(dict.fromkeys(delivery.facts.numbers))
    return delivery


def _read_change(entry: dict[str, Any], entry_where: str, value: Any, where: str, delivery: Delivery) -> None:
    change = as_object(value, where)
    kind = as_str(required(change, "field", where), child(where, "field"))
    if kind not in NUMBER_FIELDS | {ACCOUNT_UPDATE_FIELD}:
        return
    value_where = child(where, "value")
    payload = as_object(required(change, "value", where), value_where)
    if kind == ACCOUNT_UPDATE_FIELD:
        event = read_account_update(entry, entry_where, payload, value_where)
        if event is not None:
            delivery.facts.account_events.append(event)
        return
    metadata_where = child(value_where, "metadata")
    metadata = as_object(required(payload, "metadata", value_where), metadata_where)
    account_number = display_number(
        required(metadata, "display_phone_number", metadata_where),
        child(metadata_where, "display_phone_number"),
    )
    waba_id = entry.get("id")
    delivery.facts.numbers.append(NumberSeen(
        account_number, optional_str(metadata, "phone_number_id", metadata_where),
        waba_id if isinstance(waba_id, str) and waba_id else None))
    if kind == STATE_SYNC_FIELD:
        delivery.facts.address_book += read_state_sync(payload, value_where, account_number)
        return
    errors = read_errors(payload.get("errors"), child(value_where, "errors"))
    profiles = read_profiles(payload, value_where)
    delivery.facts.users += users_of(profiles)
    context = ChangeContext(account_number, profiles, errors,
                            Source.CLOUD_API if kind == MESSAGES_FIELD else Source.BUSINESS_APP)
    if kind == ECHOES_FIELD:
        messages = read_echoes(payload, value_where, context)
    elif kind == HISTORY_FIELD:
        messages = read_history(payload, value_where, context, delivery.facts)
    else:
        messages = _read_messages(payload, value_where, context, delivery.facts)
    delivery.messages += messages
    delivery.facts.users += _users_of_messages(messages)
    statuses_where = child(value_where, "statuses")
    statuses = [convert_status(status, child(statuses_where, index), account_number)
                for index, status in enumerate(optional_list(payload, "statuses", value_where))]
    delivery.statuses += statuses
    delivery.facts.users += [user for user in map(status_user, statuses) if user is not None]
    delivery.errors += errors


def _read_messages(payload: dict[str, Any], where: str, context: ChangeContext, facts: AccountFacts) -> list[Message]:
    """`value.messages`, and the handle changes its system messages announce."""
    messages_where = child(where, "messages")
    found = []
    for index, raw in enumerate(optional_list(payload, "messages", where)):
        message = convert_message(raw, child(messages_where, index), context)
        change = handle_change(raw, message, child(messages_where, index))
        if change is not None:
            facts.handle_changes.append(change)
        found.append(message)
    return found


def _users_of_messages(messages: list[Message]) -> list[WhatsAppUser]:
    """Users a message names with its BSUID and phone though the change has no contacts for them
    (echoes, history)."""
    return [WhatsAppUser(m.user_id, m.chat_id if m.chat_id.startswith("+") else None)
            for m in messages if m.user_id is not None and not m.is_group]
