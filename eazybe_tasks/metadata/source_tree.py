"""Reads an SFDX source tree (force-app/) into the components the checks reason about.

Salesforce identifies a component by its folder and file name, not by its content, so the tree is
indexed the same way: objects/<Object>/fields/<Field>.field-meta.xml is field <Field> of <Object>.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from lxml import etree

from eazybe_tasks.metadata.problems import Problem

MD_NS = "http://soap.sforce.com/2006/04/metadata"

# File suffix -> the Metadata API type its root element must be.
ROOT_TYPES = {
    ".object-meta.xml": "CustomObject",
    ".field-meta.xml": "CustomField",
    ".listView-meta.xml": "ListView",
    ".compactLayout-meta.xml": "CompactLayout",
    ".layout-meta.xml": "Layout",
    ".tab-meta.xml": "CustomTab",
    ".permissionset-meta.xml": "PermissionSet",
}


def md(tag: str) -> str:
    """The qualified name of a Metadata API element."""
    return f"{{{MD_NS}}}{tag}"


def text(element: etree._Element, tag: str) -> str | None:
    """Text of the first child `tag` of `element`, stripped; None when absent."""
    child = element.find(md(tag))
    if child is None or child.text is None:
        return None
    return child.text.strip()


def children(element: etree._Element, tag: str) -> list[etree._Element]:
    return element.findall(md(tag))


@dataclass
class Component:
    """One metadata file: its API name, where it lives and its parsed root element."""

    name: str
    path: Path
    root: etree._Element

    def problem(self, message: str, element: etree._Element | None = None) -> Problem:
        line = (element if element is not None else self.root).sourceline or 1
        return Problem(self.path, line, message)


@dataclass
class ObjectSource:
    """An object as far as the tree defines it: a custom object has `definition`, a standard one
    (Contact, Lead) only the custom fields the project adds."""

    name: str
    definition: Component | None = None
    fields: dict[str, Component] = field(default_factory=dict)
    list_views: dict[str, Component] = field(default_factory=dict)
    compact_layouts: dict[str, Component] = field(default_factory=dict)

    @property
    def is_custom(self) -> bool:
        return self.name.endswith("__c")


@dataclass
class SourceTree:
    root: Path
    objects: dict[str, ObjectSource] = field(default_factory=dict)
    layouts: dict[str, Component] = field(default_factory=dict)
    tabs: dict[str, Component] = field(default_factory=dict)
    permission_sets: dict[str, Component] = field(default_factory=dict)
    parse_problems: list[Problem] = field(default_factory=list)

    def components(self) -> Iterator[Component]:
        for obj in self.objects.values():
            if obj.definition is not None:
                yield obj.definition
            yield from obj.fields.values()
            yield from obj.list_views.values()
            yield from obj.compact_layouts.values()
        yield from self.layouts.values()
        yield from self.tabs.values()
        yield from self.permission_sets.values()

    def object(self, name: str) -> ObjectSource:
        return self.objects.setdefault(name, ObjectSource(name))


def _suffix(path: Path) -> str | None:
    return next((s for s in ROOT_TYPES if path.name.endswith(s)), None)


def _parse(path: Path, expected_root: str) -> tuple[etree._Element | None, Problem | None]:
    try:
        root = etree.parse(str(path), etree.XMLParser(resolve_entities=False)).getroot()
    except etree.XMLSyntaxError as error:
        return None, Problem(path, error.lineno or 1, f"not well-formed XML: {error.msg}")
    expected = md(expected_root)
    if root.tag != expected:
        return None, Problem(
            path, root.sourceline or 1, f"root element is {root.tag}, expected {expected}"
        )
    return root, None


def _place(tree: SourceTree, component: Component, path: Path, suffix: str) -> Problem | None:
    """Files a component under the index its folder gives it."""
    folder = path.parent.name
    if suffix == ".object-meta.xml":
        tree.object(component.name).definition = component
        return None
    owner = path.parent.parent.name
    sub_folders = {
        ".field-meta.xml": ("fields", "fields"),
        ".listView-meta.xml": ("listViews", "list_views"),
        ".compactLayout-meta.xml": ("compactLayouts", "compact_layouts"),
    }
    top_folders = {
        ".layout-meta.xml": ("layouts", tree.layouts),
        ".tab-meta.xml": ("tabs", tree.tabs),
        ".permissionset-meta.xml": ("permissionsets", tree.permission_sets),
    }
    if suffix in sub_folders:
        expected_folder, attribute = sub_folders[suffix]
        if folder != expected_folder or path.parent.parent.parent.name != "objects":
            return Problem(path, 1, f"expected under objects/<Object>/{expected_folder}/")
        getattr(tree.object(owner), attribute)[component.name] = component
        return None
    expected_folder, index = top_folders[suffix]
    if folder != expected_folder:
        return Problem(path, 1, f"expected under {expected_folder}/")
    index[component.name] = component
    return None


def read_source_tree(root: Path) -> SourceTree:
    """Parses every *-meta.xml under `root`; unreadable files become parse problems."""
    tree = SourceTree(root)
    for path in sorted(root.rglob("*-meta.xml")):
        suffix = _suffix(path)
        if suffix is None:
            tree.parse_problems.append(
                Problem(path, 1, "metadata type not covered by the offline checks")
            )
            continue
        element, problem = _parse(path, ROOT_TYPES[suffix])
        if problem is None and element is not None:
            component = Component(path.name[: -len(suffix)], path, element)
            problem = _place(tree, component, path, suffix)
        if problem is not None:
            tree.parse_problems.append(problem)
    return tree
