"""Delivers webhook bodies to the receiver as Meta does: signed, and retried with exponential
backoff until the receiver answers HTTP 200 (anything else, a refused connection or a timeout is
a failure). Each delivery's outcome is recorded for tests to inspect; the app secret and the
bodies are never logged."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Any

import httpx

from eazybe_local_graph.signing import SIGNATURE_HEADER, encode_body, signature

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_TIMEOUT_S = 10.0
MAX_BACKOFF_S = 60.0


@dataclass(frozen=True)
class Delivery:
    """What became of one webhook: `statuses` has the HTTP status of each attempt (None: no
    answer, see `error`); `status` is the last one; `delivered` means the receiver answered 200."""

    kind: str
    body: dict[str, Any]
    attempts: int
    status: int | None
    delivered: bool
    statuses: tuple[int | None, ...]
    error: str | None = None  # the last attempt's exception class, when it got no answer


class Sender:
    """Sends to one webhook URL with one app secret. Meant to be used from one thread (the
    stand-in's delivery worker); `deliveries` may be read from any thread."""

    def __init__(
        self, webhook_url: str, app_secret: str, retry_base_s: float = 0.5,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS, timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        if not app_secret:
            raise ValueError("the app secret is empty")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.webhook_url = webhook_url
        self._app_secret = app_secret
        self.retry_base_s = retry_base_s
        self.max_attempts = max_attempts
        self._client = httpx.Client(timeout=timeout_s)
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._deliveries: list[Delivery] = []

    def __repr__(self) -> str:  # never shows the secret
        return f"Sender({self.webhook_url!r}, max_attempts={self.max_attempts})"

    @property
    def deliveries(self) -> list[Delivery]:
        with self._lock:
            return list(self._deliveries)

    def backoff_s(self, failed_attempts: int) -> float:
        """How long to wait after `failed_attempts` failures: base, 2 × base, 4 × base... capped."""
        return min(self.retry_base_s * 2 ** (failed_attempts - 1), MAX_BACKOFF_S)

    def deliver(self, kind: str, body: dict[str, Any]) -> Delivery:
        """Sends `body` until the receiver answers 200, at most `max_attempts` times (fewer if
        `stop()` is called meanwhile), and records the outcome."""
        raw = encode_body(body)
        headers = {"Content-Type": "application/json", SIGNATURE_HEADER: signature(raw, self._app_secret)}
        statuses: list[int | None] = []
        error: str | None = None
        while True:
            try:
                status: int | None = self._client.post(self.webhook_url, content=raw, headers=headers).status_code
                error = None
            except httpx.TransportError as failure:  # refused, reset, timed out: Meta retries those too
                status, error = None, type(failure).__name__
            statuses.append(status)
            if status == 200:
                break
            log.info("%s webhook attempt %d to %s failed: %s", kind, len(statuses), self.webhook_url,
                     error or f"HTTP {status}")
            if len(statuses) >= self.max_attempts or self._stopping.wait(self.backoff_s(len(statuses))):
                break
        delivery = Delivery(kind, body, len(statuses), statuses[-1], statuses[-1] == 200, tuple(statuses), error)
        if delivery.delivered:
            log.info("%s webhook delivered to %s (%d attempt(s))", kind, self.webhook_url, delivery.attempts)
        else:
            log.warning("%s webhook abandoned after %d attempt(s) to %s", kind, delivery.attempts, self.webhook_url)
        with self._lock:
            self._deliveries.append(delivery)
        return delivery

    def stop(self) -> None:
        """Ends waits between retries: a delivery in progress gives up after its current attempt."""
        self._stopping.set()

    def close(self) -> None:
        self.stop()
        self._client.close()
