"""All offline checks of a source tree, in one call."""
from __future__ import annotations

from pathlib import Path

from eazybe_tasks.metadata.field_rules import check_fields_and_objects
from eazybe_tasks.metadata.problems import Problem
from eazybe_tasks.metadata.reference_rules import check_references
from eazybe_tasks.metadata.schema import check_schema
from eazybe_tasks.metadata.security_rules import check_field_security
from eazybe_tasks.metadata.source_tree import read_source_tree

INTEGRATION_PERMISSION_SET = "WhatsApp_Sync_Integration"


def check_source(
    root: Path, integration_permission_set: str = INTEGRATION_PERMISSION_SET
) -> list[Problem]:
    """Every problem found under `root` (an SFDX package directory such as force-app/)."""
    if not root.is_dir():
        raise FileNotFoundError(f"no metadata source directory at {root}")
    tree = read_source_tree(root)
    problems = list(tree.parse_problems)
    components = list(tree.components())
    problems += check_schema(components)
    problems += check_fields_and_objects(tree)
    problems += check_references(tree)
    problems += check_field_security(tree, integration_permission_set)
    return sorted(set(problems))
