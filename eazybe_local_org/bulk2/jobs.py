"""Bulk API 2.0 jobs and the JSON Salesforce reports for them, kept for the server's life
(Salesforce keeps them for seven days; nothing outside a run needs them back): in memory, but for
the result files of finished ingest jobs (see result_files)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, TypeVar

from eazybe_local_org.bulk2.csv_data import CsvDialect
from eazybe_local_org.records.values import format_datetime
from eazybe_local_org.soql import CompiledQuery

JOB_PREFIX = "750"
OPEN, UPLOAD_COMPLETE, IN_PROGRESS = "Open", "UploadComplete", "InProgress"
JOB_COMPLETE, FAILED, ABORTED = "JobComplete", "Failed", "Aborted"
PROCESSED_STATES = (JOB_COMPLETE, FAILED)
INGEST_OPERATIONS = ("insert", "update", "upsert", "delete", "hardDelete")
QUERY_OPERATIONS = ("query", "queryAll")


def now() -> str:
    return format_datetime(datetime.now(timezone.utc))


@dataclass(frozen=True)
class RowOutcome:
    """One uploaded row after processing: its record id ('' when none) and sf__Error text or None."""

    cells: list[str]
    record_id: str
    created: bool
    error: str | None


@dataclass
class Job:
    id: str
    operation: str
    object: str
    created_by_id: str
    api_version: str
    dialect: CsvDialect
    state: str
    created_date: str = field(default_factory=now)
    system_modstamp: str = field(default_factory=now)
    error_message: str | None = None
    processing_ms: int = 0
    shown_in_progress: bool = False

    def move_to(self, state: str, error_message: str | None = None) -> None:
        self.state = state
        self.error_message = error_message
        self.system_modstamp = now()

    def polled_state(self) -> str:
        """What a status poll reports: a processed job shows InProgress once first, as Salesforce's
        queue does, so clients' polling loops run as they would against a real org."""
        if self.state in PROCESSED_STATES and not self.shown_in_progress:
            self.shown_in_progress = True
            return IN_PROGRESS
        return self.state

    def summary(self, state: str | None = None) -> dict[str, Any]:
        """The job as create, close/abort and list answer it."""
        return {
            "id": self.id, "operation": self.operation, "object": self.object,
            "createdById": self.created_by_id, "createdDate": self.created_date,
            "systemModstamp": self.system_modstamp, "state": state or self.state,
            "concurrencyMode": "Parallel", "contentType": "CSV", "apiVersion": float(self.api_version),
            "lineEnding": self.dialect.line_ending, "columnDelimiter": self.dialect.column_delimiter,
        }


@dataclass
class IngestJob(Job):
    external_id_field: str | None = None
    upload: bytes | None = None  # upload, header, rows and outcomes are let go of once the job...
    header: list[str] | None = None
    rows: list[list[str]] = field(default_factory=list)
    outcomes: list[RowOutcome] = field(default_factory=list)
    processed: int = 0  # ...has ended (see ingest.seal): these counters and its result files stay
    failed: int = 0

    def summary(self, state: str | None = None) -> dict[str, Any]:
        info = super().summary(state)
        if self.external_id_field:
            info["externalIdFieldName"] = self.external_id_field
        info["contentUrl"] = f"services/data/v{self.api_version}/jobs/ingest/{self.id}/batches"
        return info

    def details(self) -> dict[str, Any]:
        """The job as a status poll answers it, with its counters."""
        info = self.summary(self.polled_state())
        info.pop("contentUrl")
        info.update(
            jobType="V2Ingest", numberRecordsProcessed=self.processed, numberRecordsFailed=self.failed,
            retries=0, totalProcessingTime=self.processing_ms, apiActiveProcessingTime=self.processing_ms,
            apexProcessingTime=0,
        )
        if self.error_message:
            info["errorMessage"] = self.error_message
        return info


@dataclass
class QueryJob(Job):
    compiled: CompiledQuery | None = None
    records: list[tuple] = field(default_factory=list)

    def details(self) -> dict[str, Any]:
        info = self.summary(self.polled_state())
        info.update(
            jobType="V2Query", numberRecordsProcessed=len(self.records), retries=0,
            totalProcessingTime=self.processing_ms, isPkChunkingSupported=False,
        )
        if self.error_message:
            info["errorMessage"] = self.error_message
        return info


AnyJob = TypeVar("AnyJob", bound=Job)


class JobStore:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}

    def add(self, job: Job) -> None:
        self._jobs[job.id] = job

    def get(self, job_id: str, kind: type[AnyJob]) -> AnyJob | None:
        job = self._jobs.get(job_id)
        return job if isinstance(job, kind) else None

    def of_kind(self, kind: type[AnyJob]) -> list[AnyJob]:
        return [job for job in self._jobs.values() if isinstance(job, kind)]

    def remove(self, job_id: str) -> None:
        self._jobs.pop(job_id, None)
