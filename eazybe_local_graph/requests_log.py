"""A record of the smb_app_data requests the stand-in received and how it answered them, for
tests and the demo to check what the client asked for (never the access token)."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SmbAppDataRequest:
    """One POST /{version}/{phone_number_id}/smb_app_data. `sync_type` as sent (None if absent or
    not a string); `request_id` only when accepted; `error_code` the Graph error code otherwise."""

    received_at: datetime
    version: str
    phone_number_id: str
    sync_type: str | None
    status_code: int
    request_id: str | None = None
    error_code: int | None = None


class RequestsLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[SmbAppDataRequest] = []

    def add(self, request: SmbAppDataRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def all(self) -> list[SmbAppDataRequest]:
        with self._lock:
            return list(self._requests)
