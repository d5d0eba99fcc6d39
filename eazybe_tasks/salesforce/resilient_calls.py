"""One API call, retried the way Salesforce asks clients to retry.

simple-salesforce retries nothing but an expired session: 5xx answers, timeouts and dropped
connections come back to us. Every write the toolkit sends is idempotent (an upsert by external
id, or a create recorded as an intent first), so repeating one is safe. An expired session is
refreshed once. A spent API allowance is not retried: the run stops and the next one goes on."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Callable, TypeVar

import requests
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceError, SalesforceRefusedRequest

T = TypeVar("T")
RETRIED_STATUSES = {500, 502, 503, 504}


class ApiLimitReached(Exception):
    """REQUEST_LIMIT_EXCEEDED: stop writing until the allowance refills."""


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    first_wait_s: float = 0.5
    max_wait_s: float = 20.0

    def wait(self, attempt: int) -> float:
        """Exponential backoff with full jitter, so many clients do not retry in step."""
        return random.uniform(0, min(self.max_wait_s, self.first_wait_s * 2**attempt))


def _limit_reached(error: SalesforceRefusedRequest) -> bool:
    content = error.content if isinstance(error.content, list) else []
    return any(isinstance(e, dict) and e.get("errorCode") == "REQUEST_LIMIT_EXCEEDED" for e in content)


def call(
    operation: Callable[[], T], *, refresh_session: Callable[[], None] | None = None,
    policy: RetryPolicy = RetryPolicy(), sleep: Callable[[float], None] = time.sleep,
) -> T:
    refreshed = False
    for attempt in range(policy.attempts):
        last = attempt == policy.attempts - 1
        try:
            return operation()
        except SalesforceExpiredSession:
            if refreshed or refresh_session is None:
                raise
            refresh_session()
            refreshed = True
            continue
        except SalesforceRefusedRequest as error:
            if _limit_reached(error):
                raise ApiLimitReached(str(error)) from error
            raise
        except SalesforceError as error:
            if error.status not in RETRIED_STATUSES or last:
                raise
        except (requests.Timeout, requests.ConnectionError):
            if last:
                raise
        sleep(policy.wait(attempt))
    raise AssertionError("unreachable: the last attempt returns or raises")

