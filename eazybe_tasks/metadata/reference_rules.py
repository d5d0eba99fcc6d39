"""Every field, object, compact layout and tab that one component names must exist.

A deploy fails on a dangling reference (a layout or permission set naming a deleted field), so the
check runs offline first. Standard fields of standard objects are not in the tree and are taken on
trust; custom fields, and the fields of the project's custom objects, must be found.
"""
from __future__ import annotations

import re
from typing import Iterator

from lxml import etree

from eazybe_tasks.metadata.problems import Problem
from eazybe_tasks.metadata.source_tree import Component, SourceTree, children, md, text

# Fields every custom object has, by API name and by the column names list views and related
# lists use for them.
SYSTEM_FIELDS = {
    "Id", "Name", "OwnerId", "CreatedById", "CreatedDate", "LastModifiedById", "LastModifiedDate",
    "SystemModstamp", "RecordTypeId", "LastActivityDate", "LastViewedDate", "LastReferencedDate",
    "NAME", "OWNER.ALIAS", "OWNER.FIRST_NAME", "OWNER.LAST_NAME", "CREATED_DATE", "CREATEDBY_USER",
    "LAST_UPDATE", "UPDATEDBY_USER", "RECORDTYPE", "OBJECT_ID",
}
CUSTOM_RELATED_LIST = re.compile(r"^(\w+__c)\.(\w+__c)$")


class _References:
    def __init__(self, tree: SourceTree):
        self.tree = tree

    def field_problem(
        self, owner: Component, element: etree._Element, obj: str, field: str
    ) -> Problem | None:
        """A problem when `obj.field` is knowably missing from the tree, else None."""
        source = self.tree.objects.get(obj)
        if field.endswith("__c"):
            found = source is not None and field in source.fields
        elif source is not None and source.definition is not None:
            found = field in SYSTEM_FIELDS
        else:
            return None
        if found:
            return None
        return owner.problem(f"names field {obj}.{field}, which does not exist in the source", element)

    def object_problem(self, owner: Component, element: etree._Element, obj: str) -> Problem | None:
        source = self.tree.objects.get(obj)
        if not obj.endswith("__c") or (source is not None and source.definition is not None):
            return None
        return owner.problem(f"names object {obj}, which does not exist in the source", element)

    def fields_named(self, owner: Component, obj: str, xpath: str) -> Iterator[Problem]:
        for element in owner.root.iterfind(xpath):
            problem = self.field_problem(owner, element, obj, (element.text or "").strip())
            if problem:
                yield problem


def _xpath(*tags: str) -> str:
    return ".//" + "/".join(md(tag) for tag in tags)


def _duplicate_layout_items(layout: Component) -> Iterator[Problem]:
    seen: set[str] = set()
    for element in layout.root.iterfind(_xpath("layoutItems", "field")):
        name = (element.text or "").strip()
        if name in seen:
            yield layout.problem(f"field {name} is placed twice", element)
        seen.add(name)


def _related_list_problems(refs: _References, layout: Component, parent: str) -> Iterator[Problem]:
    for related in layout.root.iterfind(_xpath("relatedLists")):
        name_element = related.find(md("relatedList"))
        match = CUSTOM_RELATED_LIST.match((text(related, "relatedList") or ""))
        if not match or name_element is None:
            continue
        child, lookup = match.groups()
        problem = refs.object_problem(layout, name_element, child) or refs.field_problem(
            layout, name_element, child, lookup
        )
        if problem:
            yield problem
            continue
        target = text(refs.tree.objects[child].fields[lookup].root, "referenceTo")
        if target != parent:
            yield layout.problem(
                f"related list {child}.{lookup} looks up {target}, not {parent}", name_element
            )
        for column in children(related, "fields"):
            problem = refs.field_problem(layout, column, child, (column.text or "").strip())
            if problem:
                yield problem


def _layout_problems(refs: _References) -> Iterator[Problem]:
    for name, layout in refs.tree.layouts.items():
        obj = name.split("-", 1)[0]
        yield from refs.fields_named(layout, obj, _xpath("layoutItems", "field"))
        yield from _duplicate_layout_items(layout)
        yield from _related_list_problems(refs, layout, obj)


def _object_part_problems(refs: _References) -> Iterator[Problem]:
    for obj in refs.tree.objects.values():
        for view in obj.list_views.values():
            yield from refs.fields_named(view, obj.name, _xpath("columns"))
            yield from refs.fields_named(view, obj.name, _xpath("filters", "field"))
        for compact in obj.compact_layouts.values():
            yield from refs.fields_named(compact, obj.name, _xpath("fields"))
        if obj.definition is None:
            continue
        yield from refs.fields_named(obj.definition, obj.name, _xpath("searchLayouts", "*"))
        assignment = obj.definition.root.find(md("compactLayoutAssignment"))
        if assignment is not None and assignment.text not in ("SYSTEM", *obj.compact_layouts):
            yield obj.definition.problem(
                f"compact layout {assignment.text} does not exist in the source", assignment
            )


def _tab_problems(refs: _References) -> Iterator[Problem]:
    for name, tab in refs.tree.tabs.items():
        if text(tab.root, "customObject") == "true":
            problem = refs.object_problem(tab, tab.root, name)
            if problem:
                yield problem


def _permission_set_problems(refs: _References) -> Iterator[Problem]:
    for permission_set in refs.tree.permission_sets.values():
        for element in permission_set.root.iterfind(_xpath("fieldPermissions", "field")):
            obj, _, field = (element.text or "").strip().partition(".")
            problem = refs.object_problem(permission_set, element, obj) or refs.field_problem(
                permission_set, element, obj, field
            )
            if problem:
                yield problem
        for tag in (("objectPermissions", "object"), ("tabSettings", "tab")):
            for element in permission_set.root.iterfind(_xpath(*tag)):
                problem = refs.object_problem(permission_set, element, (element.text or "").strip())
                if problem:
                    yield problem


def check_references(tree: SourceTree) -> Iterator[Problem]:
    refs = _References(tree)
    yield from _layout_problems(refs)
    yield from _object_part_problems(refs)
    yield from _tab_problems(refs)
    yield from _permission_set_problems(refs)
