"""Deploy jobs by async id. deploy answers at once; each checkDeployStatus moves the job one step
(Queued -> InProgress -> done), so a client's polling loop runs as it does against Salesforce."""
from __future__ import annotations

import itertools
import string
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone

from eazybe_local_org.metadata_api.model import DeployOptions
from eazybe_local_org.metadata_api.org_schema import OrgSchema
from eazybe_local_org.metadata_api.plan import DeployPlan, plan_deploy

DEPLOY_KEY_PREFIX = "0Af"
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase


class UnknownDeployJob(KeyError):
    """No job of that id: Salesforce answers INVALID_CROSS_REFERENCE_KEY."""


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

    def submit(self, zip_bytes: bytes, options: DeployOptions) -> DeployJob:
        with self._lock:
            job = DeployJob(salesforce_id(DEPLOY_KEY_PREFIX, next(self._counter)), options, zip_bytes, self._clock())
            self._jobs[job.id] = job
        return job

    def get(self, job_id: str) -> DeployJob:
        job = self._jobs.get(job_id) or self._jobs.get(_by_prefix(self._jobs, job_id[:15]))
        if job is None:
            raise UnknownDeployJob(job_id)
        return job

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
                if plan.objects or plan.fields:
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


def salesforce_id(key_prefix: str, number: int) -> str:
    """An 18-character id: prefix, base-62 number, and Salesforce's case-checksum suffix."""
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(_BASE62[remainder])
    short = key_prefix + "".join(reversed(digits)).rjust(12, "0")
    suffix = ""
    for chunk in (short[0:5], short[5:10], short[10:15]):
        bits = sum(1 << index for index, char in enumerate(chunk) if char.isupper())
        suffix += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return short + suffix


def _by_prefix(jobs: dict[str, DeployJob], short_id: str) -> str:
    """Salesforce accepts 15-character ids too."""
    return next((job_id for job_id in jobs if job_id.startswith(short_id)), "")
