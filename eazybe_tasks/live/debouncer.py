"""Turns a stream of notifications into few calls of one action, never two at once.

The action runs on the debouncer's own thread after `quiet_s` seconds without a notification, or
at the latest `max_delay_s` seconds after the first notification it has not yet covered, so a
steady stream cannot postpone it forever. A notification that comes while the action runs means
one more run after it: the run in progress may have started too early to see what was notified.
The action answers how long to wait before running again when it could not do its work; an
action that raises is retried too, later each time it fails, so a failing org is not hammered."""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)

FIRST_FAILURE_WAIT_S = 1.0
LONGEST_FAILURE_WAIT_S = 60.0
Action = Callable[[], float | None]  # None: done; a number: run again after that many seconds


class Debouncer:
    def __init__(self, action: Action, *, quiet_s: float, max_delay_s: float, name: str = "debouncer") -> None:
        self._action = action
        self.quiet_s, self.max_delay_s = quiet_s, max_delay_s
        self._changed = threading.Condition()
        self._first: float | None = None  # when the oldest notification not yet covered by a run came
        self._last: float | None = None
        self._not_before = 0.0  # a run asked to wait, or failed: nothing starts before this
        self._failures = 0
        self._running = False
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def notify(self) -> None:
        """Something happened that the action should see; returns at once."""
        with self._changed:
            now = time.monotonic()
            self._first = now if self._first is None else self._first
            self._last = now
            self._changed.notify()

    @property
    def waiting(self) -> bool:
        """Whether a notification waits for a run to start."""
        with self._changed:
            return self._first is not None

    @property
    def idle(self) -> bool:
        """Nothing waiting and no run going on."""
        with self._changed:
            return self._first is None and not self._running

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stops waiting; a run in progress gets `timeout_s` seconds to finish."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
        self._thread.join(timeout_s)

    def _due(self) -> float:
        assert self._first is not None and self._last is not None
        return max(self._not_before, min(self._last + self.quiet_s, self._first + self.max_delay_s))

    def _loop(self) -> None:
        while True:
            with self._changed:
                while not self._stopping and (self._first is None or time.monotonic() < self._due()):
                    self._changed.wait(None if self._first is None else self._due() - time.monotonic())
                if self._stopping:
                    return
                first, self._first, self._last = self._first, None, None
                self._running = True
            wait_s = self._attempt()
            with self._changed:
                self._running = False
                if wait_s is not None:  # what the run was to cover is still to do
                    self._last = self._last if self._first is not None else first
                    self._first = first if self._first is None else min(first, self._first)
                    self._not_before = time.monotonic() + wait_s

    def _attempt(self) -> float | None:
        try:
            wait_s = self._action()
        except Exception:
            self._failures += 1
            wait_s = min(FIRST_FAILURE_WAIT_S * 2 ** (self._failures - 1), LONGEST_FAILURE_WAIT_S)
            log.exception("%s: the run failed (%d in a row); trying again in %.0f s",
                          self._thread.name, self._failures, wait_s)
            return wait_s
        self._failures = 0
        return wait_s
