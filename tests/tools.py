"""Runs the project's real command-line tools (CumulusCI, the Salesforce CLI) from the test suite."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

from repo_paths import NODE_BIN, REPO, VENV_BIN


def tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(NODE_BIN), str(VENV_BIN), env.get("PATH", "")])
    env.update(
        SF_AUTOUPDATE_DISABLE="true",
        SF_DISABLE_AUTOUPDATE="true",  # the name oclif's update plugin reads
        SF_SKIP_NEW_VERSION_CHECK="true",
        SF_DISABLE_TELEMETRY="true",
        COLUMNS="250",  # rich (CumulusCI's log output) wraps lines at the terminal width
    )
    return env


def run(*args: str | Path, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    """Runs a command in the repository root; the result carries stdout and stderr as text."""
    return subprocess.run(
        [str(a) for a in args], cwd=REPO, env=tool_env(), capture_output=True, text=True,
        timeout=timeout, check=False,
    )
