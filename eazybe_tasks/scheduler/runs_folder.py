"""The runs/ folder: one folder per UTC date holding that day's executed notebooks
(sync-HHMMSS.ipynb) and index.jsonl, one line per tick: when, what status, which notebook, what
error. Retention deletes whole day folders, so a notebook and its index line go together. The
notebooks show names and numbers: runs/ and its day folders are open to their owner only."""
from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from eazybe_tasks.private_files import private_folder

INDEX = "index.jsonl"
SUCCEEDED, FAILED, SKIPPED, ABANDONED = "succeeded", "failed", "skipped", "abandoned"


@dataclass(frozen=True)
class RunEntry:
    started: str  # ISO 8601, UTC
    finished: str
    status: str  # succeeded, failed, skipped, abandoned
    notebook: str | None  # relative to the runs folder; None when nothing was executed
    error: str | None
    scheduler: str  # host and process of the scheduler that recorded it
    report: str | None = None  # what the run did, as its notebook said it


class RunsFolder:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _day(self, at: datetime) -> Path:
        """That date's folder, made (mode 0700, as is runs/ itself) if missing."""
        private_folder(self.root)
        return private_folder(self.root / at.strftime("%Y-%m-%d"))

    def notebook_path(self, at: datetime) -> Path:
        """A new file name for a run started `at` (UTC); a second run in the same second gets -2."""
        folder = self._day(at)
        stem = f"sync-{at:%H%M%S}"
        path, n = folder / f"{stem}.ipynb", 1
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}.ipynb"
        return path

    def relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def record(self, entry: RunEntry) -> None:
        folder = self._day(datetime.fromisoformat(entry.started))
        with (folder / INDEX).open("a", encoding="utf-8") as index:
            index.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")

    def entries(self) -> list[RunEntry]:
        """Every recorded tick still kept, oldest day first."""
        found = []
        for day in self._days():
            index = day / INDEX
            if index.exists():
                found += [RunEntry(**json.loads(line)) for line in index.read_text(encoding="utf-8").splitlines() if line]
        return found

    def prune(self, today: date, keep_days: int) -> list[Path]:
        """Deletes the day folders older than the last `keep_days` days (today counts as one)."""
        oldest_kept = today - timedelta(days=keep_days - 1)
        removed = [day for day in self._days() if _date_of(day) < oldest_kept]
        for day in removed:
            shutil.rmtree(day)
        return removed

    def _days(self) -> list[Path]:
        """Only folders named as dates: nothing else under runs/ is ever touched."""
        if not self.root.is_dir():
            return []
        return sorted(child for child in self.root.iterdir() if child.is_dir() and _date_of(child))


def _date_of(folder: Path) -> date | None:
    try:
        return datetime.strptime(folder.name, "%Y-%m-%d").date()
    except ValueError:
        return None
