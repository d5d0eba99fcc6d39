"""Field-level security: the integration user can read and write every field the sync uses.

A custom field with no field-level security is invisible to the API user, so the sync would fail
with INVALID_FIELD in a real org even though the deploy succeeded. Salesforce also refuses
permissions it cannot grant: field permissions on required or master-detail fields, edit without
read, and object permissions without the permissions they depend on.
"""
from __future__ import annotations

from typing import Iterator

from eazybe_tasks.metadata.problems import Problem
from eazybe_tasks.metadata.source_tree import Component, SourceTree, children, text

# Object permission -> the permissions Salesforce requires along with it.
OBJECT_PERMISSION_NEEDS = {
    "allowCreate": ("allowRead",),
    "allowEdit": ("allowRead",),
    "allowDelete": ("allowRead", "allowEdit"),
    "viewAllRecords": ("allowRead",),
    "modifyAllRecords": ("allowRead", "allowEdit", "allowDelete", "viewAllRecords"),
}


def _has_no_field_security(field: Component) -> bool:
    """Required and master-detail fields are always visible and take no field permissions."""
    return text(field.root, "required") == "true" or text(field.root, "type") == "MasterDetail"


def _permission_set_problems(tree: SourceTree, permission_set: Component) -> Iterator[Problem]:
    for grant in children(permission_set.root, "fieldPermissions"):
        name = text(grant, "field") or ""
        obj, _, field_name = name.partition(".")
        field = tree.objects.get(obj) and tree.objects[obj].fields.get(field_name)
        if field and _has_no_field_security(field):
            yield permission_set.problem(
                f"field permission on {name}, a required or master-detail field", grant
            )
        if text(grant, "editable") == "true" and text(grant, "readable") != "true":
            yield permission_set.problem(f"{name} is editable but not readable", grant)
    for grant in children(permission_set.root, "objectPermissions"):
        for permission, needs in OBJECT_PERMISSION_NEEDS.items():
            if text(grant, permission) != "true":
                continue
            missing = [need for need in needs if text(grant, need) != "true"]
            if missing:
                yield permission_set.problem(
                    f"{text(grant, 'object')}: {permission} needs {', '.join(missing)}", grant
                )


def _integration_coverage(tree: SourceTree, permission_set_name: str) -> Iterator[Problem]:
    permission_set = tree.permission_sets.get(permission_set_name)
    if permission_set is None:
        yield Problem(
            tree.root / "permissionsets", 1,
            f"integration permission set {permission_set_name} does not exist in the source",
        )
        return
    readable = {
        text(grant, "field")
        for grant in children(permission_set.root, "fieldPermissions")
        if text(grant, "readable") == "true"
    }
    for obj in tree.objects.values():
        for field in obj.fields.values():
            if not _has_no_field_security(field) and f"{obj.name}.{field.name}" not in readable:
                yield field.problem(
                    f"{obj.name}.{field.name} has no readable field permission in "
                    f"{permission_set_name}"
                )


def check_field_security(tree: SourceTree, integration_permission_set: str) -> Iterator[Problem]:
    for permission_set in tree.permission_sets.values():
        yield from _permission_set_problems(tree, permission_set)
    yield from _integration_coverage(tree, integration_permission_set)
