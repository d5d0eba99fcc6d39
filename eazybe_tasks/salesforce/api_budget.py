"""The share of the org's daily API allowance one sync run may spend.

Salesforce reports the org's usage on every REST answer (`Sforce-Limit-Info: api-usage=used/max`).
The integration shares that allowance with everything else the org runs, so a run stops cleanly
before its own calls would pass `share` of it, and says so; the next run goes on from there.
The budget sits on the client's HTTP session, so every call is counted, whichever module sends it;
it also gives every call a timeout, which simple-salesforce leaves unset (a hung connection would
otherwise hold the run, and its lock, forever)."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import requests

USAGE = re.compile(r"api-usage=(\d+)/(\d+)")
DEFAULT_SHARE = 0.10
DEFAULT_TIMEOUT_S = 120.0


class ApiBudgetSpent(Exception):
    """The run has used its share of the daily allowance; nothing was sent for this call."""


@dataclass
class ApiBudget:
    share: float = DEFAULT_SHARE
    timeout_s: float | None = DEFAULT_TIMEOUT_S
    calls: int = 0
    used: int | None = None  # the org's usage, as last reported
    limit: int | None = None
    _session: requests.Session | None = field(default=None, repr=False)
    _send: Any = field(default=None, repr=False)

    @property
    def allowed_calls(self) -> int | None:
        return None if self.limit is None else max(1, int(self.limit * self.share))

    def attach(self, sf: Any) -> "ApiBudget":
        """Counts and guards every request the simple-salesforce client `sf` sends from now on."""
        session: requests.Session = sf.session
        self._session, self._send = session, session.request

        def guarded(method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
            allowed = self.allowed_calls
            if allowed is not None and self.calls >= allowed:
                raise ApiBudgetSpent(
                    f"this run used {self.calls} API calls, its share ({self.share * 100:.3g}%) of the org's daily "
                    f"{self.limit:,}; it stops here and the next run goes on")
            self.calls += 1
            if kwargs.get("timeout") is None:
                kwargs["timeout"] = self.timeout_s
            answer = self._send(method, url, *args, **kwargs)
            self.observe(answer.headers.get("Sforce-Limit-Info", ""))
            return answer

        session.request = guarded  # type: ignore[method-assign]
        return self

    def detach(self) -> None:
        if self._session is not None:
            self._session.request = self._send  # type: ignore[method-assign]
            self._session = None

    def observe(self, header: str) -> None:
        found = USAGE.search(header)
        if found:
            self.used, self.limit = int(found.group(1)), int(found.group(2))
