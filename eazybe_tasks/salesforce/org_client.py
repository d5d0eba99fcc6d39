"""A simple-salesforce client for an org CumulusCI knows, with the one-time session refresh the
writer asks for when a token expires mid-run.

CumulusCI tasks get `self.sf` and `self.org_config` from CumulusCI; notebooks and the scheduler
run outside a task and ask the project's keychain for the org by name (`local`, `dev`, `prod`...),
so both paths end in the same client and the same refresh."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simple_salesforce import Salesforce


@dataclass
class OrgClient:
    sf: Salesforce
    org_config: Any  # cumulusci.core.config.OrgConfig
    keychain: Any

    def refresh_session(self) -> None:
        """INVALID_SESSION_ID mid-run: a new token from the org's refresh token, put on the client."""
        self.org_config.refresh_oauth_token(self.keychain)
        token = self.org_config.access_token
        self.sf.session_id = token
        self.sf.headers["Authorization"] = f"Bearer {token}"


def client_for_task(task: Any) -> OrgClient:
    """The client of a running CumulusCI task (BaseSalesforceApiTask)."""
    return OrgClient(task.sf, task.org_config, task.project_config.keychain)


def client_for_org(org_name: str, project_dir: Path | None = None) -> OrgClient:
    """The org registered under `org_name` in the CumulusCI project at `project_dir` (default:
    the current directory's project), with a fresh access token."""
    import os

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
    api_version = runtime.project_config.project__package__api_version
    sf = Salesforce(instance_url=org_config.instance_url, session_id=org_config.access_token, version=api_version)
    return OrgClient(sf, org_config, runtime.keychain)
