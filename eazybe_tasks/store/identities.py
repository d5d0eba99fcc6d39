"""Who a chat is with, across phones and business-scoped user ids (BSUID).

A 1:1 chat is known by handles: the phone it started with, the user's BSUID, and any phone or
BSUID the user moved to. A message is stored in the chat any of its handles belongs to, so a user
who stops showing their phone (a username), or changes it, stays in one chat: no second chat and no
split chat-day. Users are kept by BSUID (unique within a business portfolio) with the phone last
seen with it, fed by every delivery that names them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from eazybe_tasks.sources.account_facts import HandleChange, WhatsAppUser, is_user_id
from eazybe_tasks.sources.model import Message
from eazybe_tasks.store.schema import chat_handles, chats, whatsapp_users


def record_users(connection: Connection, users: Iterable[WhatsAppUser], seen_at: datetime) -> None:
    """New users are added; known ones get what this delivery adds (a phone, a username) and
    their last-seen time. A value the delivery leaves out is kept, never cleared."""
    merged: dict[str, WhatsAppUser] = {}
    for user in users:
        earlier = merged.get(user.user_id)
        merged[user.user_id] = user if earlier is None else WhatsAppUser(
            user.user_id, user.phone or earlier.phone, user.parent_user_id or earlier.parent_user_id,
            user.username or earlier.username, user.name or earlier.name)
    if not merged:
        return
    stored = {row.user_id: row for row in connection.execute(
        select(whatsapp_users).where(whatsapp_users.c.user_id.in_(list(merged)))).all()}
    new = [{"user_id": u.user_id, "parent_user_id": u.parent_user_id, "phone": u.phone, "username": u.username,
            "name": u.name, "first_seen_at": seen_at, "last_seen_at": seen_at}
           for u in merged.values() if u.user_id not in stored]
    if new:
        connection.execute(whatsapp_users.insert(), new)
    for user in merged.values():
        row = stored.get(user.user_id)
        if row is None:
            continue
        changes = {key: value for key, value in (("phone", user.phone), ("parent_user_id", user.parent_user_id),
                                                 ("username", user.username), ("name", user.name))
                   if value and value != getattr(row, key)}
        if row.last_seen_at < seen_at:
            changes["last_seen_at"] = seen_at
        if changes:
            connection.execute(update(whatsapp_users).where(whatsapp_users.c.user_id == user.user_id).values(**changes))


def _handles(message: Message) -> list[str]:
    extra = message.user_id if message.user_id and message.user_id != message.chat_id else None
    return [message.chat_id] + ([extra] if extra else [])


def _owners(connection: Connection, account_id: int, handles: list[str]) -> dict[str, int]:
    return dict(connection.execute(select(chat_handles.c.handle, chat_handles.c.chat_pk).where(
        chat_handles.c.account_id == account_id, chat_handles.c.handle.in_(handles))).all())


def _aliases(connection: Connection, handles: list[str]) -> list[str]:
    """Other handles of the same user: the phone last seen with a BSUID, the BSUIDs seen with a phone."""
    rows = connection.execute(select(whatsapp_users.c.user_id, whatsapp_users.c.phone).where(
        whatsapp_users.c.user_id.in_(handles) | whatsapp_users.c.phone.in_(handles))).all()
    return [handle for row in rows for handle in (row.user_id, row.phone) if handle and handle not in handles]


def resolve_chat(connection: Connection, account_id: int, message: Message) -> int:
    """The chat `message` belongs to, created if none of its handles (or its user's) has one;
    the message's handles are added to it, and its name and BSUID brought up to date."""
    handles = _handles(message)
    owners = _owners(connection, account_id, handles)
    if not owners and not message.is_group:
        aliases = _aliases(connection, handles)
        owners = _owners(connection, account_id, aliases) if aliases else {}
    chat_pk = next((owners[handle] for handle in [*handles, *owners] if handle in owners), None)
    if chat_pk is None:
        chat_pk = connection.execute(chats.insert().values(
            account_id=account_id, chat_id=message.chat_id, is_group=message.is_group, name=message.chat_name,
            user_id=message.user_id)).inserted_primary_key[0]
    else:
        row = connection.execute(select(chats.c.name, chats.c.user_id).where(chats.c.id == chat_pk)).one()
        changes = {key: value for key, value in (("name", message.chat_name), ("user_id", message.user_id))
                   if value and value != getattr(row, key)}
        if changes:
            connection.execute(update(chats).where(chats.c.id == chat_pk).values(**changes))
    new = [handle for handle in handles if handle not in owners]
    if new:
        connection.execute(chat_handles.insert(), [{"account_id": account_id, "handle": handle, "chat_pk": chat_pk}
                                                   for handle in new])
    return chat_pk


def apply_handle_changes(connection: Connection, account_id: int, changes: Iterable[HandleChange]) -> None:
    """A user's new phone or BSUID joins the chat of their old one (a handle that already has a
    chat of its own keeps it: chats are never merged)."""
    for change in changes:
        owners = _owners(connection, account_id, [change.old, change.new])
        if change.old not in owners or change.new in owners:
            continue
        connection.execute(chat_handles.insert().values(account_id=account_id, handle=change.new,
                                                        chat_pk=owners[change.old]))
        if not change.new.startswith("+"):
            connection.execute(update(chats).where(chats.c.id == owners[change.old]).values(user_id=change.new))


@dataclass(frozen=True)
class ChatIdentity:
    """What a 1:1 chat's customer is known by, for linking and for the chat-day record."""

    phones: tuple[str, ...]  # E.164, the chat's own first
    user_ids: tuple[str, ...]  # BSUIDs, the latest first
    username: str | None


def chat_identity(connection: Connection, chat) -> ChatIdentity:  # type: ignore[no-untyped-def]
    """`chat` is a chats row. Its handles, and the phones last seen with its BSUIDs."""
    if chat.is_group:
        return ChatIdentity((), (), None)
    handles = list(connection.execute(select(chat_handles.c.handle).where(chat_handles.c.chat_pk == chat.id)
                                      .order_by(chat_handles.c.handle)).scalars())
    user_ids = [h for h in handles if is_user_id(h)]
    if chat.user_id and chat.user_id in user_ids:
        user_ids.insert(0, user_ids.pop(user_ids.index(chat.user_id)))
    users = {row.user_id: row for row in connection.execute(
        select(whatsapp_users).where(whatsapp_users.c.user_id.in_(user_ids))).all()} if user_ids else {}
    phones = [h for h in handles if h.startswith("+")]
    phones += [users[u].phone for u in user_ids if u in users and users[u].phone and users[u].phone not in phones]
    if chat.chat_id in phones:
        phones.insert(0, phones.pop(phones.index(chat.chat_id)))
    username = next((users[u].username for u in user_ids if u in users and users[u].username), None)
    return ChatIdentity(tuple(phones), tuple(user_ids), username)
