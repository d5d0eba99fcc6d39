"""The result files of finished ingest jobs, kept on disk: a long backfill's jobs echo every row
they were sent, which the server would otherwise hold in memory for its whole life.

Files live as long as their job: deleting the job deletes them, and a new server (which knows no
earlier server's jobs) starts with none.
"""
from __future__ import annotations

import shutil
from pathlib import Path


class ResultFiles:
    def __init__(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, mode=0o700)
        self._folder = folder

    def write(self, job_id: str, kind: str, csv_text: str) -> None:
        self._path(job_id, kind).write_text(csv_text, encoding="utf-8", newline="")

    def read(self, job_id: str, kind: str) -> bytes | None:
        """The file's bytes; None if the job has no such file (it is not finished)."""
        path = self._path(job_id, kind)
        return path.read_bytes() if path.exists() else None

    def delete(self, job_id: str) -> None:
        for path in self._folder.glob(f"{job_id}.*.csv"):
            path.unlink(missing_ok=True)

    def _path(self, job_id: str, kind: str) -> Path:
        return self._folder / f"{job_id}.{kind}.csv"
