"""One Cloud API message (an entry of `value.messages`) as a normalized Message.

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
from eazybe_tasks.sources.model import Direction, Message, MessageType, Source, SourceError


@dataclass(frozen=True)
class ChangeContext:
    """What a change says about all of its messages."""

    account_number: str
    names: dict[str, str]  # profile name by wa_id and by business-scoped user_id
    errors: ErrorList  # errors Meta put on the change itself rather than on a message


def convert_message(value: Any, where: str, context: ChangeContext) -> Message:
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
    sender, sender_key = _sender(message, where)
    group_id = message.get("group_id")
    if group_id is not None:
        as_id(group_id, child(where, "group_id"))
    return Message(
        source=Source.CLOUD_API,
        source_id=source_id,
        account_number=context.account_number,
        chat_id=group_id or sender or sender_key,
        is_group=group_id is not None,
        direction=Direction.SYSTEM if content.type is MessageType.SYSTEM else Direction.INBOUND,
        type=content.type,
        sent_at=unix_time(required(message, "timestamp", where), child(where, "timestamp")),
        body=content.body,
        sender=sender,
        sender_name=_sender_name(message, context.names),
        status=None,
        edited=edited,
        reply_to=content.reacts_to or reply_to,
        attachments=content.attachments,
        raw=message,
    )


def _sender(message: dict[str, Any], where: str) -> tuple[str | None, str]:
    """(E.164 number or None, the sender's WhatsApp id). Users who hide their number are known
    only by a business-scoped `from_user_id`, which then stands in as the chat id."""
    wa_id = message.get("from")
    if wa_id is not None:
        return wa_number(wa_id, child(where, "from")), wa_id
    user_id = message.get("from_user_id")
    if user_id is None:
        raise SourceError(child(where, "from"), "required field is missing (and no from_user_id)")
    return None, as_id(user_id, child(where, "from_user_id"))


def _sender_name(message: dict[str, Any], names: dict[str, str]) -> str | None:
    """The profile name, matched by wa_id or else by business-scoped user id."""
    keys = (message.get("from"), message.get("from_user_id"))
    return next((names[key] for key in keys if isinstance(key, str) and key in names), None)


def _original_id(change: dict[str, Any], where: str) -> str:
    return as_id(required(change, "original_message_id", where), child(where, "original_message_id"))


def _context_id(message: dict[str, Any], where: str) -> str | None:
    """The message this one replies to; forwarded messages have a context without an id."""
    context_where = child(where, "context")
    return optional_str(optional_object(message, "context", where), "id", context_where) or None
