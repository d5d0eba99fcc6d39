"""The `contacts` of a change: who its users are. Since April 2026 Meta names a user by a
business-scoped user id (`user_id`, with `parent_user_id` and a `profile.username`), and gives the
phone (`wa_id`) only when its rules allow: a user who adopted a username may come without one."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eazybe_tasks.sources.account_facts import WhatsAppUser, is_user_id
from eazybe_tasks.sources.cloud_api.fields import child, describe, objects, optional_object, optional_str
from eazybe_tasks.sources.model import SourceError

def user_id(value: Any, where: str) -> str:
    if not (isinstance(value, str) and is_user_id(value)):
        raise SourceError(where, f"expected a business-scoped user id (e.g. US.1349...), got {describe(value)}")
    return value


def optional_user_id(mapping: dict[str, Any], key: str, where: str) -> str | None:
    """A message's `from_user_id` / `to_user_id`: a chat is known by it, so it must be one."""
    value = mapping.get(key)
    return None if value is None else user_id(value, child(where, key))


@dataclass(frozen=True)
class Profile:
    name: str | None
    user: WhatsAppUser | None  # None when the contact carries no business-scoped id


def read_profiles(payload: dict[str, Any], where: str) -> dict[str, Profile]:
    """The change's contacts by wa_id (digits) and by user_id."""
    profiles: dict[str, Profile] = {}
    for contact, contact_where in objects(payload, "contacts", where):
        profile_where = child(contact_where, "profile")
        profile = optional_object(contact, "profile", contact_where)
        wa_id = optional_str(contact, "wa_id", contact_where)
        bsuid = optional_str(contact, "user_id", contact_where)
        # Contacts only name users: one with an unreadable id or phone is not an identity to keep.
        user = None if bsuid is None or not is_user_id(bsuid) else WhatsAppUser(
            bsuid, _phone(wa_id), _parent(optional_str(contact, "parent_user_id", contact_where)),
            optional_str(profile, "username", profile_where), optional_str(profile, "name", profile_where))
        found = Profile(optional_str(profile, "name", profile_where), user)
        for key in (wa_id, bsuid):
            if key:
                profiles[key] = found
    return profiles


def _phone(wa_id: str | None) -> str | None:
    return "+" + wa_id if wa_id and wa_id.isascii() and wa_id.isdigit() and 7 <= len(wa_id) <= 15 else None


def _parent(parent_user_id: str | None) -> str | None:
    return parent_user_id if parent_user_id and is_user_id(parent_user_id) else None


def users_of(profiles: dict[str, Profile]) -> list[WhatsAppUser]:
    """Each user once (a profile is keyed by both its wa_id and its user_id)."""
    return list(dict.fromkeys(profile.user for profile in profiles.values() if profile.user is not None))
