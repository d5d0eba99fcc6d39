"""Live mode's sync: the debouncer's action is one sync run of the business accounts whose
deliveries stored something new (a replayed delivery adds nothing and triggers nothing). Syncing
only those accounts keeps live mode clear of runs on other accounts, which hold other locks."""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from eazybe_tasks.live.debouncer import Debouncer
from eazybe_tasks.salesforce.org_client import OrgClient
from eazybe_tasks.store.locks import LockHeld
from eazybe_tasks.store.store import Store
from eazybe_tasks.sync.run import DEFAULT_DAYS, SyncOptions, sync_once
from eazybe_tasks.webhook.app import StoredDelivery

log = logging.getLogger(__name__)

DEFAULT_DEBOUNCE_S = 1.0
# A steady stream of deliveries still gets a run this long after the first one waiting, so a
# message reaches the org within about this plus one or two run times.
DEFAULT_MAX_DELAY_S = 5.0
# Another run holds an account's lock (the scheduler's, or another receiver's live mode): look again soon.
LOCK_RETRY_S = 0.5


@dataclass(frozen=True)
class LiveSettings:
    debounce_s: float = DEFAULT_DEBOUNCE_S
    max_delay_s: float = DEFAULT_MAX_DELAY_S
    days: int = DEFAULT_DAYS

    def __post_init__(self) -> None:
        if not 0 <= self.debounce_s <= self.max_delay_s:
            raise ValueError(f"debounce_s ({self.debounce_s:g}) must be between 0 and max_delay_s "
                             f"({self.max_delay_s:g})")


class LiveSync:
    """Start it, hand `delivery_stored` to the receiver (create_app's on_stored), stop it when the
    receiver stops. Usable as a context manager. Each run keeps to `org`'s share of the API allowance."""

    def __init__(self, store: Store, org: OrgClient, settings: LiveSettings = LiveSettings()) -> None:
        self.store, self.org, self.settings = store, org, settings
        self._waiting: set[str] = set()  # accounts with deliveries no run has started on yet
        self._lock = threading.Lock()
        self._debouncer = Debouncer(self._sync, quiet_s=settings.debounce_s, max_delay_s=settings.max_delay_s,
                                    name="live-sync")

    def delivery_stored(self, stored: StoredDelivery) -> None:
        if stored.result.messages_added or stored.result.statuses_added:
            with self._lock:
                self._waiting |= stored.accounts
            self._debouncer.notify()

    @property
    def idle(self) -> bool:
        """No stored delivery waits for its sync run, and no run is going on."""
        return self._debouncer.idle

    def start(self) -> None:
        self._debouncer.start()

    def stop(self) -> None:
        """Lets a run in progress finish; deliveries still waiting are left to the scheduled sync."""
        if self._debouncer.waiting:
            log.warning("live sync stopping with deliveries not yet synced: the next scheduled sync takes them")
        self._debouncer.stop()

    def __enter__(self) -> "LiveSync":
        self.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def _sync(self) -> float | None:
        with self._lock:
            accounts, self._waiting = self._waiting, set()
        if not accounts:
            return None
        try:
            report = sync_once(self.store, self.org, SyncOptions(days=self.settings.days, accounts=sorted(accounts)))
        except BaseException as not_done:
            with self._lock:
                self._waiting |= accounts
            if isinstance(not_done, LockHeld):
                log.info("live sync waits: %s", not_done)
                return LOCK_RETRY_S
            raise
        log.info("live sync run %d (%s): %d messages, %d chat-days written, %d failed, %d API calls%s",
                 report.run_id, ", ".join(sorted(accounts)), report.messages, report.written, report.failed,
                 report.api_calls, f"; stopped early: {report.stop_reason}" if report.stop_reason else "")
        return None
