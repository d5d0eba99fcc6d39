"""Query jobs: the SOQL runs once when the job is created (so a bad query is refused at once,
as Salesforce does), and its rows are read back as CSV pages behind opaque locators."""
from __future__ import annotations

import base64
import binascii
from datetime import datetime, timezone
from typing import Any

from eazybe_local_org.api_errors import ApiError
from eazybe_local_org.bulk2.jobs import QueryJob
from eazybe_local_org.soql import CompiledQuery, SoqlError, compile_query


def run_query(org: Any, soql: str, include_deleted: bool) -> tuple[CompiledQuery, list[tuple]]:
    """The compiled query and its rows; SOQL errors as the REST query endpoint answers them."""
    try:
        compiled = compile_query(
            soql, org.registry.soql_lookup(), now=datetime.now(timezone.utc), include_deleted=include_deleted
        )
    except SoqlError as error:
        raise ApiError(400, error.error_code, error.message) from None
    if compiled.is_count:
        raise ApiError(400, "INVALIDJOB", "The query job doesn't support COUNT() queries")
    if compiled.is_aggregate:  # Bulk queries return records, never AggregateResult rows
        raise ApiError(400, "INVALIDJOB", "The query job doesn't support aggregate functions or GROUP BY")
    with org.transaction():
        rows = org.connection.execute(compiled.sql, compiled.params).fetchall()
    return compiled, rows


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def encode_locator(position: int) -> str:
    """Salesforce's locators are base64 text of the next row's position."""
    return base64.b64encode(str(position).encode()).decode().rstrip("=")


def decode_locator(locator: str) -> int:
    try:
        position = base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        position = ""
    if not position.isdigit():
        raise ApiError(400, "INVALIDLOCATOR", f"Invalid locator: {locator}")
    return int(position)


def result_page(job: QueryJob, locator: str | None, max_records: int | None) -> tuple[str, int, str]:
    """(CSV text, number of records, next locator or 'null')."""
    assert job.compiled is not None, "a query job is created with its query"
    start = decode_locator(locator) if locator else 0
    end = len(job.records) if max_records is None else min(start + max_records, len(job.records))
    slots = job.compiled.layout.values
    rows = ([_cell(slot.decode(row[slot.index])) for slot in slots] for row in job.records[start:end])
    header = [path.api_name for path in job.compiled.columns]
    following = encode_locator(end) if end < len(job.records) else "null"
    return job.dialect.write(header, rows), max(end - start, 0), following
