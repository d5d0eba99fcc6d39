"""Store locks on SQLite and PostgreSQL: one holder at a time, the refusal says who holds it, a
released or expired lease can be taken, a lost lease cannot be renewed."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from eazybe_tasks.store.locks import LockHeld, acquire, held
from eazybe_tasks.store.schema import locks
from eazybe_tasks.store.store import Store


def test_one_holder_at_a_time(any_store: Store) -> None:
    with held(any_store.engine, "sync") as lease:
        with pytest.raises(LockHeld, match=r"lock 'sync' is held by .*:\d+:") as refused:
            acquire(any_store.engine, "sync")
        assert lease.holder.split(":")[1] in str(refused.value)
        other = acquire(any_store.engine, "scheduler")  # another name is another lock
        other.release()
    acquire(any_store.engine, "sync").release()  # released on leaving the block


def test_an_expired_lease_is_taken_over_and_cannot_be_renewed(any_store: Store) -> None:
    crashed = acquire(any_store.engine, "sync", lease=timedelta(minutes=5))
    with any_store.engine.begin() as connection:  # five minutes later, the holder never came back
        connection.execute(update(locks).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    successor = acquire(any_store.engine, "sync")
    with pytest.raises(LockHeld, match="was lost"):
        crashed.renew()
    crashed.release()  # releasing someone else's lease is a no-op
    with pytest.raises(LockHeld):
        acquire(any_store.engine, "sync")
    successor.renew()
    successor.release()


def test_contenders_racing_get_exactly_one_lease(any_store: Store) -> None:
    winners: list[str] = []
    refusals: list[str] = []
    start = threading.Barrier(8)

    def contend() -> None:
        start.wait()
        try:
            winners.append(acquire(any_store.engine, "sync").holder)
        except LockHeld as refusal:
            refusals.append(str(refusal))

    threads = [threading.Thread(target=contend) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(winners) == 1 and len(refusals) == 7


def test_a_killed_holder_on_this_machine_is_taken_over_at_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import subprocess
    import sys

    from eazybe_tasks.store.store import open_store

    url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(url)
    holder = subprocess.run(
        [sys.executable, "-c", "import os, sys\nfrom eazybe_tasks.store.locks import acquire\n"
         "from eazybe_tasks.store.store import open_store\n"
         f"lease = acquire(open_store({url!r}).engine, 'sync')\nprint(lease.holder)\nos._exit(9)"],
        capture_output=True, text=True, timeout=120)
    assert holder.returncode == 9, holder.stderr
    taken = acquire(store.engine, "sync")  # the dead process's 15-minute lease is not waited out
    assert taken.holder != holder.stdout.strip()
    taken.release()
