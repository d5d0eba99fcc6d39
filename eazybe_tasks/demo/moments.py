"""When a sample message was sent, said the way a script reads: "yesterday at 09:15 in the
business's time zone", or "3 minutes ago" for the deliveries that arrive while the demo runs."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Moment:
    day: int = 0  # calendar days before today, in the business's time zone
    clock: str = "00:00:00"  # local time of day, HH:MM:SS
    minutes_ago: int | None = None  # instead of day and clock: this long before now

    def local(self, now: datetime, time_zone: str) -> datetime:
        """The naive local time, as the business's phone shows it."""
        zone = ZoneInfo(time_zone)
        if self.minutes_ago is not None:
            return (now - timedelta(minutes=self.minutes_ago)).astimezone(zone).replace(tzinfo=None, microsecond=0)
        today = now.astimezone(zone).date()
        return datetime.combine(today - timedelta(days=self.day), time.fromisoformat(self.clock))

    def utc(self, now: datetime, time_zone: str) -> datetime:
        return self.local(now, time_zone).replace(tzinfo=ZoneInfo(time_zone)).astimezone(timezone.utc)


def at(day: int, clock: str) -> Moment:
    return Moment(day=day, clock=clock)


def ago(minutes: int) -> Moment:
    return Moment(minutes_ago=minutes)
