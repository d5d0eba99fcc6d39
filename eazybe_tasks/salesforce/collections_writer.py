"""Writing records through sObject Collections: 200 a call, allOrNone false, per-record results.
Records refused for a row lock are sent again (UNABLE_TO_LOCK_ROW is transient); any other
per-record failure is reported with its code for the ledger, not retried here."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from eazybe_tasks.salesforce.org_client import OrgClient

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


def _write_in_batches(
    org: OrgClient, send: Callable[[list[dict[str, Any]]], list[dict[str, Any]]], records: list[dict[str, Any]],
    key_of: Callable[[int], str],
) -> list[RecordOutcome]:
    """Sends 200 records a call; the ones refused for a row lock go again after a wait (nothing
    was written for them, so a repeat is safe even for a create). Outcomes in input order."""
    outcomes: dict[int, RecordOutcome] = {}
    for start in range(0, len(records), BATCH):
        pending = list(range(start, min(start + BATCH, len(records))))
        for attempt in range(org.policy.attempts):
            results = send([records[i] for i in pending])
            retry = []
            for index, result in zip(pending, results):
                outcomes[index] = _outcome(key_of(index), result)
                if outcomes[index].error_code in TRANSIENT_RECORD_ERRORS:
                    retry.append(index)
            if not retry:
                break
            pending = retry
            org.sleep(org.policy.wait(attempt))
    return [outcomes[index] for index in range(len(records))]


def _body(object_name: str, batch: list[dict[str, Any]]) -> dict[str, Any]:
    return {"allOrNone": False, "records": [{"attributes": {"type": object_name}, **r} for r in batch]}


def upsert(org: OrgClient, object_name: str, external_field: str, records: list[dict[str, Any]]) -> list[RecordOutcome]:
    """Outcomes in input order. A call that fails as a whole (5xx, timeout) is sent again: an
    upsert by external id repeats safely."""
    path = f"composite/sobjects/{object_name}/{external_field}"
    return _write_in_batches(
        org, lambda batch: org.restful(path, method="PATCH", json=_body(object_name, batch)), records,
        lambda i: str(records[i][external_field]))


def create(org: OrgClient, object_name: str, records: list[dict[str, Any]]) -> list[RecordOutcome]:
    """Outcomes in input order, keyed by position. A call that fails as a whole is not sent
    again: after a timeout the records may exist, so a create is repeated only once the caller
    has looked for what the first one made (see the intents in the notes ledger)."""
    return _write_in_batches(
        org, lambda batch: org.call(lambda: org.sf.restful("composite/sobjects", method="POST",
                                                             json=_body(object_name, batch)), once=True),
        records, str)


ALREADY_GONE = {"ENTITY_IS_DELETED", "INVALID_CROSS_REFERENCE_KEY"}  # deleted before, or never there


def delete(org: OrgClient, ids: list[str]) -> list[RecordOutcome]:
    """Outcomes in input order, keyed by id. A delete repeats safely: a record already gone counts
    as deleted, so a call that fails as a whole is sent again."""

    def send(batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        query = ",".join(item["Id"] for item in batch)
        results = org.restful("composite/sobjects", method="DELETE", params={"ids": query, "allOrNone": "false"})
        return [{"success": True, "id": result.get("id")}
                if (result.get("errors") or [{}])[0].get("statusCode") in ALREADY_GONE else result
                for result in results]

    return _write_in_batches(org, send, [{"Id": record_id} for record_id in ids], lambda i: ids[i])
