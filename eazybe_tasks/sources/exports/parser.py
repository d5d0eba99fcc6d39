"""parse_export: stream the entries of a WhatsApp "Export chat" file (.txt or .zip).

Two passes when the date order is not given: the first reads headers only, until one proves
which field is the day; the second builds entries. Both read the text in blocks of whole lines.
The second splits each block at its header lines (`header_split`, compiled): per entry, the
header's line number, date and time and the body up to the next header (author, text,
continuation lines), which the builder turns into entries a block at a time. Memory does not grow
with the file: one block, and the entry it ends with, are held.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path

from eazybe_tasks.sources.exports.archive import ChatText, open_chat
from eazybe_tasks.sources.exports.assembly import EntryColumns, EntryBuilder
from eazybe_tasks.sources.exports.entry import DateOrder, ExportEntry
from eazybe_tasks.sources.exports.header_split import Split, split_at_headers
from eazybe_tasks.sources.exports.layouts import HEADER_LINE, Clock, DateOrderVote, header_date
from eazybe_tasks.sources.exports.lines import Block, read_blocks
from eazybe_tasks.sources.exports.progress import with_progress
from eazybe_tasks.sources.model import SourceError


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
        for header in HEADER_LINE.finditer(block.text):
            if vote.add(header_date(header)):
                return vote.order
    raise SourceError(
        chat.where,
        "ambiguous date order: no date field is above 12 anywhere in the file, so day and month "
        "cannot be told apart; pass -o date_order dmy|mdy|ymd",
    )


def _headed_blocks(blocks: Iterable[Block], where: str) -> Iterator[Block]:
    """The blocks from the first entry's header line on; before it, only blank lines may come."""
    blocks = iter(blocks)
    for block in blocks:
        first = HEADER_LINE.search(block.text)
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

    The last entry of a block may go on in the next ones: it is carried over, its body kept in
    pieces (what comes before each next block's first header) and joined once, when the next
    header ends it, so that an entry over many blocks costs time in its length, not its square;
    it is built with the block that ends it."""
    body: list[str] = []  # the last entry so far: its body in pieces ([] before the first entry)...
    date = time = ""  # ...its header's date and time...
    line = 0  # ...and line number
    whatsapp: frozenset[int] = frozenset()  # its line, if iOS marked its header line
    for block in blocks:
        own = split_at_headers(block.text, block.first_line)
        if not own.dates:  # the last entry goes on through the whole block
            if body:
                body.append(own.lead)
            continue
        split = own
        if body:
            body.append(own.lead)
            split = Split("", [date, *own.dates], [time, *own.times], ["".join(body), *own.bodies],
                          [line, *own.lines])
        if len(split.dates) > 1:
            yield from builder.build(EntryColumns(split.lines[:-1], split.dates[:-1], split.times[:-1],
                                           split.bodies[:-1], whatsapp | block.whatsapp_lines))
        date, time, line, body = own.dates[-1], own.times[-1], own.lines[-1], [own.bodies[-1]]
        whatsapp = block.whatsapp_lines & {line}
    if body:
        yield from builder.build(EntryColumns([line], [date], [time], ["".join(body)], whatsapp))
