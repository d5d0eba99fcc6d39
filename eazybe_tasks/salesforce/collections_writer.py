"""Upserting records through sObject Collections: 200 a call, allOrNone false, per-record
results. Records refused for a row lock are sent again (UNABLE_TO_LOCK_ROW is transient); any
other per-record failure is reported with its code for the ledger, not retried here."""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable

from simple_salesforce import Salesforce

from eazybe_tasks.salesforce.resilient_calls import RetryPolicy, call

BATCH = 200
TRANSIENT_RECORD_ERRORS = {"UNABLE_TO_LOCK_ROW"}


@dataclass(frozen=True)
class RecordOutcome:
    key: str  # the external id value
    record_id: str | None
    created: bool | None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_code is None


def _outcome(key: str, result: dict[str, Any]) -> RecordOutcome:
    if result.get("success"):
        return RecordOutcome(key, result.get("id"), result.get("created"))
    error = (result.get("errors") or [{}])[0]
    return RecordOutcome(key, None, None, error.get("statusCode", "UNKNOWN"), error.get("message"))


def upsert(
    sf: Salesforce, object_name: str, external_field: str, records: list[dict[str, Any]], *,
    refresh_session: Callable[[], None] | None = None, policy: RetryPolicy = RetryPolicy(),
    sleep: Callable[[float], None] | None = None,
) -> list[RecordOutcome]:
    """Outcomes in input order."""
    outcomes: dict[str, RecordOutcome] = {}
    extra = {"sleep": sleep} if sleep else {}
    for start in range(0, len(records), BATCH):
        pending = [
            {"attributes": {"type": object_name}, **record} for record in records[start:start + BATCH]
        ]
        for attempt in range(policy.attempts):
            results = call(
                lambda: sf.restful(
                    f"composite/sobjects/{object_name}/{external_field}", method="PATCH",
                    json={"allOrNone": False, "records": pending},
                ),
                refresh_session=refresh_session, policy=policy, **extra,
            )
            retry = []
            for record, result in zip(pending, results):
                outcome = _outcome(record[external_field], result)
                outcomes[outcome.key] = outcome
                if outcome.error_code in TRANSIENT_RECORD_ERRORS:
                    retry.append(record)
            if not retry:
                break
            pending = retry
            (sleep or time.sleep)(policy.wait(attempt))
    return [outcomes[record[external_field]] for record in records]


def create(
    sf: Salesforce, object_name: str, records: list[dict[str, Any]], *,
    refresh_session: Callable[[], None] | None = None, policy: RetryPolicy = RetryPolicy(attempts=1),
) -> list[RecordOutcome]:
    """Creates in batches of 200; outcomes in input order, keyed by position. Not retried: after a
    timeout the records may exist, so a create is repeated only once the caller has looked for
    what the first one made (see the intents in the notes ledger)."""
    outcomes: list[RecordOutcome] = []
    for start in range(0, len(records), BATCH):
        batch = [{"attributes": {"type": object_name}, **r} for r in records[start:start + BATCH]]
        results = call(
            lambda: sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": batch}),
            refresh_session=refresh_session, policy=policy,
        )
        outcomes += [_outcome(str(start + i), result) for i, result in enumerate(results)]
    return outcomes
