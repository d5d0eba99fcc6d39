"""System messages saying a user is now known by another handle: `user_changed_number` (the new
phone in `system.wa_id`) and `user_changed_user_id` (the new business-scoped id in
`system.user_id`). The chat goes on under the new handle rather than starting a second one."""
from __future__ import annotations

from typing import Any

from eazybe_tasks.sources.account_facts import HandleChange
from eazybe_tasks.sources.cloud_api.fields import child, optional_object, optional_str, required, wa_number
from eazybe_tasks.sources.cloud_api.profiles import user_id
from eazybe_tasks.sources.model import Message


def handle_change(raw: dict[str, Any], message: Message, where: str) -> HandleChange | None:
    """The change a system message announces, None for any other message. `message` is `raw`
    normalized: its chat is the user's old handle."""
    system_where = child(where, "system")
    system = optional_object(raw, "system", where)
    kind = optional_str(system, "type", system_where)
    if kind == "user_changed_number":
        old = message.chat_id
        new = wa_number(required(system, "wa_id", system_where), child(system_where, "wa_id"))
    elif kind == "user_changed_user_id":
        old = message.user_id or message.chat_id
        new = user_id(required(system, "user_id", system_where), child(system_where, "user_id"))
    else:
        return None
    return None if message.is_group or new == old else HandleChange(message.account_number, old, new)
