"""`account_update` events that change whether a business number is still on coexistence:
offboarded (ACCOUNT_OFFBOARDED after a device change, PARTNER_REMOVED when the business left or the
app went inactive) and reconnected. The event names the WhatsApp Business Account (the entry's
id), not a number; other account events are not the toolkit's business and are skipped."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from eazybe_tasks.sources.account_facts import AccountEvent
from eazybe_tasks.sources.cloud_api.fields import (
    as_id,
    as_number,
    child,
    describe,
    optional_object,
    optional_str,
)
from eazybe_tasks.sources.model import SourceError

OFFBOARDED = frozenset({"ACCOUNT_OFFBOARDED", "PARTNER_REMOVED"})
RECONNECTED = frozenset({"ACCOUNT_RECONNECTED"})


def read_account_update(entry: dict[str, Any], entry_where: str, payload: dict[str, Any],
                        where: str) -> AccountEvent | None:
    event = payload.get("event")
    if event not in OFFBOARDED | RECONNECTED:
        return None
    waba_id = as_id(entry.get("id"), child(entry_where, "id"))
    disconnection = optional_object(payload, "disconnection_info", where)
    return AccountEvent(waba_id, event, optional_str(disconnection, "reason", child(where, "disconnection_info")),
                        _event_time(entry, entry_where))


def _event_time(entry: dict[str, Any], entry_where: str) -> datetime:
    """`entry.time` (unix seconds, a number here); now when Meta left it out."""
    time = entry.get("time")
    if time is None:
        return datetime.now(timezone.utc)
    try:
        return datetime.fromtimestamp(as_number(time, child(entry_where, "time")), tz=timezone.utc)
    except (OverflowError, OSError, ValueError) as error:
        raise SourceError(child(entry_where, "time"), f"not a unix time: {describe(time)}") from error
