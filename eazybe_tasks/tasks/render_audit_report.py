"""`cci task run render_audit_report --org X`: notebooks/audit_report.ipynb executed with papermill
and rendered to a standalone HTML report (no code cells, charts embedded)."""
from __future__ import annotations

from pathlib import Path

from cumulusci.core.exceptions import CumulusCIFailure
from cumulusci.core.exceptions import TaskOptionsError
from cumulusci.core.tasks import BaseSalesforceTask
from papermill.exceptions import PapermillExecutionError

from eazybe_tasks.audit.period import DEFAULT_DAYS, report_period
from eazybe_tasks.audit.rendering import render_report
from eazybe_tasks.tasks.options import StoreOption, flag

NOTEBOOK = Path("notebooks") / "audit_report.ipynb"


class RenderAuditReport(StoreOption, BaseSalesforceTask):
    task_docs = """
    Executes notebooks/audit_report.ipynb for a period (what was logged per day and account,
    unmatched numbers, do-not-log skips, failures, quarantined records, sync latency, API usage,
    and a reconciliation of the store's ledger against the task's org) and renders it with
    nbconvert to one HTML file without code cells, whose charts are embedded.
    """
    task_options = {
        "start": {"description": f"First day, YYYY-MM-DD (default: {DEFAULT_DAYS - 1} days before the end)."},
        "end": {"description": "Last day, YYYY-MM-DD (default: today, UTC)."},
        "path": {"description": "The HTML file to write (default reports/audit-<end>.html)."},
        "reconcile": {"description": "False to leave out the reconciliation against the org (default True)."},
        **StoreOption.task_options,
    }

    def _init_options(self, kwargs: dict) -> None:  # type: ignore[type-arg]
        super()._init_options(kwargs)
        try:
            self.period = report_period(self.options.get("start"), self.options.get("end"))
        except ValueError as error:
            raise TaskOptionsError(f"bad period: {error}") from error
        self.reconcile = flag(self.options, "reconcile", default=True)

    def _run_task(self) -> None:
        period = self.period
        root = Path(self.project_config.repo_root)
        target = root / (self.options.get("path") or f"reports/audit-{period.end.isoformat()}.html")
        parameters = {
            "org_name": self.org_config.name, "store_url": self.store_url,
            "start": period.start.isoformat(), "end": period.end.isoformat(), "project_dir": str(root),
            "reconcile": self.reconcile,
        }
        self.logger.info(f"audit report for {period}, org {self.org_config.name}")
        try:
            diagnostics = render_report(root / NOTEBOOK, target, parameters, cwd=root,
                                        title=f"WhatsApp audit report, {period}")
        except PapermillExecutionError as error:
            raise CumulusCIFailure(f"the audit notebook failed: {error.ename}: {error.evalue}") from error
        for text in diagnostics:
            self.logger.warning(f"the audit notebook wrote to stderr: {text}")
        self.logger.info(f"audit report written: {target}")
        self.return_values = {"path": str(target)}
