"""Relative date literals (TODAY, LAST_N_DAYS:n, ...) as UTC day ranges.

They are resolved against an explicit `now` so results are deterministic in tests,
and as half-open [start, end) day ranges because Salesforce compares a datetime field
with a date literal over the whole day(s), not at midnight.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

FIXED_LITERALS = frozenset(
    {"TODAY", "YESTERDAY", "TOMORROW", "THIS_WEEK", "LAST_WEEK", "THIS_MONTH", "LAST_MONTH"}
)
N_DAYS_LITERALS = frozenset({"LAST_N_DAYS", "NEXT_N_DAYS"})

_ONE_DAY = timedelta(days=1)


def _utc_today(now: datetime) -> date:
    """Naive `now` values are taken to be UTC already."""
    return now.astimezone(timezone.utc).date() if now.tzinfo else now.date()


def day_range(name: str, amount: int | None, now: datetime) -> tuple[date, date]:
    """The [first day, day after the last day) a literal covers; OverflowError near year 1/9999."""
    today = _utc_today(now)
    if name == "TODAY":
        return today, today + _ONE_DAY
    if name == "YESTERDAY":
        return today - _ONE_DAY, today
    if name == "TOMORROW":
        return today + _ONE_DAY, today + 2 * _ONE_DAY
    if name in ("THIS_WEEK", "LAST_WEEK"):
        # Salesforce's default (en_US) locale starts weeks on Sunday.
        sunday = today - timedelta(days=(today.weekday() + 1) % 7)
        start = sunday if name == "THIS_WEEK" else sunday - 7 * _ONE_DAY
        return start, start + 7 * _ONE_DAY
    if name in ("THIS_MONTH", "LAST_MONTH"):
        first = today.replace(day=1)
        if name == "THIS_MONTH":
            return first, _first_of_next_month(first)
        previous = (first - _ONE_DAY).replace(day=1)
        return previous, first
    if name == "LAST_N_DAYS":
        # Includes today: LAST_N_DAYS:1 is yesterday and today.
        return today - timedelta(days=amount or 0), today + _ONE_DAY
    if name == "NEXT_N_DAYS":
        # Starts tomorrow: NEXT_N_DAYS:1 is tomorrow only.
        return today + _ONE_DAY, today + timedelta(days=(amount or 0) + 1)
    raise ValueError(f"not a relative date literal: {name}")


def _first_of_next_month(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1)
