"""Reads the chat text line by line: decoded, line end and invisible marks removed.

Decoding per line (not per file) is what lets a bad byte be reported with its line number, and
keeps memory flat however long the chat is.
"""
from __future__ import annotations

from typing import Iterable, Iterator

from eazybe_tasks.sources.exports.marks import clean
from eazybe_tasks.sources.model import SourceError


def read_lines(raw_lines: Iterable[bytes], where: str) -> Iterator[tuple[int, str, str]]:
    """(line number, raw text, cleaned text) for each line; SourceError on non-UTF-8 bytes."""
    for number, raw in enumerate(raw_lines, 1):
        try:
            text = raw.decode("utf-8").rstrip("\r\n")
        except UnicodeDecodeError as error:
            raise SourceError(
                f"{where}:{number}", f"not UTF-8 text (bad byte at column {error.start + 1}); "
                "WhatsApp exports are UTF-8, was the file re-saved in another encoding?"
            ) from None
        yield number, text, clean(text)
