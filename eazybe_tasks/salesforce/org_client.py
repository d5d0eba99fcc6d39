"""The one client of an org the toolkit talks to: the simple-salesforce connection, the session
refresh when a token expires mid-run, the retry policy and its clock, the API budget and the
timeout of every call. Every module that calls Salesforce takes an OrgClient, so those concerns
are decided once, where it is made.

CumulusCI tasks make theirs from the org CumulusCI gives them; notebooks and the scheduler run
outside a task and ask the project's keychain for the org by name (`local`, `dev`, `prod`...);
tests make one on an existing simple-salesforce client. All three end in the same client."""
from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, TypeVar
from urllib.parse import urlsplit

import requests
from simple_salesforce import Salesforce

from eazybe_tasks.salesforce import transport
from eazybe_tasks.salesforce.api_budget import DEFAULT_SHARE, DEFAULT_TIMEOUT_S, ApiBudget, BudgetedSession
from eazybe_tasks.salesforce.resilient_calls import RetryPolicy, call

T = TypeVar("T")
NO_RETRY = RetryPolicy(attempts=1)


@dataclass
class OrgClient:
    sf: Salesforce  # made with a BudgetedSession (see `connect`)
    new_token: Callable[[], str] | None = None  # a fresh access token, for an expired session
    api_share: float = DEFAULT_SHARE  # of the org's daily allowance, per run
    policy: RetryPolicy = RetryPolicy()
    sleep: Callable[[float], None] = time.sleep
    username: str | None = None  # who the client acts as, for people to read

    @classmethod
    def connect(cls, instance_url: str, access_token: str, version: str, *,
                timeout_s: float | None = DEFAULT_TIMEOUT_S, **options: Any) -> "OrgClient":
        """A client on this org, every call with `timeout_s`; `options` are the fields above."""
        sf = Salesforce(instance_url=instance_url, session_id=access_token, version=version,
                        session=BudgetedSession(timeout_s))
        return cls(sf, **options)

    @classmethod
    def of(cls, sf: Salesforce, **options: Any) -> "OrgClient":
        """A client on the same org, session and API version as `sf`."""
        return cls.connect(_instance_url(sf), sf.session_id, sf.sf_version, **options)

    @property
    def instance_url(self) -> str:
        return _instance_url(self.sf)

    @property
    def session(self) -> BudgetedSession:
        session: BudgetedSession = self.sf.session
        return session

    def call(self, operation: Callable[[], T], *, once: bool = False) -> T:
        """`operation` retried by the policy (`once`: sent a single time, for a call that is not
        safe to repeat), with one session refresh if the token expired."""
        refresh = self.refresh_session if self.new_token else None
        return call(operation, refresh_session=refresh, policy=NO_RETRY if once else self.policy, sleep=self.sleep)

    def query_all(self, soql: str, include_deleted: bool = False) -> dict[str, Any]:
        return self.call(lambda: self.sf.query_all(soql, include_deleted=include_deleted))

    def restful(self, path: str, **kwargs: Any) -> Any:
        return self.call(lambda: self.sf.restful(path, **kwargs))

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """A retried call on any REST path (Bulk API 2.0's, say)."""
        return self.call(lambda: transport.send(self.sf, method, path, **kwargs))

    def refresh_session(self) -> None:
        """INVALID_SESSION_ID mid-run: a new token, put on the client."""
        if self.new_token is None:
            raise RuntimeError("this client has no way to refresh its session")
        transport.use_token(self.sf, self.new_token())

    def usage(self) -> tuple[int, int] | None:
        """(used, daily limit) of the org's API requests, as its last answer reported them."""
        reported = self.sf.api_usage.get("api-usage")
        return (reported.used, reported.total) if reported else None

    @contextmanager
    def run_budget(self) -> Iterator[ApiBudget]:
        """The calls made inside are one run's, stopped at its share of the allowance."""
        budget = ApiBudget(self.api_share, self.usage)
        self.session.budget = budget
        try:
            yield budget
        finally:
            self.session.budget = None


def _instance_url(sf: Salesforce) -> str:
    parts = urlsplit(sf.base_url)
    return f"{parts.scheme}://{parts.netloc}"


def client_for_task(task: Any, **options: Any) -> OrgClient:
    """The client of a running CumulusCI task (BaseSalesforceApiTask), on its org and API version."""
    return _connect(task.org_config, task.project_config.keychain, task.project_config, options)


def client_for_org(org_name: str, project_dir: Path | None = None, **options: Any) -> OrgClient:
    """The org registered under `org_name` in the CumulusCI project at `project_dir` (default:
    the current directory's project), with a fresh access token."""
    from cumulusci.cli.runtime import CliRuntime

    previous = Path.cwd()
    if project_dir is not None:
        os.chdir(project_dir)
    try:
        runtime = CliRuntime(load_keychain=True)
        org_config = runtime.keychain.get_org(org_name)
        org_config.refresh_oauth_token(runtime.keychain)
    finally:
        os.chdir(previous)
    return _connect(org_config, runtime.keychain, runtime.project_config, options)


def _connect(org_config: Any, keychain: Any, project_config: Any, options: dict[str, Any]) -> OrgClient:
    """A client on a CumulusCI org (OrgConfig), its token refreshed through the keychain."""

    def new_token() -> str:
        org_config.refresh_oauth_token(keychain)
        token: str = org_config.access_token
        return token

    return OrgClient.connect(org_config.instance_url, org_config.access_token,
                             project_config.project__package__api_version, new_token=new_token,
                             username=org_config.username, **options)
