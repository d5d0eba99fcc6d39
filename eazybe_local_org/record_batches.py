"""Many record operations in one call, each with its own result in input order, as sObject
Collections and Bulk API 2.0 ingest jobs run them.

Every item runs in its own savepoint, so a failed item leaves nothing half-written. With
allOrNone false every item stands alone; with allOrNone true one failure rolls every item back and
the others report ALL_OR_NONE_OPERATION_ROLLED_BACK. An item the org's fault injection locks fails
with UNABLE_TO_LOCK_ROW, unwritten, like any other failure."""
from __future__ import annotations

from typing import Any, Callable

from eazybe_local_org.faults import row_lock_error
from eazybe_local_org.ids import normalize
from eazybe_local_org.records.errors import RecordError

ROLLED_BACK = {
    "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "message": "Record rolled back because not all records were valid and the request was using AllOrNone header",
    "fields": [],
}


def id_of(item: Any) -> str | None:
    """The id an item names (an id to delete, or a record's Id); None for a new record."""
    raw = (item.get("Id") or item.get("id")) if isinstance(item, dict) else item
    return normalize(raw) if isinstance(raw, str) else None


def run_each(org: Any, items: list[Any], all_or_none: bool, operation: Callable[[Any], dict]) -> list[dict]:
    """Results in input order; `operation` returns a success result or raises RecordError."""
    results: list[dict] = []
    failed = False
    for index, item in enumerate(items):
        savepoint = f"item_{index}"
        org.connection.execute(f"SAVEPOINT {savepoint}")
        try:
            if org.faults.row_locked():
                raise row_lock_error(id_of(item))
            results.append(operation(item))
            org.connection.execute(f"RELEASE {savepoint}")
        except RecordError as error:
            org.connection.execute(f"ROLLBACK TO {savepoint}")
            org.connection.execute(f"RELEASE {savepoint}")
            results.append({"id": None, "success": False, "errors": [error.collection_error()]})
            failed = True
    if all_or_none and failed:
        org.connection.execute("ROLLBACK")
        org.connection.execute("BEGIN IMMEDIATE")
        return [
            r if not r["success"] else {"id": None, "success": False, "errors": [ROLLED_BACK]}
            for r in results
        ]
    return results
