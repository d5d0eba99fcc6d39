"""What a scheduler (or one notebook run) is asked to do, whichever front end asked: the
`eazybe-scheduler` command or the CumulusCI tasks."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eazybe_tasks.salesforce.api_budget import DEFAULT_SHARE
from eazybe_tasks.sync.modes import MODES, SYNC
from eazybe_tasks.sync.run import DEFAULT_DAYS

DEFAULT_INTERVAL_S = 180.0
DEFAULT_KEEP_DAYS = 7
DEFAULT_GRACE_S = 30.0
NOTEBOOK = Path("notebooks") / "sync.ipynb"


@dataclass(frozen=True)
class SchedulerSettings:
    org_name: str = "local"
    interval_s: float = DEFAULT_INTERVAL_S
    runs_dir: Path = Path("runs")
    keep_days: int = DEFAULT_KEEP_DAYS
    max_runs: int | None = None  # stop after this many ticks (runs and skips); None: until stopped
    store_url: str | None = None  # given to the kernel in its environment, never written into a notebook
    mode: str = SYNC
    days: int = DEFAULT_DAYS
    dry_run: bool = False
    api_share: float = DEFAULT_SHARE
    project_dir: Path = field(default_factory=Path.cwd)  # the CumulusCI project; the kernel runs there
    notebook: Path | None = None  # default: notebooks/sync.ipynb of the project
    grace_s: float = DEFAULT_GRACE_S  # on SIGINT/SIGTERM, how long the current run may still take

    def __post_init__(self) -> None:
        if self.interval_s <= 0:
            raise ValueError(f"interval_s must be above 0, not {self.interval_s}")
        if self.keep_days < 1:
            raise ValueError(f"keep_days must be 1 or more, not {self.keep_days}")
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {self.mode!r}")
        if self.max_runs is not None and self.max_runs < 1:
            raise ValueError(f"max_runs must be 1 or more, not {self.max_runs}")

    @property
    def notebook_path(self) -> Path:
        return (self.notebook or self.project_dir / NOTEBOOK).resolve()

    def parameters(self) -> dict[str, Any]:
        """The notebook's parameters. The store URL is left out: it may hold a password, and an
        executed notebook is kept on disk."""
        return {"org_name": self.org_name, "mode": self.mode, "days": self.days, "dry_run": self.dry_run,
                "api_share": self.api_share, "project_dir": str(self.project_dir.resolve())}
