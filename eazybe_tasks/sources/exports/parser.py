"""parse_export: stream the entries of a WhatsApp "Export chat" file (.txt or .zip).

Two passes when the date order is not given: the first reads headers only, until one proves
which field is the day; the second builds entries. Both read the text in blocks of whole lines
and find each entry's header line with one pattern search over the block, so memory does not grow
with the file: one block, and the entry being assembled, are held.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from eazybe_tasks.sources.exports.archive import ChatText, open_chat
from eazybe_tasks.sources.exports.assembly import AUTHOR, EntryBuilder
from eazybe_tasks.sources.exports.entry import DateOrder, ExportEntry
from eazybe_tasks.sources.exports.layouts import HEADER, Clock, DateOrderVote, header_date
from eazybe_tasks.sources.exports.lines import Block, read_blocks
from eazybe_tasks.sources.exports.progress import with_progress
from eazybe_tasks.sources.model import SourceError

# An entry's first line: header, author, first line of text. Every line of a block follows a
# "\n", so the search skips from line to line at the speed of a character scan.
_ENTRY_LINE = re.compile(rf"\n{HEADER}{AUTHOR}(?P<first>[^\n]*)", re.MULTILINE)


def parse_export(
    path: Path, *, date_order: DateOrder | None = None, progress: bool = False
) -> Iterator[ExportEntry]:
    """Entries in file order. Raises SourceError (never anything else) for bad input."""
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
        for header in _ENTRY_LINE.finditer(block.text):
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
        first = _ENTRY_LINE.search(block.text)
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


def _entries(blocks: Iterable[Block], builder: EntryBuilder) -> Iterator[ExportEntry]:
    """One entry per header line, with the lines up to the next header as its continuation.

    An entry is built when the next header (or the end) shows where it ends; its continuation
    may span blocks, so the text after the last header of a block is carried into the next."""
    header: re.Match[str] | None = None  # header line of the entry being assembled
    number = 0  # its line number
    whatsapp_wrote = False  # whether iOS marked its text as WhatsApp's own
    carried = ""  # its continuation from earlier blocks
    for block in blocks:
        text = block.text
        tail = 0  # where the text after the block's last header line so far begins
        for following in _ENTRY_LINE.finditer(text):
            if header is None:
                number = block.first_line  # _headed_blocks starts the first block with a header
            else:
                continuation = text[tail:following.start()]
                if carried:
                    continuation, carried = carried + continuation, ""
                yield builder.build(number, header, continuation, whatsapp_wrote)
                number += 1 + continuation.count("\n")
            header, tail = following, following.end()
            whatsapp_wrote = number in block.whatsapp_lines
        carried += text[tail:]
    if header is not None:
        yield builder.build(number, header, carried, whatsapp_wrote)
