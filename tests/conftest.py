"""Shared fixtures: writable copies of force-app/ to break on purpose."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from repo_paths import FORCE_APP


@pytest.fixture
def source_copy(tmp_path: Path) -> Callable[[], Path]:
    """Makes a writable copy of force-app/ and returns its main/default folder."""

    def make() -> Path:
        copy = tmp_path / "force-app"
        shutil.copytree(FORCE_APP, copy)
        return copy / "main" / "default"

    return make
