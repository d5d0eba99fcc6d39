"""Upserting many records through Bulk API 2.0, for backfills too large for sObject Collections'
200 records a call: one ingest job per CSV upload, each at most the 100 MB Salesforce accepts.

The outcomes mean exactly what `collections_writer.upsert` returns, so the ledger cannot tell the
two paths apart: per record, in input order; rows refused for a row lock, and rows a job left
unprocessed, are sent again in a new job (up to `policy.attempts` jobs); any other failure is
reported with its code. A job that fails or is aborted as a whole is reported as an error on each
of its records: nothing of it is retried here, the ledger retries those records next run.

Every HTTP call goes through the org client's `send` (simple-salesforce's own request handling,
retried by the client's policy), so 5xx answers, an expired session and REQUEST_LIMIT_EXCEEDED
are handled as for every other call. A job
without failures costs four calls besides its status polls: create, upload, close, successful
results (the failed results are read only when a row failed)."""
from __future__ import annotations

import csv
import io
import re
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterator

from simple_salesforce.exceptions import SalesforceMalformedRequest

from eazybe_tasks.salesforce.collections_writer import TRANSIENT_RECORD_ERRORS, RecordOutcome
from eazybe_tasks.salesforce.org_client import OrgClient

# "Upload data that does not exceed 100 MB": Salesforce base64-encodes an upload, and 150 MB of
# base64 is its limit. Counted in bytes of UTF-8, header included.
MAX_UPLOAD_BYTES = 100_000_000
MAX_FIELD_CHARS = 32_000  # Bulk API 2.0's limit per field, below what Long Text Areas hold
NULL_CELL = "#N/A"  # sets a field to null; an empty cell leaves the field as it is
UNPROCESSED = "BULK_ROW_UNPROCESSED"  # a row the job never reached: sent again like a locked row
RETRIED_ROW_ERRORS = TRANSIENT_RECORD_ERRORS | {UNPROCESSED}
FINISHED_STATES = {"JobComplete", "Failed", "Aborted"}
POLL_GROWTH = 1.5  # each status poll waits this much longer than the one before, up to a most
# sf__Error is "CODE:message:Field1,Field2 --" (no fields: "CODE:message:--"); messages hold colons.
FIELDS_SUFFIX = re.compile(r":(?:[\w.,]+ )?--\Z")


@dataclass(frozen=True)
class JobSettings:
    """How a job's status is polled (after `poll_interval_s`, then ever less often, see
    `poll_waits`), when a job still running is given up, and how large one upload may be."""

    poll_interval_s: float = 0.25
    max_poll_interval_s: float = 30.0
    timeout_s: float = 600.0
    max_upload_bytes: int = MAX_UPLOAD_BYTES


def bulk_upsert(org: OrgClient, object_name: str, external_field: str, records: list[dict[str, Any]],
                settings: JobSettings = JobSettings()) -> list[RecordOutcome]:
    """Outcomes in input order. Columns are every field any record has: a record without one of
    them leaves that field as it is, as the same record sent as JSON would. Up to the client's
    `policy.attempts` jobs are sent for rows refused for a lock or left unprocessed."""
    jobs = _IngestJobs(org, settings)
    columns = list(dict.fromkeys(name for record in records for name in record))
    outcomes: dict[str, RecordOutcome] = {}
    pending = records
    for attempt in range(org.policy.attempts):
        if attempt:
            org.sleep(org.policy.wait(attempt - 1))
        for batch, data in csv_uploads(columns, pending, settings.max_upload_bytes):
            keys = [record[external_field] for record in batch]
            for outcome in jobs.upsert(object_name, external_field, keys, data):
                outcomes[outcome.key] = outcome
        pending = [record for record in pending if outcomes[record[external_field]].error_code in RETRIED_ROW_ERRORS]
        if not pending:
            break
    return [outcomes[record[external_field]] for record in records]


def poll_waits(first_s: float, most_s: float) -> Iterator[float]:
    """The waits before a job's status polls: short at first, as a small job is done in a second
    or two, then growing, so that a job that runs for minutes costs a few polls (each is an API
    call), not one a second."""
    wait = first_s
    while True:
        yield wait
        wait = min(wait * POLL_GROWTH, most_s)


def fits(record: dict[str, Any]) -> bool:
    """Whether Bulk API 2.0 takes the record: a longer text goes through sObject Collections."""
    return all(not isinstance(value, str) or len(value) <= MAX_FIELD_CHARS for value in record.values())


def cell(value: Any) -> str:
    """A JSON value as a Bulk CSV cell. None, and "" (which Salesforce stores as null when sent
    as JSON), become #N/A, so the record clears the field as the JSON upsert does; numbers are
    written plainly, never in exponent form, which integer and currency fields refuse."""
    if value is None or value == "":
        return NULL_CELL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, Decimal)):
        return format(Decimal(str(value)), "f")
    if isinstance(value, str):
        return value
    raise TypeError(f"a Bulk API cell takes a string, number, boolean or None, not {type(value).__name__}")


def _csv_line(cells: list[str]) -> bytes:
    """One CSV row, every cell quoted as Salesforce quotes its own result files: the csv module's
    minimal quoting would leave a lone carriage return in a transcript unquoted."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerow(cells)
    return buffer.getvalue().encode("utf-8")


def csv_uploads(
    columns: list[str], records: list[dict[str, Any]], max_bytes: int,
) -> Iterator[tuple[list[dict[str, Any]], bytes]]:
    """The records as consecutive CSV files of at most `max_bytes` each, header included (a
    single row larger than that goes alone, for Salesforce to judge)."""
    header = _csv_line(columns)
    batch: list[dict[str, Any]] = []
    lines = [header]
    size = len(header)
    for record in records:
        line = _csv_line([cell(record[name]) if name in record else "" for name in columns])
        if batch and size + len(line) > max_bytes:
            yield batch, b"".join(lines)
            batch, lines, size = [], [header], len(header)
        batch.append(record)
        lines.append(line)
        size += len(line)
    if batch:
        yield batch, b"".join(lines)


def _row_outcome(key: str, row: dict[str, str] | None, job_id: str) -> RecordOutcome:
    """A result row as `collections_writer` reports the same result: a failure has no id."""
    if row is None:
        return RecordOutcome(key, None, None, UNPROCESSED, f"Bulk API job {job_id} did not process this record")
    if "sf__Created" in row:
        return RecordOutcome(key, row["sf__Id"], row["sf__Created"] == "true")
    code, _, message = FIELDS_SUFFIX.sub("", row["sf__Error"]).partition(":")
    return RecordOutcome(key, None, None, code, message)


class _IngestJobs:
    """The ingest-job calls of one `bulk_upsert`, each a retried call of the org client."""

    def __init__(self, org: OrgClient, settings: JobSettings) -> None:
        self.org = org
        self.settings = settings

    def upsert(self, object_name: str, external_field: str, keys: list[str], data: bytes) -> list[RecordOutcome]:
        """One job from creation to its results, an outcome for each key in `keys`' order."""
        send = self.org.send
        job = send("POST", "jobs/ingest", json={
            "object": object_name, "operation": "upsert", "externalIdFieldName": external_field,
            "contentType": "CSV", "lineEnding": "LF", "columnDelimiter": "COMMA",
        }).json()
        path = f"jobs/ingest/{job['id']}"
        send("PUT", f"{path}/batches", data=data, headers={"Content-Type": "text/csv"})
        send("PATCH", path, json={"state": "UploadComplete"})
        info = self._finished(path)
        if info["state"] != "JobComplete":
            message = info.get("errorMessage") or f"Bulk API job {job['id']} ended {info['state']}"
            return [RecordOutcome(key, None, None, f"BULK_JOB_{info['state'].upper()}", message) for key in keys]
        rows: dict[str, dict[str, str]] = {}
        if info["numberRecordsProcessed"] > info["numberRecordsFailed"]:
            rows |= self._results(f"{path}/successfulResults", external_field)
        if info["numberRecordsFailed"]:
            rows |= self._results(f"{path}/failedResults", external_field)
        # Unprocessed rows are those in neither file: reading unprocessedrecords would cost a call.
        return [_row_outcome(key, rows.get(cell(key)), job["id"]) for key in keys]

    def _finished(self, path: str) -> dict[str, Any]:
        """The job's status once finished; a job still running at the deadline is aborted, so it
        cannot write these values after a later run wrote newer ones."""
        settings, send = self.settings, self.org.send
        waits = poll_waits(settings.poll_interval_s, settings.max_poll_interval_s)
        deadline = time.monotonic() + settings.timeout_s
        while True:
            self.org.sleep(next(waits))
            info: dict[str, Any] = send("GET", path).json()
            if info["state"] in FINISHED_STATES:
                return info
            if time.monotonic() >= deadline:
                try:
                    aborted = send("PATCH", path, json={"state": "Aborted"}).json()
                except SalesforceMalformedRequest:  # it finished meanwhile: read it as finished
                    return send("GET", path).json()
                return {**aborted, "errorMessage": f"aborted: not finished after {settings.timeout_s:g} s"}

    def _results(self, path: str, external_field: str) -> dict[str, dict[str, str]]:
        """A result file's rows by the external id cell each echoes from the upload."""
        text = self.org.send("GET", path).content.decode("utf-8-sig")
        return {row[external_field]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
