"""The date-and-time header that starts every entry, in all the layouts WhatsApp writes.

Android: ``31/12/2020, 21:41 - `` (also dotted, dashed, comma-less, 12-hour with AM/PM).
iOS: ``[31/12/2020, 21:41:05] `` (also time first, as in Vietnamese). Field ranges are part of the
patterns so that a continuation line only rarely looks like a header. Which numeric field is the
day is not knowable from one line; `DateOrderVote` decides it from the whole file.
"""
from __future__ import annotations

import re
from datetime import datetime

from eazybe_tasks.sources.exports.entry import DateOrder

_DATE = r"(?P<d1>\d{4}|[0-3]?\d)[./-](?P<d2>[0-3]?\d)[./-](?P<d3>\d{4}|\d{1,2}|[RHS]\d{1,2})(?: ?BE)?"
_TIME = r"(?P<hour>[0-2]?\d)[:.](?P<minute>[0-5]\d)(?:[:.](?P<second>[0-5]\d))?"
_AM_PM = r"(?: ?(?P<am_pm>[AaPp]\.? ?[Mm]\.?|ص|م))?"
# A bracketed header ends with "] ", a bare one with " - ": the conditional keeps them paired.
_END = r"(?(open)\] ?| [-–] )"

_DATE_FIRST = re.compile(rf"(?P<open>\[)?{_DATE}[,،]? {_TIME}{_AM_PM}{_END}")
_TIME_FIRST = re.compile(rf"(?P<open>\[)?{_TIME}{_AM_PM},? {_DATE}{_END}")

_EASTERN_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
_TO_ASCII_DIGITS = {0x0660 + i: str(i) for i in range(10)} | {0x06F0 + i: str(i) for i in range(10)}
_HEADER_FIRST_CHARS = frozenset("[0123456789" + "".join(map(chr, _TO_ASCII_DIGITS)))
_PROBE_CHARS = 48  # a header is never longer; digits beyond it are message text

_ERA_START = {"R": 2018, "H": 1988, "S": 1925}  # Japanese era letter -> the year before its year 1
_BUDDHIST_OFFSET = 543
_PM = frozenset({"pm", "م"})


def match_header(line: str) -> re.Match[str] | None:
    """The header at the start of `line`, or None for a continuation line.

    Eastern Arabic digits are mapped one-for-one, so match offsets still index `line`."""
    if not line or line[0] not in _HEADER_FIRST_CHARS:
        return None
    if _EASTERN_DIGITS.search(line, 0, _PROBE_CHARS):
        line = line[:_PROBE_CHARS].translate(_TO_ASCII_DIGITS) + line[_PROBE_CHARS:]
    return _DATE_FIRST.match(line) or _TIME_FIRST.match(line)


def header_timestamp(header: re.Match[str], order: DateOrder) -> datetime:
    """The header's local time; ValueError if the fields are no real date in `order`."""
    first, second, third = header["d1"], header["d2"], header["d3"]
    if order is DateOrder.YMD:
        year, month, day = first, second, third
    elif order is DateOrder.DMY:
        day, month, year = first, second, third
    else:
        month, day, year = first, second, third
    hour = int(header["hour"])
    am_pm = header["am_pm"]
    if am_pm is not None:
        hour = hour % 12 + (12 if am_pm.replace(".", "").replace(" ", "").lower() in _PM else 0)
    second_field = header["second"]
    return datetime(
        _calendar_year(year), int(month), int(day), hour, int(header["minute"]),
        int(second_field) if second_field else 0,
    )


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


class DateOrderVote:
    """Reads headers until one proves the field order: a 4-digit first field, or a field above 12."""

    def __init__(self) -> None:
        self.order: DateOrder | None = None

    def add(self, header: re.Match[str]) -> bool:
        """Count one header; True once the order is known."""
        first = header["d1"]
        if len(first) == 4:
            self.order = DateOrder.YMD
        elif int(first) > 12:
            self.order = DateOrder.DMY
        elif int(header["d2"]) > 12:
            self.order = DateOrder.MDY
        return self.order is not None
