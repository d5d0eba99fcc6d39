"""Retrieve jobs by async id. retrieve answers at once; each status check moves the job one step
(Queued -> InProgress -> Completed), as deploys move, and the last step builds the zip from the
org's metadata as it is at that moment."""
from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from eazybe_local_org.metadata_api.job_ids import find_job, salesforce_id
from eazybe_local_org.metadata_api.org_schema import DeployedMetadata, OrgSchema
from eazybe_local_org.metadata_api.retrieve import RetrievedPackage, retrieve_package

RETRIEVE_KEY_PREFIX = "09S"


@dataclass(frozen=True)
class RetrieveJob:
    id: str
    members: dict[str, tuple[str, ...]]
    api_version: str
    single_package: bool
    created_date: datetime
    state: str = "Queued"  # AsyncRequestState: Queued, InProgress, Completed
    package: RetrievedPackage | None = None

    @property
    def done(self) -> bool:
        return self.state == "Completed"

    @property
    def status(self) -> str:
        """RetrieveStatus, as checkRetrieveStatus reports it."""
        return {"Queued": "Pending", "InProgress": "InProgress"}.get(self.state, "Succeeded")


class RetrieveJobs:
    """In memory, like deploy jobs: a restarted org forgets them and clients retrieve again."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self._jobs: dict[str, RetrieveJob] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._clock = clock

    def owns(self, job_id: str) -> bool:
        return job_id.startswith(RETRIEVE_KEY_PREFIX)

    def submit(self, members: dict[str, tuple[str, ...]], api_version: str, single_package: bool) -> RetrieveJob:
        with self._lock:
            number = next(self._counter)
            job = RetrieveJob(salesforce_id(RETRIEVE_KEY_PREFIX, number), members, api_version, single_package, self._clock())
            self._jobs[job.id] = job
        return job

    def advance(self, job_id: str, store: DeployedMetadata, org: OrgSchema) -> RetrieveJob:
        """One polling step; a finished job stays as it is, so its result can be read again."""
        with self._lock:
            job = find_job(self._jobs, job_id)
            if job.state == "Queued":
                job = replace(job, state="InProgress")
            elif job.state == "InProgress":
                package = retrieve_package(job.members, job.api_version, job.single_package, store, org, self._clock())
                job = replace(job, state="Completed", package=package)
            self._jobs[job.id] = job
            return job
