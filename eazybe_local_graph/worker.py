"""One background thread that runs webhook deliveries one after the other, in the order they were
asked for, the way Meta sends a number's webhooks; and a way to wait until it has nothing left,
so tests and the demo know when every webhook has landed."""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)

Job = Callable[[], None]
# A job tied to an HTTP answer waits for it to be sent; if it never is (the client went away), not forever.
AFTER_TIMEOUT_S = 5.0


class DeliveryQueue:
    def __init__(self) -> None:
        self._jobs: queue.Queue[tuple[Job, threading.Event | None] | None] = queue.Queue()
        self._idle = threading.Condition()
        self._pending = 0
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local-graph-deliveries", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def submit(self, job: Job, after: threading.Event | None = None) -> None:
        """Queues `job`; it counts as pending from now on. With `after`, it starts only once that
        event is set (e.g. once the HTTP answer that asked for it has been sent)."""
        with self._idle:
            self._pending += 1
        self._jobs.put((job, after))

    @property
    def pending(self) -> int:
        with self._idle:
            return self._pending

    def wait_idle(self, timeout: float) -> bool:
        """True once every submitted job has finished; False if `timeout` seconds passed first."""
        deadline = time.monotonic() + timeout
        with self._idle:
            while self._pending:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._idle.wait(left)
        return True

    def stop(self, timeout: float = 5.0) -> None:
        """Drops the jobs not started yet and waits (at most `timeout`) for the running one."""
        self._stopping.set()
        self._jobs.put(None)
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._jobs.get()
            if item is None:
                return
            job, after = item
            try:
                if not self._stopping.is_set():
                    if after is not None:
                        after.wait(AFTER_TIMEOUT_S)
                    job()
            except Exception:  # one broken job must not stop the deliveries after it
                log.exception("a local Graph background job failed")
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()
