"""Shared fixtures: writable copies of force-app/ to break on purpose."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Iterator

import pytest

from local_org_fixture import RunningOrg, deploy_project, local_org
from repo_paths import FORCE_APP


@pytest.fixture
def source_copy(tmp_path: Path) -> Callable[[], Path]:
    """Makes a writable copy of force-app/ and returns its main/default folder."""

    def make() -> Path:
        copy = tmp_path / "force-app"
        shutil.copytree(FORCE_APP, copy)
        return copy / "main" / "default"

    return make


@pytest.fixture(scope="module")
def deployed_org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOrg]:
    """A running local org with the project's metadata deployed by CumulusCI, per test module."""
    with local_org(tmp_path_factory.mktemp("orgs")) as running:
        deploy_project(running, tmp_path_factory.mktemp("home"))
        yield running
