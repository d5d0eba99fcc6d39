"""Ids of the Metadata API's async jobs (deploys 0Af, retrieves 09S) and finding a job by one,
shared by both job registries."""
from __future__ import annotations

import string
from typing import TypeVar

_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
Job = TypeVar("Job")


class UnknownAsyncJob(KeyError):
    """No job of that id: Salesforce answers INVALID_CROSS_REFERENCE_KEY."""


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


def find_job(jobs: dict[str, Job], job_id: str) -> Job:
    """By 18-character id, or by the 15-character one Salesforce accepts too."""
    job = jobs.get(job_id) or next((job for known, job in jobs.items() if known.startswith(job_id[:15])), None)
    if job is None:
        raise UnknownAsyncJob(job_id)
    return job
