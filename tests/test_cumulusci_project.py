"""The CumulusCI project: every flow it defines resolves, its own tasks and flows are documented
and grouped, standard flows are extended by step number, and check_metadata runs through `cci`."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import cumulusci
import pytest
import yaml

from repo_paths import REPO, VENV_BIN
from tools import run

GROUP = "EazyBe WhatsApp"
PROJECT = yaml.safe_load((REPO / "cumulusci.yml").read_text())
STANDARD = yaml.safe_load((Path(cumulusci.__file__).parent / "cumulusci.yml").read_text())
CCI = VENV_BIN / "cci"


def _own(kind: str) -> dict[str, Any]:
    return {name: spec for name, spec in PROJECT[kind].items() if name not in STANDARD[kind]}


def test_project_settings() -> None:
    package = PROJECT["project"]["package"]
    assert package["api_version"] == STANDARD["project"]["package"]["api_version"] == "67.0"
    assert PROJECT["project"]["source_format"] == "sfdx"
    assert PROJECT["minimum_cumulusci_version"] <= cumulusci.__version__
    for shape in ("dev", "qa", "feature", "beta", "release"):
        assert (REPO / "orgs" / f"{shape}.json").exists()


@pytest.mark.parametrize("kind", ["tasks", "flows"])
def test_own_tasks_and_flows_have_description_and_group(kind: str) -> None:
    own = _own(kind)
    assert own
    for name, spec in own.items():
        assert spec.get("description"), name
        assert spec.get("group") == GROUP, name


def test_standard_flows_are_extended_by_new_step_numbers() -> None:
    for name, spec in PROJECT["flows"].items():
        if name in STANDARD["flows"]:
            assert set(spec) == {"steps"}, name
            assert not set(spec["steps"]) & set(STANDARD["flows"][name]["steps"]), name


def test_install_flow_uses_the_layout_etl_tasks() -> None:
    tasks = PROJECT["tasks"]
    classes = {
        tasks[step["task"]]["class_path"]
        for step in PROJECT["flows"]["add_whatsapp_to_layouts"]["steps"].values()
    }
    assert classes == {
        "cumulusci.tasks.metadata_etl.AddRelatedLists",
        "cumulusci.tasks.metadata_etl.layouts.AddFieldsToPageLayout",
    }
    steps = PROJECT["flows"]["install_existing_org"]["steps"]
    assert [s.get("task") or s.get("flow") for _, s in sorted(steps.items())] == [
        "check_metadata", "deploy", "assign_whatsapp_permission_sets", "add_whatsapp_to_layouts",
    ]


@pytest.mark.parametrize("flow", sorted(PROJECT["flows"]) + ["dev_org", "qa_org"])
def test_cci_flow_info(flow: str) -> None:
    result = run(CCI, "flow", "info", flow)
    assert result.returncode == 0, result.stdout + result.stderr
    if flow in ("dev_org", "qa_org", "install_existing_org"):
        assert "add_whatsapp_related_list_to_contact_layouts" in result.stdout
        assert "assign_whatsapp_permission_sets" in result.stdout


def test_cci_task_run_check_metadata_passes() -> None:
    result = run(CCI, "task", "run", "check_metadata")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "passed the offline checks" in result.stdout


def test_cci_task_run_check_metadata_fails_on_a_broken_copy(source_copy) -> None:
    root = source_copy()
    (root / "objects/WhatsApp_Chat__c/fields/Lead__c.field-meta.xml").unlink()
    result = run(CCI, "task", "run", "check_metadata", "-o", "path", root.parent.parent)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "WhatsApp_Chat__c.Lead__c, which does not exist in the source" in output
    assert "metadata problem(s)" in output
