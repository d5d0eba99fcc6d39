"""The webhook fields of a number on both the WhatsApp Business app and the Cloud API
(coexistence): `smb_message_echoes` (what the seller sent from the app), `history` (up to 180
days of the app's chats, in phases and chunks) and `smb_app_state_sync` (the app's contacts).

Echoes and history are messages like any other, marked as the Business app's: a history message
that also came live is the same message (same id), which the store keeps once."""
from __future__ import annotations

from typing import Any

from eazybe_tasks.sources.account_facts import AccountFacts, AddressBookEntry, HistoryChunk
from eazybe_tasks.sources.cloud_api.errors import read_errors, summarize
from eazybe_tasks.sources.cloud_api.fields import (
    as_id,
    as_number,
    as_object,
    child,
    describe,
    objects,
    optional_list,
    optional_object,
    optional_str,
    required,
    unix_time,
    wa_number,
)
from eazybe_tasks.sources.cloud_api.messages import ChangeContext, convert_message
from eazybe_tasks.sources.model import Message, SourceError


def read_echoes(payload: dict[str, Any], where: str, context: ChangeContext) -> list[Message]:
    echoes_where = child(where, "message_echoes")
    return [convert_message(echo, child(echoes_where, index), context)
            for index, echo in enumerate(optional_list(payload, "message_echoes", where))]


def read_history(payload: dict[str, Any], where: str, context: ChangeContext,
                 facts: AccountFacts) -> list[Message]:
    """The messages of every thread of every chunk; each chunk's progress goes to `facts`."""
    found: list[Message] = []
    for chunk, chunk_where in objects(payload, "history", where):
        errors = read_errors(chunk.get("errors"), child(chunk_where, "errors"))
        metadata_where = child(chunk_where, "metadata")
        metadata = optional_object(chunk, "metadata", chunk_where)
        messages = _thread_messages(chunk, chunk_where, context)
        facts.history.append(HistoryChunk(
            context.account_number, _small_int(metadata, "phase", metadata_where, 2),
            _small_int(metadata, "chunk_order", metadata_where, None), _small_int(metadata, "progress", metadata_where, 100),
            len(messages), summarize(errors) if errors else None))
        found += messages
    return found


def _thread_messages(chunk: dict[str, Any], where: str, context: ChangeContext) -> list[Message]:
    found: list[Message] = []
    for thread, thread_where in objects(chunk, "threads", where):
        user = as_id(required(thread, "id", thread_where), child(thread_where, "id"))
        messages_where = child(thread_where, "messages")
        found += [convert_message(message, child(messages_where, position), context, thread=user)
                  for position, message in enumerate(optional_list(thread, "messages", thread_where))]
    return found


def _small_int(mapping: dict[str, Any], key: str, where: str, highest: int | None) -> int | None:
    """A phase, chunk order or progress: a whole number, sent as a number or a numeric string."""
    value = mapping.get(key)
    if value is None:
        return None
    number = int(value) if isinstance(value, str) and value.isdigit() else as_number(value, child(where, key))
    if number != int(number) or number < 0 or (highest is not None and number > highest):
        bound = f"0 to {highest}" if highest is not None else "0 or more"
        raise SourceError(child(where, key), f"expected a whole number {bound}, got {describe(value)}")
    return int(number)


def read_state_sync(payload: dict[str, Any], where: str, account_number: str) -> list[AddressBookEntry]:
    """The app's contacts added, edited (action add) or removed; other state types are skipped."""
    entries: list[AddressBookEntry] = []
    for state, item_where in objects(payload, "state_sync", where):
        if optional_str(state, "type", item_where) != "contact":
            continue
        contact_where = child(item_where, "contact")
        contact = as_object(required(state, "contact", item_where), contact_where)
        action = optional_str(state, "action", item_where)
        if action not in ("add", "remove"):
            raise SourceError(child(item_where, "action"), f"expected 'add' or 'remove', got {describe(action)}")
        metadata_where = child(item_where, "metadata")
        entries.append(AddressBookEntry(
            account_number,
            wa_number(required(contact, "phone_number", contact_where), child(contact_where, "phone_number")),
            optional_str(contact, "full_name", contact_where) or optional_str(contact, "first_name", contact_where),
            action == "remove",
            unix_time(required(optional_object(state, "metadata", item_where), "timestamp", metadata_where),
                      child(metadata_where, "timestamp")),
        ))
    return entries
