"""What Salesforce should hold for each chat-day the ledger says was written, rebuilt from the
store with the sync's own planning (the same messages, directory and rules give the same fields
and content hash).

A rebuilt record is the written one only when its content hash equals the ledger's: the hash
covers every field the sync writes and the whole transcript. When it differs, the store has
moved on since the write (messages not synced yet, a person renamed or relinked in the
directory); such a chat-day cannot be compared field by field, and the report says why."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eazybe_tasks.chat_days.messages import ChatDay
from eazybe_tasks.chat_days.planning import plan_chat_days
from eazybe_tasks.store.store import Store

NO_MESSAGES = "the store has no messages for this chat-day any more"
NOT_LINKED = "the person is no longer linked to this chat (or is now marked do-not-log)"
STORE_CHANGED = ("rebuilt from the store now, it is not the version written (messages added, or the person "
                 "renamed or relinked since)")


@dataclass(frozen=True)
class Expected:
    fields: dict[str, Any] | None  # the record's fields as written, None when they cannot be known
    reason: str | None = None  # why not


def expected_records(store: Store, written: dict[str, tuple[ChatDay, str]]) -> dict[str, Expected]:
    """For each chat key the ledger has written (its chat-day and content hash), the record's
    fields as Salesforce should have them, or why they cannot be known."""
    plans = list(plan_chat_days(store, {chat_day for chat_day, _ in written.values()}))
    rebuilt = {planned.key.external_id(): planned.record for plan in plans for planned in plan.records}
    planned_days = {plan.chat_day for plan in plans}
    expected: dict[str, Expected] = {}
    for key, (chat_day, content_hash) in written.items():
        record = rebuilt.get(key)
        if record is not None and record.content_hash == content_hash:
            expected[key] = Expected(record.fields)
        else:
            reason = STORE_CHANGED if record else NOT_LINKED if chat_day in planned_days else NO_MESSAGES
            expected[key] = Expected(None, reason)
    return expected
