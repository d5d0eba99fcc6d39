"""Invisible characters WhatsApp sprinkles into exports.

iOS puts LRM/RLM before dates and media notices, Arabic exports wrap phone numbers in LRE/PDF,
current Android writes a narrow no-break space before AM/PM. They are removed (or turned into a
plain space) so one set of patterns fits every layout. Most lines hold none of them, so a cheap
search guards the slower translate.
"""
from __future__ import annotations

import re

_DROPPED = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff\u061c"
_SPACES = "\u00a0\u2009\u202f\u2007"

_TABLE = {ord(c): None for c in _DROPPED} | {ord(c): " " for c in _SPACES}
_ANY_MARK = re.compile(f"[{_DROPPED}{_SPACES}]")

# "GroupName: \u200eBob added Carol": iOS marks text WhatsApp wrote itself, not the sender.
_WHATSAPP_WROTE = re.compile(r": [\u200e\u200f]")


def clean(line: str) -> str:
    """The line without direction marks and BOM, odd spaces made plain."""
    if _ANY_MARK.search(line) is None:
        return line
    return line.translate(_TABLE)


def written_by_whatsapp(raw_line: str) -> bool:
    """Whether an iOS header line's text starts with a direction mark (system notices do)."""
    return _WHATSAPP_WROTE.search(raw_line) is not None
