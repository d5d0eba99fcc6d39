"""Processing an ingest job: every uploaded row through the org's record writer, so rows fail
with exactly the codes and messages the REST API gives, each row in its own savepoint so a
failed or faulted (UNABLE_TO_LOCK_ROW) row leaves nothing half-written."""
from __future__ import annotations

import time
from typing import Any, Callable

from eazybe_local_org.bulk2.csv_data import CsvInputError
from eazybe_local_org.bulk2.jobs import FAILED, JOB_COMPLETE, IngestJob, RowOutcome
from eazybe_local_org.bulk2.result_files import ResultFiles
from eazybe_local_org.ids import normalize
from eazybe_local_org.record_batches import run_each
from eazybe_local_org.records.errors import RecordError
from eazybe_local_org.records.writer import RecordWriter
from eazybe_local_org.schema.model import FieldDef, ObjectDef

NULL_CELL = "#N/A"  # Salesforce's way to set a field to null from CSV; an empty cell leaves it as is

Operation = Callable[[RecordWriter, ObjectDef, dict[str, Any]], tuple[str, bool]]


class JobInputError(Exception):
    """The upload as a whole cannot be processed; the job fails with this message."""


def sf_error(error: dict[str, Any]) -> str:
    """sf__Error as Salesforce writes it: CODE:message:fields --"""
    fields = ",".join(error["fields"])
    return f"{error['statusCode']}:{error['message']}:{fields + ' ' if fields else ''}--"


def _record_id(obj: ObjectDef, values: dict[str, Any], call: str) -> str:
    raw = values.pop("Id", None)
    if not raw:
        raise RecordError("MISSING_ARGUMENT", f"Id not specified in {call} call", ["Id"])
    record_id = normalize(raw)
    if record_id is None:
        raise RecordError("MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: {raw}", ["Id"])
    return record_id


def _existing(action: Callable[[], None]) -> None:
    """Bulk rows name a missing record as an invalid cross reference, not REST's NOT_FOUND."""
    try:
        action()
    except RecordError as error:
        if error.code == "NOT_FOUND":
            raise RecordError("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", []) from None
        raise


def _insert(writer: RecordWriter, obj: ObjectDef, values: dict[str, Any]) -> tuple[str, bool]:
    if values.get("Id"):
        raise RecordError("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
    return writer.create(obj, values), True


def _update(writer: RecordWriter, obj: ObjectDef, values: dict[str, Any]) -> tuple[str, bool]:
    record_id = _record_id(obj, values, "an update")
    _existing(lambda: writer.update(obj, record_id, values))
    return record_id, False


def _delete(writer: RecordWriter, obj: ObjectDef, values: dict[str, Any]) -> tuple[str, bool]:
    record_id = _record_id(obj, values, "a delete")
    _existing(lambda: writer.delete(obj, record_id))
    return record_id, False


def _upserter(key_field: FieldDef) -> Operation:
    def upsert(writer: RecordWriter, obj: ObjectDef, values: dict[str, Any]) -> tuple[str, bool]:
        key = values.pop(key_field.name, None)
        if key_field.name == "Id" and not key:
            return writer.create(obj, values), True  # upserting on Id, a row without one is new
        if not key:
            raise RecordError("MISSING_ARGUMENT", f"{key_field.name} not specified", [key_field.name])
        if key_field.name == "Id":
            return _update(writer, obj, {**values, "Id": key})
        return writer.upsert(obj, key_field, key, values)
    return upsert


def operation_for(obj: ObjectDef, operation: str, external_id_field: str | None) -> Operation:
    if operation == "upsert":
        key_field = obj.field(external_id_field or "")
        assert key_field is not None, "checked when the job was created"
        return _upserter(key_field)
    return {"insert": _insert, "update": _update, "delete": _delete, "hardDelete": _delete}[operation]


def _columns(obj: ObjectDef, header: list[str]) -> list[str]:
    """The header's field names in canonical case; anything else fails the job up front."""
    names: list[str] = []
    for column in header:
        if "." in column:
            raise JobInputError(
                f"InvalidBatch : Relationship columns are not supported by the local org: {column}"
            )
        field = obj.field(column)
        if field is None:
            raise JobInputError(f"InvalidBatch : Field name not found : {column}")
        if field.name in names:
            raise JobInputError(f"InvalidBatch : Duplicate field name: {column}")
        names.append(field.name)
    return names


def read_upload(job: IngestJob) -> str | None:
    """Parses the uploaded CSV into the job's header and rows; the job's failure message if it cannot."""
    try:
        job.header, job.rows = job.dialect.read((job.upload or b"").decode("utf-8-sig"))
    except CsvInputError as error:
        return str(error)
    except UnicodeDecodeError:
        return "ClientInputError : The uploaded data is not UTF-8"
    return None


def _values(columns: list[str], cells: list[str]) -> dict[str, Any]:
    """A row as a record body: empty cells left out, #N/A as null."""
    return {name: None if cell == NULL_CELL else cell for name, cell in zip(columns, cells) if cell != ""}


def process(org: Any, job: IngestJob, obj: ObjectDef) -> None:
    """Runs every uploaded row as one request's unit of work; the job ends JobComplete or Failed."""
    started = time.perf_counter()
    try:
        columns = _columns(obj, job.header or [])
    except JobInputError as error:
        job.move_to(FAILED, str(error))
        return
    operation = operation_for(obj, job.operation, job.external_id_field)
    bodies = [_values(columns, cells) for cells in job.rows]
    with org.transaction():
        writer = org.writer()

        def run_row(values: dict[str, Any]) -> dict[str, Any]:
            record_id, created = operation(writer, obj, values)
            return {"id": record_id, "success": True, "created": created}

        results = run_each(org, bodies, False, run_row)  # a savepoint and a fault check per row
    job.outcomes = [_outcome(columns, cells, result) for cells, result in zip(job.rows, results)]
    job.processing_ms = int((time.perf_counter() - started) * 1000)
    job.move_to(JOB_COMPLETE)


def _outcome(columns: list[str], cells: list[str], result: dict[str, Any]) -> RowOutcome:
    if result["success"]:
        return RowOutcome(cells, result["id"], result["created"], None)
    stated_id = dict(zip(columns, cells)).get("Id", "")
    return RowOutcome(cells, normalize(stated_id) or "", False, sf_error(result["errors"][0]))


def seal(job: IngestJob, files: ResultFiles) -> None:
    """A job that has ended (processed, failed or aborted): its result files written once, its
    counters kept, and its upload, rows and outcomes let go of."""
    job.processed = len(job.outcomes)
    job.failed = sum(1 for outcome in job.outcomes if outcome.error is not None)
    for kind, rows_of in RESULT_FILES.items():
        files.write(job.id, kind, job.dialect.write(*rows_of(job)))
    job.upload, job.rows, job.outcomes = None, [], []


def successful_csv(job: IngestJob) -> tuple[list[str], list[list[str]]]:
    rows = [[o.record_id, str(o.created).lower(), *o.cells] for o in job.outcomes if o.error is None]
    return ["sf__Id", "sf__Created", *(job.header or [])], rows


def failed_csv(job: IngestJob) -> tuple[list[str], list[list[str | None]]]:
    rows = [[o.record_id, o.error, *o.cells] for o in job.outcomes if o.error is not None]
    return ["sf__Id", "sf__Error", *(job.header or [])], rows


def unprocessed_csv(job: IngestJob) -> tuple[list[str], list[list[str]]]:
    return list(job.header or []), job.rows[len(job.outcomes):]


# Keyed in lower case: the docs say unprocessedrecords, simple-salesforce asks for unprocessedRecords.
RESULT_FILES = {
    "successfulresults": successful_csv, "failedresults": failed_csv, "unprocessedrecords": unprocessed_csv,
}
