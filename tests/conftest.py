"""Shared fixtures: writable copies of force-app/ to break on purpose, running local orgs, and
stores on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable, Iterator

import pytest

from eazybe_tasks.store.schema import metadata
from eazybe_tasks.store.store import Store, open_store
from local_org_fixture import RunningOrg, deploy_project, local_org
from postgres_server import postgres_server
from repo_paths import FORCE_APP

pytest_plugins = ["fuzz_counts"]  # prints how many inputs each fuzz suite tried (tests/fuzz_counts.py)


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


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """One PostgreSQL server for the whole test session, started from Debian's binaries."""
    try:
        with postgres_server() as url:
            yield url
    except RuntimeError as reason:
        pytest.skip(f"PostgreSQL cannot start on this machine: {reason}")


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated store on SQLite, then on PostgreSQL (emptied after each test)."""
    if request.param == "sqlite":
        yield open_store(f"sqlite:///{tmp_path / 'store.db'}")
        return
    opened = open_store(request.getfixturevalue("postgres_url"), tmp_path / "blobs")
    yield opened
    with opened.engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(table.delete())
