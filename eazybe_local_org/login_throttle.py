"""Locking a user out after repeated failed logins, as Salesforce's password policy does.

Without it a password can be guessed at hundreds of tries a second. After `max_failures`
consecutive wrong passwords (Salesforce's "Maximum invalid login attempts", 10 by default) the
user is locked out for `period_s` (its "Lockout effective period", 15 minutes by default): even
the right password is refused, with the same answer as a wrong one. A successful login clears
the count. The count lives in the org's database, beside its sessions, so a restart does not
lift a lockout."""
from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from typing import Callable

DEFAULT_MAX_FAILURES = 10
DEFAULT_PERIOD_S = 15 * 60.0


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = DEFAULT_MAX_FAILURES
    period_s: float = DEFAULT_PERIOD_S


class LoginThrottle:
    def __init__(
        self, connection: sqlite3.Connection, policy: LockoutPolicy = LockoutPolicy(),
        clock: Callable[[], float] = time.time,
    ):
        """`clock` is wall-clock seconds, as the stored lockout outlives the process; tests move
        it instead of waiting out the period."""
        self.connection = connection
        self.policy = policy
        self.clock = clock
        connection.execute(
            "CREATE TABLE IF NOT EXISTS _login_failures (user_id TEXT PRIMARY KEY, failures INTEGER NOT NULL,"
            " locked_until REAL NOT NULL)"
        )

    def attempt(self, user_id: str, password_ok: bool) -> bool:
        """Whether the login may go on: the password is right and the user is not locked out.
        Counts the attempt; a try while locked out neither counts nor extends the lockout."""
        now = self.clock()
        row = self.connection.execute(
            "SELECT failures, locked_until FROM _login_failures WHERE user_id = ?", (user_id,)
        ).fetchone()
        failures, locked_until = row or (0, 0.0)
        if now < locked_until:
            return False
        with self.connection:
            if password_ok:
                self.connection.execute("DELETE FROM _login_failures WHERE user_id = ?", (user_id,))
                return True
            failures += 1
            locked = failures >= self.policy.max_failures
            self.connection.execute(
                "INSERT INTO _login_failures VALUES (?, ?, ?) ON CONFLICT(user_id) DO UPDATE"
                " SET failures = excluded.failures, locked_until = excluded.locked_until",
                (user_id, 0 if locked else failures, now + self.policy.period_s if locked else 0.0),
            )
        return False
