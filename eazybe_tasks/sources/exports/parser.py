"""parse_export: stream the entries of a WhatsApp "Export chat" file (.txt or .zip).

Two passes when the date order is not given: the first reads headers only, until one proves
which field is the day; the second builds entries. Both read the text in blocks of whole lines.
The second splits each block at its header lines with one pattern split (in C): per entry, the
header's fields and the body up to the next header (author, text, continuation lines), which the
builder turns into entries a block at a time. Memory does not grow with the file: one block, and
the entry it ends with, are held.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from eazybe_tasks.sources.exports.archive import ChatText, open_chat
from eazybe_tasks.sources.exports.assembly import Batch, EntryBuilder
from eazybe_tasks.sources.exports.entry import DateOrder, ExportEntry
from eazybe_tasks.sources.exports.layouts import HEADER, Clock, DateOrderVote, header_date
from eazybe_tasks.sources.exports.lines import Block, read_blocks
from eazybe_tasks.sources.exports.progress import with_progress
from eazybe_tasks.sources.model import SourceError

# The header that starts an entry's line. Every line of a block follows a "\n", so the search
# skips from line to line at the speed of a character scan.
_HEADER_LINE = re.compile(rf"\n{HEADER}")
_STRIDE = _HEADER_LINE.groups + 1  # pieces per entry in a split: its groups, then what follows


def parse_export(
    path: Path, *, date_order: DateOrder | None = None, progress: bool = False
) -> Iterator[ExportEntry]:
    """Entries in file order, read lazily. Raises SourceError (never anything else) for bad input.

    The entries come in runs (see EntryBuilder.build) that `chain` reads one after the other, so
    that no generator of the parser's is resumed for each entry, only for each run."""
    return chain.from_iterable(_runs(path, date_order, progress))


def _runs(path: Path, date_order: DateOrder | None, progress: bool) -> Iterator[Iterable[ExportEntry]]:
    path = Path(path)
    with open_chat(path) as chat:
        order = DateOrder(date_order) if date_order else _detect_date_order(chat)
        chunks = chat.chunks()
        if progress:
            chunks = with_progress(chunks, chat.size, path.name)
        blocks = _headed_blocks(read_blocks(chunks, chat.where), chat.where)
        yield from _entries(blocks, EntryBuilder(Clock(order), chat.media, chat.where))


def _detect_date_order(chat: ChatText) -> DateOrder:
    vote = DateOrderVote()
    for block in _headed_blocks(read_blocks(chat.chunks(), chat.where), chat.where):
        for header in _HEADER_LINE.finditer(block.text):
            if vote.add(header_date(header)):
                return vote.order
    raise SourceError(
        chat.where,
        "ambiguous date order: no date field is above 12 anywhere in the file, so day and month "
        "cannot be told apart; pass --date-order dmy|mdy|ymd",
    )


def _headed_blocks(blocks: Iterable[Block], where: str) -> Iterator[Block]:
    """The blocks from the first entry's header line on; before it, only blank lines may come."""
    blocks = iter(blocks)
    for block in blocks:
        first = _HEADER_LINE.search(block.text)
        preamble = block.text if first is None else block.text[:first.start()]
        for number, line in enumerate(preamble.split("\n")[1:], block.first_line):
            if line.strip():
                raise SourceError(
                    f"{where}:{number}",
                    "expected a WhatsApp chat export: this line should start with a date and time "
                    "like '31/12/2020, 21:41 - ' or '[31/12/2020, 21:41:05] '",
                )
        if first is not None:
            yield Block(block.first_line + preamble.count("\n"), block.text[first.start():],
                        block.whatsapp_lines)
            yield from blocks
            return
    raise SourceError(f"{where}:1", "no line starts with a date and time: not a WhatsApp chat export")


def _entries(blocks: Iterable[Block], builder: EntryBuilder) -> Iterator[Iterable[ExportEntry]]:
    """The entries of the blocks, built a block at a time, in runs (see EntryBuilder.build).

    The last entry of a block may go on in the next one: its pieces are carried over, its body
    completed by what comes before the next block's first header, and it is built with that block."""
    carried: list[Any] = []  # the pieces of the last entry so far: header groups, then body
    line = 0  # its line number
    carried_whatsapp: frozenset[int] = frozenset()  # {line} if iOS marked its header line
    for block in blocks:
        pieces = _HEADER_LINE.split(block.text)
        headed = len(pieces) > 1  # the block holds a header: the entry it ends with is new
        if carried:
            carried[-1] += pieces[0]
            pieces[:1] = carried
        else:  # the first block, which _headed_blocks starts with a header
            line = block.first_line
            del pieces[0]
        carried = pieces[-_STRIDE:]
        del pieces[-_STRIDE:]
        if pieces:
            line = yield from builder.build(_batch(pieces, line, carried_whatsapp | block.whatsapp_lines))
        if headed:
            carried_whatsapp = block.whatsapp_lines & {line}
    if carried:
        yield from builder.build(_batch(carried, line, carried_whatsapp))


def _batch(pieces: list[Any], first_line: int, whatsapp_lines: frozenset[int]) -> Batch:
    """The entries split into `pieces` (_STRIDE per entry) as columns."""
    dates, times, dates_after = _column(pieces, "date"), _column(pieces, "time"), _column(pieces, "date_t")
    if dates_after.count(None) != len(dates_after):  # some headers put the time first
        dates = [date or date_after for date, date_after in zip(dates, dates_after)]
        times = [time or time_before for time, time_before in zip(times, _column(pieces, "time_t"))]
    return Batch(first_line, dates, times, pieces[_STRIDE - 1::_STRIDE], whatsapp_lines)


def _column(pieces: list[Any], group: str) -> list[Any]:
    """One header group of every entry in `pieces`."""
    return pieces[_HEADER_LINE.groupindex[group] - 1::_STRIDE]
