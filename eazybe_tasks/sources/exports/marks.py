"""Invisible characters WhatsApp sprinkles into exports.

iOS puts LRM/RLM before dates and media notices, Arabic exports wrap phone numbers in LRE/PDF,
current Android writes a narrow no-break space before AM/PM. They are removed (or turned into a
plain space) so one set of patterns fits every layout. Works on whole blocks of lines: most blocks
hold none of them, so a cheap test on the block's bytes guards the slower search and translate.
"""
from __future__ import annotations

import re

_DROPPED = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u061c"
_SPACES = "\u00a0\u2009\u202f\u2007"

_TABLE = {ord(c): None for c in _DROPPED} | {ord(c): " " for c in _SPACES}
_ANY_MARK = re.compile(f"[{_DROPPED}{_SPACES}]")
_MARK_LEADS = frozenset(c.encode()[:1] for c in _DROPPED + _SPACES)  # first UTF-8 byte of each mark

# "GroupName: \u200eBob added Carol": iOS marks text WhatsApp wrote itself, not the sender.
_WHATSAPP_WROTE = re.compile(r": [\u200e\u200f]")


def may_hold_marks(data: bytes) -> bool:
    """False if UTF-8 `data` surely holds none of the marks: a few single-byte searches (memchr
    speed), much cheaper than a search of the decoded text, which only runs when one hits."""
    return any(lead in data for lead in _MARK_LEADS)


def clean(text: str) -> str:
    """The text without direction marks and BOM, odd spaces made plain; line breaks untouched."""
    if _ANY_MARK.search(text) is None:
        return text
    return text.translate(_TABLE)


def lines_written_by_whatsapp(text: str, first_line: int) -> frozenset[int]:
    """Numbers of the lines of `text` (each after a "\n", the first numbered `first_line`, before
    `clean`) that hold a ": " followed by a direction mark: in an iOS header line, that is how
    WhatsApp marks its own notices."""
    if "\u200e" not in text and "\u200f" not in text:
        return frozenset()
    numbers: set[int] = set()
    line, counted = first_line - 1, 0
    for mark in _WHATSAPP_WROTE.finditer(text):
        line += text.count("\n", counted, mark.start())
        counted = mark.start()
        numbers.add(line)
    return frozenset(numbers)
