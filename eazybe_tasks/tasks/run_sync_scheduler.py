"""`cci task run run_sync_scheduler --org X`: the sync notebook every interval_s seconds until
stopped (Ctrl-C, SIGTERM) or max_runs ticks."""
from __future__ import annotations

from eazybe_tasks.scheduler.loop import Scheduler
from eazybe_tasks.scheduler.settings import DEFAULT_GRACE_S, DEFAULT_INTERVAL_S
from eazybe_tasks.tasks.options import number
from eazybe_tasks.tasks.run_sync_notebook import RunSyncNotebook


class RunSyncScheduler(RunSyncNotebook):
    task_docs = f"""
    Executes notebooks/sync.ipynb with papermill every interval_s seconds (default
    {DEFAULT_INTERVAL_S:.0f}). Runs never overlap, also across schedulers on other machines sharing
    the store: a tick whose lock is taken is skipped and recorded. Executed notebooks are kept
    under runs/YYYY-MM-DD/ (UTC) for keep_days days; index.jsonl in each day's folder records
    every tick. SIGINT or SIGTERM stops it: the run in progress gets grace_s seconds to finish.
    """
    task_options = {
        **RunSyncNotebook.task_options,
        "interval_s": {"description": f"Seconds between runs (default {DEFAULT_INTERVAL_S:.0f})."},
        "max_runs": {"description": "Stop after this many ticks, runs and skips (default: until stopped)."},
        "grace_s": {"description": f"On SIGINT/SIGTERM, seconds the run in progress may still take "
                                   f"(default {DEFAULT_GRACE_S:.0f})."},
    }

    def _run_task(self) -> None:
        options = self.options
        max_runs = number(options, "max_runs", int, 0)
        settings = self._settings(
            interval_s=number(options, "interval_s", float, DEFAULT_INTERVAL_S), max_runs=max_runs or None,
            grace_s=number(options, "grace_s", float, DEFAULT_GRACE_S),
        )
        self.logger.info(f"sync notebook every {settings.interval_s:g} s into org {settings.org_name}; "
                         f"executed notebooks in {settings.runs_dir}/")
        entries = Scheduler(settings, self.logger).run()
        self.return_values = {"ticks": len(entries), "statuses": [entry.status for entry in entries]}
