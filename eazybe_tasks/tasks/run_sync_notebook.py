"""`cci task run run_sync_notebook --org X`: the sync notebook executed once, as the scheduler
runs it (same lock, same runs/ folder and index), for the demo, cron or a systemd timer. A run
that failed fails the task; a run skipped because another one is going on only warns, since
the work is being done."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from cumulusci.core.exceptions import CumulusCIFailure, TaskOptionsError
from cumulusci.core.tasks import BaseSalesforceTask

from eazybe_tasks.salesforce.api_budget import DEFAULT_SHARE
from eazybe_tasks.scheduler.loop import Scheduler
from eazybe_tasks.scheduler.runs_folder import SKIPPED, SUCCEEDED
from eazybe_tasks.scheduler.settings import DEFAULT_KEEP_DAYS, SchedulerSettings
from eazybe_tasks.sync.modes import MODES
from eazybe_tasks.sync.run import DEFAULT_DAYS
from eazybe_tasks.tasks.options import StoreOption, flag, number


class RunSyncNotebook(StoreOption, BaseSalesforceTask):
    task_docs = """
    Executes notebooks/sync.ipynb once with papermill against the task's org and keeps the
    executed notebook under runs/YYYY-MM-DD/ (UTC), with a line in that day's index.jsonl.
    """
    task_options = {
        "mode": {"description": f"{' or '.join(MODES)} (default sync)."},
        "days": {"description": f"How far back messages are logged (default {DEFAULT_DAYS})."},
        "dry_run": {"description": "True: plan and show, write nothing (default False)."},
        "api_share": {"description": f"Share of the org's daily API allowance a run may use (default {DEFAULT_SHARE})."},
        "runs_dir": {"description": "Where executed notebooks are kept (default runs/ in the project)."},
        "keep_days": {"description": f"Days of runs kept; older day folders are deleted (default {DEFAULT_KEEP_DAYS})."},
        **StoreOption.task_options,
    }

    def _settings(self, **more: Any) -> SchedulerSettings:
        options, root = self.options, Path(self.project_config.repo_root)
        try:
            return SchedulerSettings(
                org_name=self.org_config.name, runs_dir=root / (options.get("runs_dir") or "runs"),
                keep_days=number(options, "keep_days", int, DEFAULT_KEEP_DAYS), store_url=self.store_url,
                mode=options.get("mode") or MODES[0], days=number(options, "days", int, DEFAULT_DAYS),
                dry_run=flag(options, "dry_run"), api_share=number(options, "api_share", float, DEFAULT_SHARE),
                project_dir=root, **more,
            )
        except ValueError as error:
            raise TaskOptionsError(str(error)) from error

    def _run_task(self) -> None:
        settings = self._settings()
        entry = Scheduler(settings, self.logger).run_once()
        self.return_values = entry.__dict__
        if entry.status == SKIPPED:
            self.logger.warning(f"no run: {entry.error}")
        elif entry.status != SUCCEEDED:
            raise CumulusCIFailure(f"the sync notebook run {entry.status}: {entry.error} (notebook: {entry.notebook})")
