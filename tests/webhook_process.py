"""`cci task run serve_webhook` in a process of its own, as an operator runs it: for the tests of
the task and for the live-mode benchmark."""
from __future__ import annotations

import json
import signal
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import requests

from asgi_server import _free_port
from eazybe_local_org.org_home import org_home
from eazybe_local_org.registration import cumulusci_org_config
from eazybe_tasks.webhook.app import PATH
from local_org_fixture import RunningOrg
from repo_paths import REPO, VENV_BIN
from tools import tool_env

START_TIMEOUT_S = 120  # CumulusCI takes seconds to start, more on a busy machine


@dataclass
class WebhookProcess:
    url: str
    output: str = ""  # stdout and stderr, once the process has stopped


def org_environment(org: RunningOrg, home: Path) -> dict[str, str]:
    """The environment of a cci command that reaches `org` as --org local, with its own HOME."""
    return {**tool_env(), "HOME": str(home), "REQUESTS_CA_BUNDLE": str(org.ca_bundle),
            "CUMULUSCI_ORG_local": json.dumps(cumulusci_org_config(org_home("local", org.folder.parent), org.url))}


@contextmanager
def serve_webhook(environment: dict[str, str], *options: str) -> Iterator[WebhookProcess]:
    """Yields once the receiver answers; stops it with SIGINT (Ctrl-C) on exit."""
    port = _free_port()
    command = [str(VENV_BIN / "cci"), "task", "run", "serve_webhook", "-o", "port", str(port), *options]
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    served = WebhookProcess(f"http://127.0.0.1:{port}{PATH}")
    try:
        _wait_until_listening(served.url, process)
        yield served
    finally:
        process.send_signal(signal.SIGINT)
        served.output = process.communicate(timeout=60)[0]


def _wait_until_listening(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while process.poll() is None and time.monotonic() < deadline:
        try:
            requests.get(url, timeout=5)  # no verify token: refused, but answered
            return
        except requests.ConnectionError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"serve_webhook did not start: {process.communicate(timeout=60)[0]}")
