"""The cap on bodies being read before their signature is checked: anyone can send one, so
without it a few hundred slow or stalled senders hold a megabyte each."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator


class Busy(Exception):
    """As many bodies as allowed are being read already."""


class PendingBodies:
    """No lock: the app runs on one event loop, and nothing awaits between the check and the count."""

    def __init__(self, limit: int) -> None:
        self.limit, self.reading = limit, 0

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Held while one body is read; raises Busy, before any of it is read, when none is free."""
        if self.reading >= self.limit:
            raise Busy()
        self.reading += 1
        try:
            yield
        finally:
            self.reading -= 1
