"""A real local org for tests: its own folder, started as a background process over HTTPS, and
clients that trust its certificate the documented way (REQUESTS_CA_BUNDLE)."""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import requests
from simple_salesforce import Salesforce

from asgi_server import _free_port
from eazybe_local_org.org_home import Credentials, org_home
from eazybe_local_org.server import start_background, stop
from eazybe_local_org.tls import ensure_tls
from eazybe_tasks.salesforce.org_client import OrgClient


@dataclass(frozen=True)
class RunningOrg:
    url: str
    folder: Path
    credentials: Credentials
    ca_bundle: Path

    def token(self) -> str:
        answer = requests.post(f"{self.url}/services/oauth2/token", data={
            "grant_type": "refresh_token", "client_id": self.credentials.client_id,
            "client_secret": self.credentials.client_secret, "refresh_token": self.credentials.refresh_token,
        }, verify=str(self.ca_bundle), timeout=30)
        answer.raise_for_status()
        return answer.json()["access_token"]

    def client(self) -> Salesforce:
        return Salesforce(instance_url=self.url, session_id=self.token(), version="67.0")

    def org_client(self, **options: Any) -> OrgClient:
        """The product's client of this org, refreshing its session the OAuth way."""
        return OrgClient.connect(self.url, self.token(), "67.0", **{"new_token": self.token, **options})


@contextmanager
def local_org(home: Path, name: str = "local", daily_max: int = 15_000) -> Iterator[RunningOrg]:
    org = org_home(name, home)
    bundle = ensure_tls(org.tls_folder).ca_bundle
    previous = os.environ.get("REQUESTS_CA_BUNDLE")
    os.environ["REQUESTS_CA_BUNDLE"] = str(bundle)
    server = start_background(org, _free_port(), daily_max=daily_max)
    try:
        yield RunningOrg(server.url, org.folder, org.credentials(), bundle)
    finally:
        stop(org)
        if previous is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = previous


def error_of(excinfo: Any) -> dict:
    """The one Salesforce error a simple-salesforce exception carries (pytest.raises' excinfo)."""
    content = excinfo.value.content
    assert isinstance(content, list) and len(content) == 1, content
    return content[0]


def deploy_project(org: RunningOrg, cci_home: Path) -> None:
    """Deploys force-app/ into the org with CumulusCI's own deploy task."""
    import json
    import subprocess

    from eazybe_local_org.registration import cumulusci_org_config
    from repo_paths import REPO, VENV_BIN
    from tools import tool_env

    env = {
        **tool_env(), "HOME": str(cci_home), "REQUESTS_CA_BUNDLE": str(org.ca_bundle),
        "CUMULUSCI_ORG_local": json.dumps(cumulusci_org_config(org_home("local", org.folder.parent), org.url)),
    }
    result = subprocess.run(
        [str(VENV_BIN / "cci"), "task", "run", "deploy", "--org", "local", "-o", "path", "force-app"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
