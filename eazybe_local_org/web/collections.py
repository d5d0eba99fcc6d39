"""sObject Collections' request body: up to 200 records in one call, and the allOrNone flag that
decides whether one failure rolls back the others (`record_batches` runs them)."""
from __future__ import annotations

from typing import Any

from eazybe_local_org.api_errors import ApiError

LIMIT = 200


def records_of(body: Any) -> tuple[list[dict], bool]:
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "The request body must be an object with a 'records' list")
    records = body["records"]
    if len(records) > LIMIT:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", f"record limit reached. cannot submit more than {LIMIT} records into this call")
    if not all(isinstance(r, dict) for r in records):
        raise ApiError(400, "JSON_PARSER_ERROR", "Each record must be a JSON object")
    return records, bool(body.get("allOrNone", False))
