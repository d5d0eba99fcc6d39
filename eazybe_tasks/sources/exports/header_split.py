"""Splits a block of chat text at its header lines into columns: one line number, date, time and
body per entry.

`split_by_pattern` is the definition: the split of `HEADER_LINE`, done by Python's regex engine.
`split_at_headers` is what the parser calls: the compiled `_header_split` when it was built (it
recognizes the common layouts itself and asks the pattern about every other line, so it gives the
same split; tests compare the two), else `split_by_pattern`.
"""
from __future__ import annotations

from itertools import accumulate, repeat
from typing import Callable, NamedTuple

from eazybe_tasks.sources.exports.layouts import HEADER_LINE


class Split(NamedTuple):
    lead: str  # the text before the first header line ("" when the text starts with one)
    dates: list[str]  # date text of each header
    times: list[str]  # time text of each header
    bodies: list[str]  # what follows each header, up to the next header line
    lines: list[int]  # line number of each header


_STRIDE = HEADER_LINE.groups + 1  # pieces per entry in a pattern split: its groups, then what follows


def split_by_pattern(text: str, first_line: int = 1) -> Split:
    """`text` (lines each after a "\\n", the first numbered `first_line`) split at its header
    lines by the pattern."""
    pieces = HEADER_LINE.split(text)
    dates, times = _column(pieces, "date"), _column(pieces, "time")
    dates_after = _column(pieces, "date_t")
    if dates_after.count(None) != len(dates_after):  # some headers put the time first
        dates = [date or date_after for date, date_after in zip(dates, dates_after)]
        times = [time or time_before for time, time_before in zip(times, _column(pieces, "time_t"))]
    bodies = pieces[_STRIDE::_STRIDE]
    newlines = map(str.count, [pieces[0], *bodies[:-1]] if bodies else [], repeat("\n"))
    lines = list(accumulate(newlines, lambda line, count: line + 1 + count, initial=first_line - 1))[1:]
    return Split(pieces[0], dates, times, bodies, lines)


def _column(pieces: list[str], group: str) -> list[str]:
    """One header group of every entry in a pattern split (pieces[0] is the lead)."""
    return pieces[HEADER_LINE.groupindex[group]::_STRIDE]


try:
    from eazybe_tasks.sources.exports._header_split import split_at_headers as _compiled
except ImportError:  # not built (an install without a C compiler): the pattern does the work
    _compiled = None

COMPILED = _compiled is not None


def _split_compiled(text: str, first_line: int = 1) -> Split:
    return Split(*_compiled(text, first_line))


split_at_headers: Callable[[str, int], Split] = _split_compiled if COMPILED else split_by_pattern
