"""The sync notebook's `mode` parameter as sync_once arguments: a sync logs what is new since
the checkpoint (messages of the last `days`); a backfill rebuilds every chat-day of the last
`days`, whatever the checkpoint says, which is what a first run or a repair wants."""
from __future__ import annotations

from datetime import datetime, timedelta

SYNC, BACKFILL = "sync", "backfill"
MODES = (SYNC, BACKFILL)


def window_for(mode: str, days: int, now: datetime) -> tuple[datetime, datetime] | None:
    """sync_once's `window`: None for a sync, the last `days` up to `now` for a backfill."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    if days < 1:
        raise ValueError(f"days must be 1 or more, not {days}")
    return (now - timedelta(days=days), now) if mode == BACKFILL else None
