"""SOQL over REST: `query` and `queryAll`, paged as Salesforce pages (2,000 records by default,
`Sforce-Query-Options: batchSize=200..2000`), the rest behind `nextRecordsUrl`.

A query runs once; its rows wait under a locator until read or until the oldest cursors are
dropped, as Salesforce keeps a limited number of open query cursors per user. Aggregate queries
have no locator: their rows come in one batch or not at all."""
from __future__ import annotations

import re
import secrets
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from eazybe_local_org.api_errors import ApiError
from eazybe_local_org.soql import CompiledQuery, SoqlError, compile_query, shape_record

DEFAULT_BATCH = 2000
OPEN_CURSORS = 50
BATCH_OPTION = re.compile(r"batchSize=(\d+)")
AGGREGATE_OVERFLOW_CODE = "EXCEEDED_ID_LIMIT"
AGGREGATE_OVERFLOW_MESSAGE = (
    "Aggregate query does not support queryMore(), use LIMIT to restrict the results to a single batch"
)


@dataclass
class Cursor:
    compiled: CompiledQuery
    rows: list[tuple] = field(default_factory=list)
    batch: int = DEFAULT_BATCH


class QueryCursors:
    def __init__(self) -> None:
        self._open: OrderedDict[str, Cursor] = OrderedDict()

    def _page(self, locator: str, position: int, version: str) -> dict[str, Any]:
        cursor = self._open[locator]
        end = min(position + cursor.batch, len(cursor.rows))
        records = [shape_record(cursor.compiled, row, api_version=version) for row in cursor.rows[position:end]]
        done = end >= len(cursor.rows)
        page: dict[str, Any] = {"totalSize": len(cursor.rows), "done": done}
        if done:
            del self._open[locator]
        else:
            page["nextRecordsUrl"] = f"/services/data/v{version}/query/{locator}-{end}"
        page["records"] = records
        return page

    def start(self, org: Any, soql: str, include_deleted: bool, version: str, options: str | None) -> dict[str, Any]:
        try:
            compiled = compile_query(
                soql, org.registry.soql_lookup(), now=datetime.now(timezone.utc), include_deleted=include_deleted
            )
        except SoqlError as error:
            raise ApiError(400, error.error_code, error.message) from None
        rows = org.connection.execute(compiled.sql, compiled.params).fetchall()
        if compiled.is_count:
            count = rows[0][0] if rows else 0
            return {"totalSize": count, "done": True, "records": []}
        match = BATCH_OPTION.search(options or "")
        batch = min(max(int(match.group(1)), 200), DEFAULT_BATCH) if match else DEFAULT_BATCH
        if compiled.is_aggregate:
            if len(rows) > DEFAULT_BATCH:
                raise ApiError(400, AGGREGATE_OVERFLOW_CODE, AGGREGATE_OVERFLOW_MESSAGE)
            batch = DEFAULT_BATCH
        locator = "01g" + secrets.token_hex(6).upper() + "AAA"
        self._open[locator] = Cursor(compiled, rows, batch)
        while len(self._open) > OPEN_CURSORS:
            self._open.popitem(last=False)
        return self._page(locator, 0, version)

    def more(self, reference: str, version: str) -> dict[str, Any]:
        locator, _, position = reference.rpartition("-")
        if locator not in self._open or not position.isdigit():
            raise ApiError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(locator, int(position), version)
