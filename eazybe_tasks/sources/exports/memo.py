"""A bounded memo that `map` can read at C speed: chats repeat dates, times, authors and messages.

Read it with ``map(memo.__getitem__, keys)``: a key seen before is a plain dict lookup, with no
Python call; only a new key runs the function. It is cleared when full, so memory stays flat
however long the chat (and whatever hostile input) is.
"""
from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import TypeVar

_Key = TypeVar("_Key", bound=Hashable)
_Value = TypeVar("_Value")


class Memo(dict[_Key, _Value]):
    """key -> `work_out(key)`, worked out on first sight and kept if `worth_keeping(key, value)`
    (a value turned away is still returned, and worked out again next time)."""

    def __init__(
        self, work_out: Callable[[_Key], _Value], limit: int,
        worth_keeping: Callable[[_Key, _Value], bool] | None = None,
    ) -> None:
        super().__init__()
        self._work_out = work_out
        self.limit = limit
        self._worth_keeping = worth_keeping  # None: every value is

    def __missing__(self, key: _Key) -> _Value:
        value = self._work_out(key)
        if self._worth_keeping is None or self._worth_keeping(key, value):
            if len(self) >= self.limit:
                self.clear()
            self[key] = value
        return value
