"""Reads the chat text in blocks of whole lines: decoded, line ends and invisible marks removed.

Decoding a chunk at a time (not a line at a time) is what makes reading cheap; a bad byte is
still reported with its line number, after the lines before it, and memory stays flat however
long the chat is. A line may hold at most `MAX_LINE_CHARS` characters: a longer one is refused
with its number and length, counted as it streams by, never held whole.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import NoReturn

from eazybe_tasks.sources.exports.marks import clean, lines_written_by_whatsapp, may_hold_marks
from eazybe_tasks.sources.model import SourceError

# The most characters a line may hold, its line break ("\n" or "\r\n") not counted. WhatsApp
# itself sends at most 65,536 characters in a message, so no export's line comes near it: a longer
# line is a damaged file or not a chat, and refused before it costs memory or time.
MAX_LINE_CHARS = 1 << 20  # 1 MiB: 1,048,576
_CONTINUATION_BYTES = bytes(range(0x80, 0xC0))  # the bytes of a UTF-8 character after its first
# "\r+$" (a line's "\r\n" end, as rstrip("\r\n") sees it), tried only where a run of "\r" starts,
# so that a long run of them inside a line is not scanned again from each of its characters.
_TRAILING_CR = re.compile(r"(?<!\r)\r++$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Block:
    first_line: int  # 1-based number of the block's first line
    text: str  # every line preceded by "\n" (so a header is always found right after one), cleaned
    whatsapp_lines: frozenset[int]  # numbers of lines iOS marked as WhatsApp's own (see marks)


def read_blocks(chunks: Iterable[bytes], where: str) -> Iterator[Block]:
    """The text as consecutive blocks of whole lines; SourceError on non-UTF-8 bytes, or on a line
    longer than `MAX_LINE_CHARS` (after the lines before it).

    A line that chunks cut is kept in pieces and joined once, when its end comes, so that reading
    stays linear however long it is; past the limit its pieces are dropped and only counted."""
    chunks = _at_most(chunks, MAX_LINE_CHARS)  # so that a line inside one chunk is within the limit
    number = 1  # the number of the line that the chunks so far cut (its start is in `cut`)
    cut: list[bytes] = []  # that line's start, in pieces, no "\n" in them
    cut_bytes = 0
    cut_chars = -1  # its characters, counted once it has more bytes than the limit (-1: not yet)
    for chunk in chunks:
        end = chunk.find(b"\n")
        if end < 0:  # the line goes on through the whole chunk
            cut.append(chunk)
            cut_bytes += len(chunk)
            if cut_bytes > MAX_LINE_CHARS + 1:  # (bytes: never fewer than the characters)
                cut_chars = sum(map(_characters, cut)) if cut_chars < 0 else cut_chars + _characters(chunk)
                if cut_chars > MAX_LINE_CHARS + 1:  # too long, whichever line break ends it
                    _refuse_long_line(chunks, cut_chars, chunk[-1:], number, where)
            continue
        if cut_bytes + end > MAX_LINE_CHARS:
            counted = sum(map(_characters, cut)) if cut_chars < 0 else cut_chars
            line_end = chunk[:end] or cut[-1]
            length = counted + _characters(chunk[:end]) - (line_end[-1:] == b"\r")
            if length > MAX_LINE_CHARS:
                raise _too_long(length, number, where)
        last = chunk.rfind(b"\n")
        yield from _blocks(b"".join((b"\n", *cut, memoryview(chunk)[:last])), number, where)
        number += chunk.count(b"\n", 0, last + 1)
        rest = chunk[last + 1:]
        cut, cut_bytes, cut_chars = ([rest] if rest else []), len(rest), -1
    if cut:
        length = sum(map(_characters, cut)) if cut_bytes > MAX_LINE_CHARS else 0
        if length > MAX_LINE_CHARS:  # the last line, with no line break
            raise _too_long(length, number, where)
        yield from _blocks(b"".join((b"\n", *cut)), number, where)


def _at_most(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    """The same bytes, in chunks of at most `size` bytes."""
    for chunk in chunks:
        if len(chunk) <= size:
            yield chunk
        else:
            yield from (chunk[start:start + size] for start in range(0, len(chunk), size))


def _characters(data: bytes) -> int:
    """How many characters UTF-8 `data` holds: its bytes, but those that continue a character
    (a bad byte counts as one; it is reported as such if the line is decoded)."""
    return len(data.translate(None, _CONTINUATION_BYTES))


def _refuse_long_line(chunks: Iterator[bytes], counted: int, last_byte: bytes, number: int, where: str) -> NoReturn:
    """Reads on to the end of a line already longer than the limit, counting its characters but
    keeping none of them, and raises the SourceError that gives its length."""
    for chunk in chunks:
        end = chunk.find(b"\n")
        piece = chunk if end < 0 else chunk[:end]
        counted += _characters(piece)
        last_byte = piece[-1:] or last_byte
        if end >= 0:
            counted -= last_byte == b"\r"  # "\r\n": the line break
            break
    raise _too_long(counted, number, where)


def _too_long(length: int, number: int, where: str) -> SourceError:
    return SourceError(
        f"{where}:{number}",
        f"line too long: {length:,} characters, more than the {MAX_LINE_CHARS:,} a line may hold "
        "(WhatsApp sends at most 65,536 in a message): not a chat export, or a damaged one",
    )


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
