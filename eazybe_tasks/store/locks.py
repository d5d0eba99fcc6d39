"""Named leases in the store, so that two sync runs never overlap, on one machine or on several
sharing a PostgreSQL store.

A lease, not a plain flag: a holder killed with SIGKILL cannot release it, so it expires by itself
and the next run takes over (at once, when the dead holder ran on the same machine). Taking one is
a single INSERT, or a single conditional UPDATE of an expired row, so two contenders cannot both
win on any database. A holder whose work may outlast the lease keeps it alive with a Heartbeat,
and asks it before each write whether the lease is still its own."""
from __future__ import annotations

import os
import socket
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from eazybe_tasks.store.schema import locks

SYNC_LOCK = "sync"
DEFAULT_LEASE = timedelta(minutes=15)


class LockHeld(Exception):
    """Another process holds the lock; the message says who and until when."""


class LeaseLost(LockHeld):
    """A lease this process held expired and another process took it: stop before writing more."""


@dataclass(frozen=True)
class Lease:
    engine: Engine
    name: str
    holder: str
    lease: timedelta

    def renew(self) -> None:
        """Pushes the expiry on, for work longer than one lease. Fails if the lease was lost."""
        with self.engine.begin() as connection:
            moved = connection.execute(
                update(locks).where(locks.c.name == self.name, locks.c.holder == self.holder)
                .values(expires_at=datetime.now(timezone.utc) + self.lease)
            ).rowcount
        if moved != 1:
            raise LeaseLost(f"lock {self.name!r} was lost: its lease expired and another process took it")

    def release(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(locks).where(locks.c.name == self.name, locks.c.holder == self.holder))


class Heartbeat:
    """Renews leases from a background thread, a third of the shortest lease apart, for as long as
    the work inside `with` goes on, so a slow run keeps its locks even inside one long call.
    `check()`, called before each write, renews them too and raises LeaseLost once one was lost."""

    def __init__(self, leases: list[Lease]) -> None:
        self.leases = leases
        self.interval_s = min((lease.lease for lease in leases), default=DEFAULT_LEASE).total_seconds() / 3
        self._lost: LeaseLost | None = None
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._beat, name="lease heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _renew_all(self) -> None:
        with self._lock:
            if self._lost is not None:
                raise self._lost
            try:
                for lease in self.leases:
                    lease.renew()
            except LeaseLost as lost:
                self._lost = lost
                raise

    def _beat(self) -> None:
        while not self._stop.wait(self.interval_s):
            try:
                self._renew_all()
            except LeaseLost:
                return
            except SQLAlchemyError:
                continue  # the store is busy or away: the next beat, or check(), tries again

    def check(self) -> None:
        """Renews the leases now (one UPDATE each); raises LeaseLost if one is no longer this holder's."""
        self._renew_all()


def _holder() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _died_here(holder: str) -> bool:
    """A holder on this machine whose process is gone (killed): its lease need not be waited out."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire(engine: Engine, name: str, lease: timedelta = DEFAULT_LEASE) -> Lease:
    now = datetime.now(timezone.utc)
    holder = _holder()
    values = {"holder": holder, "acquired_at": now, "expires_at": now + lease}
    try:
        with engine.begin() as connection:
            connection.execute(locks.insert().values(name=name, **values))
        return Lease(engine, name, holder, lease)
    except IntegrityError:
        pass
    with engine.begin() as connection:
        current = connection.execute(select(locks).where(locks.c.name == name)).first()
        if current is None:  # released between our two statements: try once more from the start
            return acquire(engine, name, lease)
        if current.expires_at < now or _died_here(current.holder):
            taken = connection.execute(
                update(locks).where(locks.c.name == name, locks.c.holder == current.holder).values(**values)
            ).rowcount
            if taken == 1:
                return Lease(engine, name, holder, lease)
    raise LockHeld(f"lock {name!r} is held by {current.holder} since {current.acquired_at:%Y-%m-%d %H:%M:%S} UTC "
                   f"(lease until {current.expires_at:%H:%M:%S} UTC)")


@contextmanager
def held(engine: Engine, name: str, lease: timedelta = DEFAULT_LEASE) -> Iterator[Lease]:
    taken = acquire(engine, name, lease)
    try:
        yield taken
    finally:
        taken.release()
