"""An export's wall-clock times to UTC, with the file's order deciding around a DST change.

A phone writes local times with no offset. Twice a year one of them says too little: in autumn
the clocks go back and an hour of wall times happens twice (02:30 in Berlin on 2026-10-25 is
00:30Z or 01:30Z), and in spring an hour is skipped, so a wall time there never happened (02:30 on
2026-03-29). The export is in the order things were sent, so the message before tells which
reading is meant:

- a repeated time takes the earliest reading not before the previous message (the second pass
  through the hour reads as after the change); with no such reading, the first one (fold=0);
- a skipped time is placed at the moment the clocks jumped, which lies after every message
  written before the change and before every one written after it.

Every other time has one reading and takes it, even where the file goes backwards."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo


def _reading(local: datetime, zone: ZoneInfo, fold: int) -> datetime:
    return local.replace(tzinfo=zone, fold=fold).astimezone(timezone.utc)


def _exists(local: datetime, instant: datetime, zone: ZoneInfo) -> bool:
    return instant.astimezone(zone).replace(tzinfo=None) == local


def _jump(early: datetime, late: datetime, zone: ZoneInfo) -> datetime:
    """The first second in (early, late] whose offset is late's: when the clocks moved on."""
    after = late.astimezone(zone).utcoffset()
    low, high = early, late
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


class LocalClock:
    """Turns one file's local times to UTC in file order, remembering the previous message."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.previous: datetime | None = None

    def to_utc(self, local: datetime) -> datetime:
        first, second = _reading(local, self.zone, 0), _reading(local, self.zone, 1)
        if first == second:
            instant = first
        elif _exists(local, first, self.zone) and _exists(local, second, self.zone):
            later = [r for r in sorted((first, second)) if self.previous is None or r >= self.previous]
            instant = later[0] if later else first
        else:
            instant = _jump(min(first, second), max(first, second), self.zone)
        self.previous = instant
        return instant
