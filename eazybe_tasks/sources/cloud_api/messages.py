"""One Cloud API message (an entry of `value.messages`, of an echo or of a history thread) as a
normalized Message.

A message whose `from` is the business number is the business's own (an echo of what the seller
sent from the WhatsApp Business app, or their side of a history thread): outbound, to `to` (or
`to_user_id`, or the thread's user).

Edits and deletions arrive as messages of their own (`type: "edit"` / `"revoke"`) pointing at the
original; they are normalized as a new version of the ORIGINAL message (same source_id), so the
store updates the logged message instead of logging a second one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eazybe_tasks.sources.cloud_api.content import Content, convert_content
from eazybe_tasks.sources.cloud_api.errors import ErrorList, read_errors
from eazybe_tasks.sources.cloud_api.fields import (
    as_id,
    as_object,
    child,
    optional_object,
    optional_str,
    required,
    unix_time,
    wa_number,
)
from eazybe_tasks.sources.account_facts import is_user_id
from eazybe_tasks.sources.cloud_api.profiles import Profile, optional_user_id
from eazybe_tasks.sources.model import Direction, Message, MessageType, Source, SourceError

# history_context.status of a history message, as the statuses the store ranks.
HISTORY_STATUS = {"SENT": "sent", "DELIVERED": "delivered", "READ": "read", "PLAYED": "played", "ERROR": "failed"}


@dataclass(frozen=True)
class ChangeContext:
    """What a change says about all of its messages."""

    account_number: str
    profiles: dict[str, Profile]  # by wa_id and by business-scoped user_id
    errors: ErrorList  # errors Meta put on the change itself rather than on a message
    source: Source = Source.CLOUD_API


@dataclass(frozen=True)
class _Party:
    """The customer a message is with: number (E.164) and/or business-scoped id, and the key
    (wa_id digits or user id) their profile is found under."""

    number: str | None
    user_id: str | None
    key: str


def convert_message(value: Any, where: str, context: ChangeContext, thread: str | None = None) -> Message:
    """`thread` is the user of the history thread the message is in."""
    message = as_object(value, where)
    errors = read_errors(message.get("errors"), child(where, "errors")) + context.errors
    source_id = as_id(required(message, "id", where), child(where, "id"))
    edited = False
    kind = message.get("type")
    if kind == "edit":
        edit_where = child(where, "edit")
        edit = as_object(required(message, "edit", where), edit_where)
        source_id = _original_id(edit, edit_where)
        new_version_where = child(edit_where, "message")
        new_version = as_object(required(edit, "message", edit_where), new_version_where)
        content = convert_content(new_version, new_version_where, errors)
        reply_to = _context_id(new_version, new_version_where) or _context_id(message, where)
        edited = True
    elif kind == "revoke":
        source_id = _original_id(as_object(required(message, "revoke", where), child(where, "revoke")),
                                 child(where, "revoke"))
        content = Content(MessageType.DELETED)
        reply_to = _context_id(message, where)
    else:
        content = convert_content(message, where, errors)
        reply_to = _context_id(message, where)
    group_id = message.get("group_id")
    if group_id is not None:
        as_id(group_id, child(where, "group_id"))
    outbound = message.get("from") == context.account_number[1:]
    party = _recipient(message, where, thread) if outbound else _sender(message, where)
    profile = context.profiles.get(party.key)
    user_id = party.user_id or (profile.user.user_id if profile and profile.user else None)
    if content.type is MessageType.SYSTEM:
        direction = Direction.SYSTEM
    else:
        direction = Direction.OUTBOUND if outbound else Direction.INBOUND
    return Message(
        source=context.source,
        source_id=source_id,
        account_number=context.account_number,
        chat_id=group_id or party.number or user_id or party.key,
        is_group=group_id is not None,
        direction=direction,
        type=content.type,
        sent_at=unix_time(required(message, "timestamp", where), child(where, "timestamp")),
        body=content.body,
        sender=None if outbound else party.number,
        sender_name=None if outbound or profile is None else profile.name,
        status=_history_status(message, where) if outbound else None,
        edited=edited,
        reply_to=content.reacts_to or reply_to,
        attachments=content.attachments,
        raw=message,
        user_id=None if group_id is not None else user_id,
    )


def _sender(message: dict[str, Any], where: str) -> _Party:
    """Users who hide their number are known only by a business-scoped `from_user_id`."""
    wa_id = message.get("from")
    user_id = optional_user_id(message, "from_user_id", where)
    if wa_id is not None:
        return _Party(wa_number(wa_id, child(where, "from")), user_id, wa_id)
    if user_id is None:
        raise SourceError(child(where, "from"), "required field is missing (and no from_user_id)")
    return _Party(None, user_id, user_id)


def _recipient(message: dict[str, Any], where: str, thread: str | None) -> _Party:
    """Whom the business wrote to: `to`, `to_user_id`, or else the history thread's user."""
    to = message.get("to")
    user_id = optional_user_id(message, "to_user_id", where)
    if to is not None:
        return _Party(wa_number(to, child(where, "to")), user_id, to)
    if user_id is not None:
        return _Party(None, user_id, user_id)
    if thread is None:
        raise SourceError(child(where, "to"), "required field is missing (and no to_user_id)")
    if is_user_id(thread):
        return _Party(None, thread, thread)
    return _Party(wa_number(thread, child(where, "to")), None, thread)


def _history_status(message: dict[str, Any], where: str) -> str | None:
    """What became of a message the business sent, as a history message says."""
    context_where = child(where, "history_context")
    status = optional_str(optional_object(message, "history_context", where), "status", context_where)
    return None if status is None else HISTORY_STATUS.get(status.upper())


def _original_id(change: dict[str, Any], where: str) -> str:
    return as_id(required(change, "original_message_id", where), child(where, "original_message_id"))


def _context_id(message: dict[str, Any], where: str) -> str | None:
    """The message this one replies to; forwarded messages have a context without an id."""
    context_where = child(where, "context")
    return optional_str(optional_object(message, "context", where), "id", context_where) or None
