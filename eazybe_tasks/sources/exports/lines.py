"""Reads the chat text in blocks of whole lines: decoded, line ends and invisible marks removed.

Decoding a chunk at a time (not a line at a time) is what makes reading cheap; a bad byte is
still reported with its line number, after the lines before it, and memory stays flat however
long the chat is.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from eazybe_tasks.sources.exports.marks import clean, lines_written_by_whatsapp, may_hold_marks
from eazybe_tasks.sources.model import SourceError

_TRAILING_CR = re.compile(r"\r+$", re.MULTILINE)  # a line's "\r\n" end, as rstrip("\r\n") sees it


@dataclass(frozen=True, slots=True)
class Block:
    first_line: int  # 1-based number of the block's first line
    text: str  # every line preceded by "\n" (so a header is always found right after one), cleaned
    whatsapp_lines: frozenset[int]  # numbers of lines iOS marked as WhatsApp's own (see marks)


def read_blocks(chunks: Iterable[bytes], where: str) -> Iterator[Block]:
    """The text as consecutive blocks of whole lines; SourceError on non-UTF-8 bytes."""
    number = 1
    partial = b""  # the start of a line the last chunk cut
    for chunk in chunks:
        data = partial + chunk
        cut = data.rfind(b"\n")
        if cut >= 0:
            yield from _blocks(b"\n" + data[:cut], number, where)
            number += data.count(b"\n", 0, cut + 1)
        partial = data[cut + 1:]
    if partial:
        yield from _blocks(b"\n" + partial, number, where)


def _blocks(data: bytes, number: int, where: str) -> Iterator[Block]:
    """The block of `data`: lines, each after a "\n" (so the decoded text needs no copy to add
    the first one), the first numbered `number`. On a bad byte, the lines before it, then the
    error naming its line."""
    nul = data.find(b"\0")
    if nul >= 0:  # valid UTF-8, but in no chat's text (and no database stores it as text)
        line = number + data.count(b"\n", 1, nul)
        raise SourceError(f"{where}:{line}", "a NUL character: not a chat export's text, or a damaged one")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        if line_start > 1:
            good = data[:line_start - 1]
            yield _block(good.decode("utf-8"), number, good)
        bad_line = number + data.count(b"\n", 1, line_start)
        raise SourceError(
            f"{where}:{bad_line}",
            f"not UTF-8 text (bad byte at column {error.start - line_start + 1}); "
            "WhatsApp exports are UTF-8, was the file re-saved in another encoding?",
        ) from None
    yield _block(text, number, data)


def _block(text: str, number: int, data: bytes) -> Block:
    if b"\r" in data:
        text = _TRAILING_CR.sub("", text)
    if not may_hold_marks(data):
        return Block(number, text, frozenset())
    return Block(number, clean(text), lines_written_by_whatsapp(text, number))
