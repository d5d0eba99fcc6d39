"""The date-and-time header that starts every entry, in all the layouts WhatsApp writes.

Android: ``31/12/2020, 21:41 - `` (also dotted, dashed, comma-less, 12-hour with AM/PM).
iOS: ``[31/12/2020, 21:41:05] `` (also time first, as in Vietnamese). Some languages join the
date and the time with a word (`vocab.DATE_TIME_WORDS`): ``20/11/2026 à 09:15 - ``. Arabic exports write
Eastern Arabic digits. Field ranges are part of the patterns so that a continuation line only
rarely looks like a header. Which numeric field is the day is not knowable from one line;
`DateOrderVote` decides it from the whole file.

The header pattern runs once per line, so it is written for Python's regex engine: an optional
part as ``(?:X|)`` rather than ``(?:X)?`` (the same match, but an alternation runs much faster
than a repeat), and ``?+`` (never given back) where giving back could not help the next part match.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from operator import add

from eazybe_tasks.sources.exports.entry import DateOrder
from eazybe_tasks.sources.exports.vocab import DATE_TIME_WORDS
from eazybe_tasks.sources.exports.memo import Memo


def _digit_to(top: int) -> str:
    """A digit 0..top, ASCII or Eastern Arabic (both Unicode blocks of them)."""
    return f"[0-{top}{chr(0x0660)}-{chr(0x0660 + top)}{chr(0x06F0)}-{chr(0x06F0 + top)}]"


def _unnamed(pattern: str) -> str:
    return re.sub(r"\(\?P<\w+>", "(?:", pattern)


# d1 tries the day or month before the year: the common case first, and no match can change, as
# a year's 4 digits and the 1 or 2 of a day or month cannot both be followed by the separator.
_DATE_FIELDS = re.compile(
    rf"(?P<d1>{_digit_to(3)}?\d|\d{{4}})[./-](?P<d2>{_digit_to(3)}?\d)[./-]"
    rf"(?P<d3>\d{{4}}|\d{{1,2}}|[RHS]\d{{1,2}})(?: ?+BE|)"
)
_TIME_FIELDS = re.compile(
    rf"(?P<hour>{_digit_to(2)}?\d)[:.](?P<minute>{_digit_to(5)}\d)(?:[:.](?P<second>{_digit_to(5)}\d)|)"
    r"(?: ?+(?P<am_pm>[AaPp]\.?+ ?+[Mm]\.?|ص|م)|)"
)
_DATE = _unnamed(_DATE_FIELDS.pattern)
_TIME = _unnamed(_TIME_FIELDS.pattern)
# Between the date and the time: a comma (or none) and a space, or a space, a word and a space.
_DATE_TIME_WORD = "|".join(re.escape(word) for word in sorted(DATE_TIME_WORDS, key=len, reverse=True))
_DATE_TO_TIME = rf"(?:[,،]?+ | (?:{_DATE_TIME_WORD}) )"
# A bracketed header ends with "] ", a bare one with " - ": the conditionals keep them paired.
_DATE_FIRST = rf"(?:(?P<open>\[)|)(?P<date>{_DATE}){_DATE_TO_TIME}(?P<time>{_TIME})(?(open)\] ?| [-–] )"
_TIME_FIRST = rf"(?:(?P<open_t>\[)|)(?P<time_t>{_TIME}),?+ (?P<date_t>{_DATE})(?(open_t)\] ?| [-–] )"

# Date-first tried before time-first; groups date/time, or date_t/time_t, hold the fields.
HEADER = rf"(?=[\[0-9\u0660-\u0669\u06f0-\u06f9])(?:{_DATE_FIRST}|{_TIME_FIRST})"
# A header at the start of a line, in text where every line follows a "\n" (see lines.Block): the
# search skips from line to line at the speed of a character scan.
HEADER_LINE = re.compile(rf"\n{HEADER}")

_ERA_START = {"R": 2018, "H": 1988, "S": 1925}  # Japanese era letter -> the year before its year 1
_BUDDHIST_OFFSET = 543
_PM = frozenset({"pm", "م"})
_REMEMBERED = 20_000  # distinct dates (or times) kept, so hostile input cannot grow memory


class Clock:
    """Headers' local times from their date and time texts, in a given date order.

    A chat repeats each date for many messages and each time of day on many days, so each text
    is parsed once and remembered: a date as its midnight, a time as the time since midnight."""

    def __init__(self, order: DateOrder) -> None:
        self.order = order
        self._days: Memo[str, datetime] = Memo(self._parse_date, _REMEMBERED)
        self._times: Memo[str, timedelta] = Memo(_parse_time, _REMEMBERED)

    def timestamps(self, dates: list[str], times: list[str]) -> tuple[list[datetime], ValueError | None]:
        """The local times of headers, in order. At the first whose fields are no real date or
        time of day: the times before it, and the error (else None)."""
        try:
            days, clock_times = map(self._days.__getitem__, dates), map(self._times.__getitem__, times)
            return list(map(add, days, clock_times)), None
        except ValueError:
            return self._until_bad(dates, times)

    def _until_bad(self, dates: list[str], times: list[str]) -> tuple[list[datetime], ValueError | None]:
        """`timestamps` one header at a time, to find which one failed."""
        stamps: list[datetime] = []
        for date_text, time_text in zip(dates, times):
            try:
                stamps.append(self._days[date_text] + self._times[time_text])
            except ValueError as error:
                return stamps, error
        return stamps, None

    def _parse_date(self, text: str) -> datetime:
        first, second, third = _DATE_FIELDS.fullmatch(text).group("d1", "d2", "d3")
        if self.order is DateOrder.YMD:
            year, month, day = first, second, third
        elif self.order is DateOrder.DMY:
            day, month, year = first, second, third
        else:
            month, day, year = first, second, third
        return datetime.combine(date(_calendar_year(year), int(month), int(day)), time())


def _parse_time(text: str) -> timedelta:
    hour, minute, second, am_pm = _TIME_FIELDS.fullmatch(text).group("hour", "minute", "second", "am_pm")
    hour = int(hour)
    if am_pm is not None:
        hour = hour % 12 + (12 if am_pm.replace(".", "").replace(" ", "").lower() in _PM else 0)
    parsed = time(hour, int(minute), int(second) if second else 0)  # ValueError past 23:59:59
    return timedelta(hours=parsed.hour, minutes=parsed.minute, seconds=parsed.second)


def _calendar_year(field: str) -> int:
    """Gregorian year from a 2- or 4-digit, Buddhist-era (2565) or Japanese-era (R4) field."""
    if field[0] in _ERA_START:
        return _ERA_START[field[0]] + int(field[1:])
    year = int(field)
    if year < 100:
        return 2000 + year
    if year > 2400:
        return year - _BUDDHIST_OFFSET
    return year


def header_date(header: re.Match[str]) -> str:
    """The date text of a header matched with `HEADER`, whichever layout it has."""
    return header["date"] or header["date_t"]


def header_time(header: re.Match[str]) -> str:
    """The time text of a header matched with `HEADER`, whichever layout it has."""
    return header["time"] or header["time_t"]


class DateOrderVote:
    """Reads header dates until one proves the field order: a 4-digit first field, or one above 12."""

    def __init__(self) -> None:
        self.order: DateOrder | None = None

    def add(self, date_text: str) -> bool:
        """Count one header date; True once the order is known."""
        first, second = _DATE_FIELDS.fullmatch(date_text).group("d1", "d2")
        if len(first) == 4:
            self.order = DateOrder.YMD
        elif int(first) > 12:
            self.order = DateOrder.DMY
        elif int(second) > 12:
            self.order = DateOrder.MDY
        return self.order is not None
