"""The share of the org's daily API allowance one sync run may spend, and a timeout on every call.

Salesforce reports the org's usage on every REST answer (`Sforce-Limit-Info: api-usage=used/max`),
which simple-salesforce keeps in `sf.api_usage`. The integration shares that allowance with
everything else the org runs, so a run stops cleanly before its own calls would pass `share` of
it, and says so; the next run goes on from there. The budget sits in the HTTP session the client
is made with (simple-salesforce's `session=`), so every call is counted, whichever module sends
it; the session also gives every call a timeout, which simple-salesforce leaves unset (a hung
connection would otherwise hold the run, and its lock, forever)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import requests

DEFAULT_SHARE = 0.10
DEFAULT_TIMEOUT_S = 120.0
Usage = Callable[[], "tuple[int, int] | None"]  # (used, daily limit) as the org last reported them


class ApiBudgetSpent(Exception):
    """The run has used its share of the daily allowance; nothing was sent for this call."""


@dataclass
class ApiBudget:
    share: float
    usage: Usage
    calls: int = 0

    @property
    def used(self) -> int | None:
        reported = self.usage()
        return reported[0] if reported else None

    @property
    def limit(self) -> int | None:
        reported = self.usage()
        return reported[1] if reported else None

    def spend(self) -> None:
        """Counts one call, or raises ApiBudgetSpent when the run's share is used up."""
        limit = self.limit
        if limit is not None and self.calls >= max(1, int(limit * self.share)):
            raise ApiBudgetSpent(
                f"this run used {self.calls} API calls, its share ({self.share * 100:.3g}%) of the org's daily "
                f"{limit:,}; it stops here and the next run goes on")
        self.calls += 1


class BudgetedSession(requests.Session):
    """The client's HTTP session: a timeout on every call, and the current run's budget (if any)
    spent by each."""

    def __init__(self, timeout_s: float | None = DEFAULT_TIMEOUT_S) -> None:
        super().__init__()
        self.timeout_s = timeout_s
        self.budget: ApiBudget | None = None

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        if self.budget is not None:
            self.budget.spend()
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.timeout_s
        return super().request(method, url, *args, **kwargs)
