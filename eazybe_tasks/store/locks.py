"""Named leases in the store, so that two sync runs never overlap, on one machine or on several
sharing a PostgreSQL store.

A lease, not a plain flag: a holder killed with SIGKILL cannot release it, so it expires by itself
and the next run takes over (at once, when the dead holder ran on the same machine). Taking one is a single INSERT, or a single conditional UPDATE of an
expired row, so two contenders cannot both win on any database."""
from __future__ import annotations

import os
import socket
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterator

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from eazybe_tasks.store.schema import locks

SYNC_LOCK = "sync"
DEFAULT_LEASE = timedelta(minutes=15)


class LockHeld(Exception):
    """Another process holds the lock; the message says who and until when."""


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
            raise LockHeld(f"lock {self.name!r} was lost: its lease expired and another process took it")

    def release(self) -> None:
        with self.engine.begin() as connection:
            connection.execute(delete(locks).where(locks.c.name == self.name, locks.c.holder == self.holder))


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
