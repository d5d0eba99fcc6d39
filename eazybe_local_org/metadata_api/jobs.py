"""Deploy jobs by async id. deploy answers at once; each checkDeployStatus moves the job one step
(Queued -> InProgress -> done), so a client's polling loop runs as it does against Salesforce.
The registry also holds the org's retrieve jobs, which live as long."""
from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from eazybe_local_org.metadata_api.job_ids import find_job, salesforce_id
from eazybe_local_org.metadata_api.model import DeployOptions
from eazybe_local_org.metadata_api.org_schema import OrgSchema
from eazybe_local_org.metadata_api.plan import DeployPlan, plan_deploy
from eazybe_local_org.metadata_api.retrieve_jobs import RetrieveJobs

DEPLOY_KEY_PREFIX = "0Af"


@dataclass(frozen=True)
class DeployJob:
    id: str
    options: DeployOptions
    zip_bytes: bytes
    created_date: datetime
    state: str = "Queued"  # AsyncRequestState: Queued, InProgress, Completed, Canceled
    start_date: datetime | None = None
    completed_date: datetime | None = None
    plan: DeployPlan | None = None

    @property
    def done(self) -> bool:
        return self.state in ("Completed", "Canceled")

    @property
    def status(self) -> str:
        """DeployStatus, as checkDeployStatus reports it."""
        if self.state == "Canceled":
            return "Canceled"
        if self.plan is not None:
            return self.plan.status
        return "InProgress" if self.state == "InProgress" else "Pending"


class DeployJobs:
    """In memory: a restarted org forgets running deploys, as clients then simply redeploy."""

    def __init__(self, clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        self._jobs: dict[str, DeployJob] = {}
        self._counter = itertools.count(1)
        self._lock = threading.Lock()
        self._clock = clock
        self.retrieves = RetrieveJobs(clock)

    def submit(self, zip_bytes: bytes, options: DeployOptions) -> DeployJob:
        with self._lock:
            job = DeployJob(salesforce_id(DEPLOY_KEY_PREFIX, next(self._counter)), options, zip_bytes, self._clock())
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> DeployJob:
        return find_job(self._jobs, job_id)

    def advance(self, job_id: str, org: OrgSchema, apply: Callable[[DeployPlan], None]) -> DeployJob:
        """One polling step. On the last, plans against `org` and hands the plan to `apply`
        (the server's transaction) unless it has nothing to apply."""
        with self._lock:
            job = self.get(job_id)
            now = self._clock()
            if job.state == "Queued":
                job = replace(job, state="InProgress", start_date=now)
            elif job.state == "InProgress":
                plan = plan_deploy(job.zip_bytes, job.options, org, now)
                if plan.applies:
                    apply(plan)
                job = replace(job, state="Completed", completed_date=self._clock(), plan=plan, zip_bytes=b"")
            self._jobs[job.id] = job
            return job

    def cancel(self, job_id: str) -> DeployJob:
        """Only a job not yet planned can be canceled; a finished one stays as it is."""
        with self._lock:
            job = self.get(job_id)
            if not job.done:
                job = replace(job, state="Canceled", completed_date=self._clock(), zip_bytes=b"")
                self._jobs[job.id] = job
            return job

