"""Access tokens (session ids) the local org issues and checks, kept in the org's database.

Like Salesforce's, a session id starts with the org id and expires; an expired or unknown one
gets 401 INVALID_SESSION_ID, and clients refresh with their refresh token."""
from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time

DEFAULT_LIFETIME_S = 2 * 60 * 60


def _digest(token: str) -> str:
    """Only a hash of each token is stored: a copied database holds no usable session."""
    return hashlib.sha256(token.encode()).hexdigest()


class Sessions:
    def __init__(self, connection: sqlite3.Connection, org_id: str, lifetime_s: int = DEFAULT_LIFETIME_S):
        self.connection = connection
        self.org_id = org_id
        self.lifetime_s = lifetime_s
        connection.execute(
            "CREATE TABLE IF NOT EXISTS _sessions (token_sha256 TEXT PRIMARY KEY, user_id TEXT NOT NULL,"
            " expires_at REAL NOT NULL)"
        )

    def issue(self, user_id: str) -> str:
        token = f"{self.org_id[:15]}!{secrets.token_urlsafe(72)}"
        with self.connection:
            self.connection.execute("DELETE FROM _sessions WHERE expires_at < ?", (time.time(),))
            self.connection.execute(
                "INSERT INTO _sessions VALUES (?, ?, ?)",
                (_digest(token), user_id, time.time() + self.lifetime_s),
            )
        return token

    def user_for(self, token: str) -> str | None:
        """The user the token belongs to, or None when it is unknown or expired."""
        row = self.connection.execute(
            "SELECT user_id FROM _sessions WHERE token_sha256 = ? AND expires_at >= ?",
            (_digest(token), time.time()),
        ).fetchone()
        return row[0] if row else None

    def revoke(self, token: str) -> None:
        """This one token stops working, as on logout: it then gets INVALID_SESSION_ID like an
        expired one."""
        with self.connection:
            self.connection.execute("DELETE FROM _sessions WHERE token_sha256 = ?", (_digest(token),))

    def expire_all(self) -> None:
        """Every current token stops working at once, as when an admin revokes sessions."""
        with self.connection:
            self.connection.execute("DELETE FROM _sessions")
