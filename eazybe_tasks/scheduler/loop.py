"""The scheduler: a tick every `interval_s` seconds, each running the sync notebook once.

Never two runs at once: a tick first takes the store's "scheduler" lease, so a second scheduler
on the same store (this machine or another sharing PostgreSQL) skips its tick and records why;
the lease is renewed while the notebook runs. A tick that comes while this scheduler's own run
is still going is recorded as skipped. A failed run is recorded and the schedule goes on.

The notebook runs on a worker thread; the main thread waits for it, renews the lease and answers
SIGINT/SIGTERM: the first stops the schedule and gives the run in progress `grace_s` seconds to
finish, a second one (or the end of the grace) interrupts the kernel as Ctrl-C would, so the sync
stops where it is safe to stop (the next run repairs anything half done). A kernel that does not
stop is killed."""
from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

from eazybe_tasks.scheduler import execution
from eazybe_tasks.scheduler.runs_folder import ABANDONED, FAILED, SKIPPED, SUCCEEDED, RunEntry, RunsFolder
from eazybe_tasks.scheduler.settings import SchedulerSettings
from eazybe_tasks.store.locks import Lease, LockHeld, acquire
from eazybe_tasks.store.store import URL_VARIABLE, open_store

SCHEDULER_LOCK = "scheduler"
LEASE = timedelta(minutes=2)  # a scheduler killed outright frees the schedule within this
RENEW_EVERY_S = 20.0
POLL_S = 0.25
KILL_AFTER_S = 15.0  # an interrupted kernel still running after this is killed
GIVE_UP_AFTER_S = 15.0  # and a worker still not back after that is left behind

# Their INFO lines repeat what the run log says; traitlets warns of zmq contexts left to the GC.
QUIET_LIBRARIES = {"alembic": logging.WARNING, "papermill": logging.WARNING, "traitlets": logging.ERROR}
log = logging.getLogger(__name__)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class _Stop:
    """What the signals asked for, read by the main thread's waits."""

    requested: threading.Event
    at: float | None = None
    abandon: bool = False

    def request(self) -> None:
        if self.requested.is_set():
            self.abandon = True
        else:
            self.at = time.monotonic()
            self.requested.set()

    def deadline(self, grace_s: float) -> float | None:
        """When the run in progress is to be interrupted; None while no stop was asked for."""
        if self.at is None:
            return None
        return self.at if self.abandon else self.at + grace_s


@contextmanager
def _stop_on_signals(request: Callable[[], None]) -> Iterator[None]:
    """SIGINT and SIGTERM call `request` while the scheduler runs (main thread only: elsewhere
    signals cannot be caught, and the caller stops the scheduler itself)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    for number in previous:
        signal.signal(number, lambda *_: request())
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


class Scheduler:
    def __init__(self, settings: SchedulerSettings, logger: logging.Logger | None = None) -> None:
        """`logger`: where each tick is told (a CumulusCI task passes its own)."""
        self.settings = settings
        self.log = logger or log
        for library, level in QUIET_LIBRARIES.items():
            logging.getLogger(library).setLevel(level)
        self.folder = RunsFolder(settings.runs_dir)
        self.store = open_store(settings.store_url)
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = _Stop(threading.Event())

    def stop(self) -> None:
        """What SIGINT/SIGTERM do: the first stops the schedule, a second abandons the run in progress."""
        self._stop.request()

    def run(self) -> list[RunEntry]:
        """Ticks until stopped or max_runs ticks were recorded; returns what it recorded."""
        recorded: list[RunEntry] = []
        limit = self.settings.max_runs
        next_tick = time.monotonic()
        with _stop_on_signals(self.stop):
            while limit is None or len(recorded) < limit:
                if self._stop.requested.wait(max(0.0, next_tick - time.monotonic())):
                    break
                started = _now()
                recorded.append(self.tick())
                next_tick += self.settings.interval_s
                while next_tick <= time.monotonic() and (limit is None or len(recorded) < limit):
                    next_tick += self.settings.interval_s
                    recorded.append(self._record(SKIPPED, _now(), None,
                                                 f"the previous run (started {started:%H:%M:%S} UTC) was still going"))
        self.log.info("scheduler stopped after %d ticks", len(recorded))
        return recorded

    def run_once(self) -> RunEntry:
        """One tick now, answering SIGINT/SIGTERM as the schedule does."""
        with _stop_on_signals(self.stop):
            return self.tick()

    def tick(self) -> RunEntry:
        """One run of the notebook under the scheduler lease, or a skip if another holds it."""
        started = _now()
        for removed in self.folder.prune(started.date(), self.settings.keep_days):
            self.log.info("retention: removed %s", removed)
        try:
            lease = acquire(self.store.engine, SCHEDULER_LOCK, LEASE)
        except LockHeld as held:
            return self._record(SKIPPED, started, None, str(held))
        try:
            return self._run_notebook(started, lease)
        finally:
            lease.release()

    def _run_notebook(self, started: datetime, lease: Lease) -> RunEntry:
        output = self.folder.notebook_path(started)
        handle = execution.KernelHandle()
        failure: list[BaseException] = []

        def work() -> None:
            try:
                execution.execute(self.settings.notebook_path, output, self.settings.parameters(),
                                  self.settings.project_dir, self._kernel_environment(), handle)
            except BaseException as error:  # recorded by the main thread
                failure.append(error)

        worker = threading.Thread(target=work, name="sync-notebook", daemon=True)
        self.log.info("run starting: %s", output)
        worker.start()
        abandoned = self._watch(worker, lease, handle)
        notebook = self.folder.relative(output) if output.exists() else None
        report = execution.report_of(output) if notebook else None
        if abandoned and (failure or worker.is_alive()):  # an interrupt that came too late changed nothing
            detail = f" ({execution.describe(failure[0])})" if failure else ""
            return self._record(ABANDONED, started, notebook, abandoned + detail, report)
        if not failure:
            return self._record(SUCCEEDED, started, notebook, None, report)
        status = SKIPPED if execution.failed_with(failure[0], LockHeld.__name__) else FAILED
        return self._record(status, started, notebook, execution.describe(failure[0]), report)

    def _watch(self, worker: threading.Thread, lease: Lease, handle: execution.KernelHandle) -> str | None:
        """Waits for the worker, renewing the lease; returns why the run was abandoned, if it was."""
        renewed = time.monotonic()
        reason: str | None = None
        told = False
        interrupted_at = killed_at = None
        while worker.is_alive():
            worker.join(POLL_S)
            now = time.monotonic()
            if self._stop.at is not None and not told:
                told = True
                self.log.warning("stopping after this run; it may take %g s more (signal again to interrupt it now)",
                                 self.settings.grace_s)
            if reason is None and now - renewed >= RENEW_EVERY_S:
                try:
                    lease.renew()
                    renewed = now
                except LockHeld as lost:
                    reason = str(lost)
            deadline = self._stop.deadline(self.settings.grace_s)
            if reason is None and deadline is not None and now >= deadline:
                reason = "stopped by a signal"
            if reason is None:
                continue
            if interrupted_at is None:
                if handle.interrupt():  # False while the kernel is still starting: tried again next time
                    self.log.warning("interrupting the run: %s", reason)
                    interrupted_at = now
            elif killed_at is None and now - interrupted_at >= KILL_AFTER_S:
                self.log.warning("the kernel did not stop when interrupted: killing it")
                handle.kill()
                killed_at = now
            elif killed_at is not None and now - killed_at >= GIVE_UP_AFTER_S:
                break
        return reason

    def _kernel_environment(self) -> dict[str, str]:
        environment = dict(os.environ)
        if self.settings.store_url:
            environment[URL_VARIABLE] = self.settings.store_url
        return environment

    def _record(self, status: str, started: datetime, notebook: str | None, error: str | None,
                report: str | None = None) -> RunEntry:
        entry = RunEntry(started.isoformat(), _now().isoformat(), status, notebook, error, self.name, report)
        self.folder.record(entry)
        said = "; ".join(filter(None, (notebook, error, report)))
        self.log.log(logging.INFO if status == SUCCEEDED else logging.WARNING, "run %s: %s", status, said)
        return entry
