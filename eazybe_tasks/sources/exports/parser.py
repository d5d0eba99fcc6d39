"""parse_export: stream the entries of a WhatsApp "Export chat" file (.txt or .zip).

Two passes when the date order is not given: the first reads headers only, until one proves
which field is the day; the second builds entries. Both stream, so memory does not grow with the
file: only the entry being assembled is held.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from eazybe_tasks.sources.exports.archive import ChatText, open_chat
from eazybe_tasks.sources.exports.assembly import MediaLookup, build_entry
from eazybe_tasks.sources.exports.entry import DateOrder, ExportEntry
from eazybe_tasks.sources.exports.layouts import DateOrderVote, header_timestamp, match_header
from eazybe_tasks.sources.exports.lines import read_lines
from eazybe_tasks.sources.exports.marks import written_by_whatsapp
from eazybe_tasks.sources.exports.progress import with_progress
from eazybe_tasks.sources.model import SourceError

_Line = tuple[int, str, str, "re.Match[str] | None"]  # number, raw text, cleaned text, header


def parse_export(
    path: Path, *, date_order: DateOrder | None = None, progress: bool = False
) -> Iterator[ExportEntry]:
    """Entries in file order. Raises SourceError (never anything else) for bad input."""
    path = Path(path)
    with open_chat(path) as chat:
        order = DateOrder(date_order) if date_order else _detect_date_order(chat)
        raw_lines = chat.raw_lines()
        if progress:
            raw_lines = with_progress(raw_lines, chat.size, path.name)
        yield from _entries(_headed_lines(chat.where, raw_lines), order, chat.where, chat.media)


def _detect_date_order(chat: ChatText) -> DateOrder:
    vote = DateOrderVote()
    for _, _, _, header in _headed_lines(chat.where, chat.raw_lines()):
        if header is not None and vote.add(header):
            return vote.order
    raise SourceError(
        chat.where,
        "ambiguous date order: no date field is above 12 anywhere in the file, so day and month "
        "cannot be told apart; pass --date-order dmy|mdy|ymd",
    )


def _headed_lines(where: str, raw_lines: Iterable[bytes]) -> Iterator[_Line]:
    """Lines from the first entry on, each with its header match (None: continuation line)."""
    lines = read_lines(raw_lines, where)
    for number, raw, line in lines:
        header = match_header(line)
        if header is not None:
            yield number, raw, line, header
            break
        if line.strip():
            raise SourceError(
                f"{where}:{number}",
                "expected a WhatsApp chat export: this line should start with a date and time "
                "like '31/12/2020, 21:41 - ' or '[31/12/2020, 21:41:05] '",
            )
    else:
        raise SourceError(f"{where}:1", "no line starts with a date and time: not a WhatsApp chat export")
    for number, raw, line in lines:
        yield number, raw, line, match_header(line)


def _entries(
    lines: Iterator[_Line], order: DateOrder, where: str, media: MediaLookup
) -> Iterator[ExportEntry]:
    start = next(lines)  # _headed_lines starts with a header line
    continuation: list[str] = []
    for line in lines:
        if line[3] is None:
            continuation.append(line[2])
            continue
        yield _entry(start, continuation, order, where, media)
        start, continuation = line, []
    yield _entry(start, continuation, order, where, media)


def _entry(
    start: _Line, continuation: list[str], order: DateOrder, where: str, media: MediaLookup
) -> ExportEntry:
    number, raw, line, header = start
    try:
        timestamp = header_timestamp(header, order)
    except ValueError as error:
        raise SourceError(
            f"{where}:{number}", f"no such date or time with date order {order.value}: {error}"
        ) from None
    return build_entry(number, timestamp, line[header.end():], continuation,
                       written_by_whatsapp(raw), media)
