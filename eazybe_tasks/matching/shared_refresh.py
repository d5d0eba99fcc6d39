"""The directory refresh as workers share it: one directory in the store, refreshed by one worker
at a time. A worker that finds another refreshing waits for it (planning with a directory still
being read would leave chat-days unmatched: on a new store, all of them), then reads what changed
since. Only past DIRECTORY_WAIT_S does it go on with the directory as it is. The lock's short lease
is renewed while the refresh goes on, so only a holder that froze or died makes others wait (for
DIRECTORY_LEASE at most)."""
from __future__ import annotations

import time
from datetime import timedelta

from eazybe_tasks.matching.refresh import QueryClient, refresh_directory
from eazybe_tasks.store.locks import Heartbeat, Lease, LockHeld, acquire
from eazybe_tasks.store.store import Store

DIRECTORY_LOCK = "directory"
DIRECTORY_WAIT_S = 300.0
DIRECTORY_LEASE = timedelta(seconds=60)
DIRECTORY_POLL_S = 0.2


def refresh_shared_directory(store: Store, client: QueryClient) -> bool:
    """Whether the directory changed (False too when another worker held it past the wait)."""
    lease = _directory_lease(store)
    if lease is None:
        return False
    try:
        with Heartbeat([lease]):
            return refresh_directory(store.engine, client).read > 0
    finally:
        lease.release()


def _directory_lease(store: Store) -> Lease | None:
    """The directory's lock once no other worker holds it; None if one still does at the deadline."""
    deadline = time.monotonic() + DIRECTORY_WAIT_S
    while True:
        try:
            return acquire(store.engine, DIRECTORY_LOCK, DIRECTORY_LEASE)
        except LockHeld:
            if time.monotonic() >= deadline:
                return None
            time.sleep(DIRECTORY_POLL_S)
