"""`cci task run check_metadata`: the offline metadata checks as a CumulusCI task, so flows can
refuse to deploy metadata that Salesforce would reject or that would leave the sync blind."""
from __future__ import annotations

from pathlib import Path

from cumulusci.core.exceptions import CumulusCIFailure
from cumulusci.core.tasks import BaseTask

from eazybe_tasks.metadata.check import INTEGRATION_PERMISSION_SET, check_source


class CheckMetadata(BaseTask):
    task_docs = """
    Checks an SFDX source directory without an org: XML well-formed and valid against the Metadata
    API schema, no dangling references from layouts, list views, compact layouts, tabs or permission
    sets, Salesforce's field limits, and field-level security for the integration user.
    """
    task_options = {
        "path": {"description": "The SFDX package directory to check.", "required": True},
        "integration_permission_set": {
            "description": "Permission set that must grant read on every custom field. "
            f"Defaults to {INTEGRATION_PERMISSION_SET}."
        },
    }

    def _run_task(self) -> None:
        root = Path(self.project_config.repo_root or ".") / self.options["path"]
        permission_set = self.options.get("integration_permission_set") or INTEGRATION_PERMISSION_SET
        problems = check_source(root, permission_set)
        for problem in problems:
            self.logger.error(str(problem))
        self.return_values = {"problems": [str(problem) for problem in problems]}
        if problems:
            raise CumulusCIFailure(f"{len(problems)} metadata problem(s) under {root}")
        files = sum(1 for _ in root.rglob("*-meta.xml"))
        self.logger.info(f"{files} metadata files under {root} passed the offline checks")
