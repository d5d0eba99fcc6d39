"""Strings a JSON body may carry but no database stores as text: a lone UTF-16 surrogate
(`\\ud800`, half of an escaped emoji) and NUL (`\\u0000`, which PostgreSQL refuses). A signed
delivery holding one is stored with U+FFFD in its place rather than refused or failed: Meta would
send the same bytes again and again, and the message would never be stored."""
from __future__ import annotations

from typing import Any

REPLACEMENT = "\ufffd"


def repaired(value: Any) -> Any:
    """`value` (decoded JSON) with every lone surrogate and NUL replaced by U+FFFD. Raises
    RecursionError for JSON nested deeper than Python's recursion limit allows."""
    if isinstance(value, str):
        # UTF-16 pairs up what can be paired; what cannot is replaced on the way back.
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace").replace("\0", REPLACEMENT)
    if isinstance(value, list):
        return [repaired(item) for item in value]
    if isinstance(value, dict):
        return {repaired(key): repaired(item) for key, item in value.items()}
    return value
