"""The days a report covers.

Chat-days are cut in each business account's time zone, and the ledger and message outcomes keep
that local day, so a period is a range of calendar days compared with those days as they are.
Sync runs carry UTC timestamps; a run belongs to the period when it started on one of its days in
UTC."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

DEFAULT_DAYS = 7


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range((self.end - self.start).days + 1)]

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[first midnight, the midnight after the last day) in UTC, for run timestamps."""
        return (datetime.combine(self.start, time.min, timezone.utc),
                datetime.combine(self.end + timedelta(days=1), time.min, timezone.utc))

    def __str__(self) -> str:
        return f"{self.start.isoformat()} to {self.end.isoformat()}"


def report_period(start: str | None = None, end: str | None = None, today: date | None = None) -> Period:
    """The period of ISO dates `start`..`end`; a missing end is today (UTC), a missing start the
    DEFAULT_DAYS days up to the end."""
    last = date.fromisoformat(end) if end else (today or datetime.now(timezone.utc).date())
    first = date.fromisoformat(start) if start else last - timedelta(days=DEFAULT_DAYS - 1)
    return Period(first, last)
