"""API request accounting, as Salesforce counts it: every call against a daily allowance, shown
in `/limits` and in each response's `Sforce-Limit-Info: api-usage=N/M` header, and refused with
REQUEST_LIMIT_EXCEEDED once the allowance is spent."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone

DEFAULT_DAILY_MAX = 15_000  # a Developer Edition org's allowance


class ApiUsage:
    def __init__(self, connection: sqlite3.Connection, daily_max: int = DEFAULT_DAILY_MAX):
        self.connection = connection
        self.daily_max = daily_max
        connection.execute("CREATE TABLE IF NOT EXISTS _api_usage (day TEXT PRIMARY KEY, used INTEGER NOT NULL)")

    @staticmethod
    def _today() -> str:
        return datetime.now(timezone.utc).date().isoformat()

    def used(self) -> int:
        row = self.connection.execute("SELECT used FROM _api_usage WHERE day = ?", (self._today(),)).fetchone()
        return row[0] if row else 0

    def count(self) -> bool:
        """Counts one call; False when the day's allowance was already spent (the call is refused
        and, as in Salesforce, not counted)."""
        if self.used() >= self.daily_max:
            return False
        with self.connection:
            self.connection.execute(
                "INSERT INTO _api_usage VALUES (?, 1) ON CONFLICT(day) DO UPDATE SET used = used + 1",
                (self._today(),),
            )
        return True

    def header(self) -> str:
        return f"api-usage={self.used()}/{self.daily_max}"
