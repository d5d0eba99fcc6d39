"""One Cloud API status (an entry of `value.statuses`): what became of a message we sent."""
from __future__ import annotations

from typing import Any

from eazybe_tasks.sources.cloud_api.errors import read_errors
from eazybe_tasks.sources.cloud_api.fields import (
    as_id,
    as_object,
    as_str,
    child,
    optional_str,
    required,
    unix_time,
    wa_number,
)
from eazybe_tasks.sources.account_facts import WhatsAppUser, is_user_id
from eazybe_tasks.sources.model import StatusUpdate


def convert_status(value: Any, where: str, account_number: str) -> StatusUpdate:
    status = as_object(value, where)
    return StatusUpdate(
        source_id=as_id(required(status, "id", where), child(where, "id")),
        account_number=account_number,
        recipient=_recipient(status, where),
        status=as_str(required(status, "status", where), child(where, "status")),
        at=unix_time(required(status, "timestamp", where), child(where, "timestamp")),
        errors=read_errors(status.get("errors"), child(where, "errors")),
        raw=status,
    )


def _recipient(status: dict[str, Any], where: str) -> str | None:
    """The person's number. For a message sent to a group `recipient_id` is the group's id and
    the person is `recipient_participant_id`; a user who hides their number has neither."""
    if optional_str(status, "recipient_type", where) == "group":
        key = "recipient_participant_id"
    else:
        key = "recipient_id"
    number = status.get(key)
    return None if number is None else wa_number(number, child(where, key))


def status_user(update: StatusUpdate) -> WhatsAppUser | None:
    """The user a 1:1 status names by both phone and business-scoped id (`recipient_user_id`):
    how the phone of a user first seen without one can become known."""
    raw = update.raw
    user_id = raw.get("recipient_user_id") if isinstance(raw, dict) else None
    if update.recipient is None or raw.get("recipient_type") == "group" or not isinstance(user_id, str) \
            or not is_user_id(user_id):
        return None
    return WhatsAppUser(user_id, update.recipient)
