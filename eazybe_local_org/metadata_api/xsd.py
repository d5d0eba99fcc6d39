"""Validation against the Metadata API's own XML schema (the one in simple-salesforce's WSDL), so
element names, enumerations and value types are checked as Salesforce checks them.

Salesforce accepts children in any order (files from `sf project convert source` are not in schema
order), so each element's children are put into schema order before validating: the schema then
judges names and values, never ordering."""
from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import simple_salesforce
from lxml import etree

from eazybe_local_org.metadata_api.package import METADATA_NS

XSD_NS = "http://www.w3.org/2001/XMLSchema"
WSDL_PATH = Path(simple_salesforce.__file__).parent / "metadata.wsdl"


@dataclass(frozen=True)
class SchemaProblem:
    problem: str  # in Salesforce's words
    line: int | None
    column: int | None


class MetadataSchema:
    """The compiled schema, with one global element per complexType (the WSDL declares only types),
    and each type's child elements in sequence order (base types first) for reordering."""

    def __init__(self, wsdl_path: Path = WSDL_PATH) -> None:
        source = etree.parse(str(wsdl_path)).find(f".//{{{XSD_NS}}}schema")
        # A fresh root: QName-valued attributes (type="tns:...") need tns declared on the schema itself.
        schema = etree.Element(f"{{{XSD_NS}}}schema", nsmap={"xsd": XSD_NS, "tns": METADATA_NS}, attrib=dict(source.attrib))
        schema.extend(copy.deepcopy(child) for child in source)
        self._children = {
            node.get("name"): node for node in schema.iterfind(f"{{{XSD_NS}}}complexType")
        }
        for name in self._children:
            etree.SubElement(schema, f"{{{XSD_NS}}}element", name=name, type=f"tns:{name}")
        self._schema = etree.XMLSchema(etree.ElementTree(schema))

    def has_type(self, name: str) -> bool:
        return name in self._children

    def validate(self, element: etree._Element, type_name: str) -> list[SchemaProblem]:
        """Validates a copy of `element` as `type_name`; line numbers stay those of the original file."""
        document = _document(element, type_name)
        types = self._reorder(document, type_name)
        if self._schema.validate(document):
            return []
        tree = document.getroottree()
        return [self._problem(entry, tree, types) for entry in self._schema.error_log]

    def ordered(self, element: etree._Element, type_name: str) -> etree._Element:
        """A copy of `element` as a `type_name` document, children in schema order: the form
        Salesforce stores and retrieves, whatever order the deployed file had."""
        document = _document(element, type_name)
        self._reorder(document, type_name)
        return document

    @functools.cache
    def _sequence(self, type_name: str) -> tuple[tuple[str, str], ...]:
        """(child name, type name) in schema order, including those inherited from the base type."""
        node = self._children.get(type_name)
        if node is None:
            return ()
        extension = node.find(f"{{{XSD_NS}}}complexContent/{{{XSD_NS}}}extension")
        inherited = self._sequence(_local(extension.get("base"))) if extension is not None else ()
        own = tuple(
            (child.get("name"), _local(child.get("type", "")))
            for child in node.iter(f"{{{XSD_NS}}}element")
        )
        return inherited + own

    def _reorder(self, element: etree._Element, type_name: str) -> dict[str, str]:
        """Sorts children into schema order, recursively; returns each element's path -> type name,
        used to name types in problems. Unknown children go last, where the schema rejects them."""
        sequence = self._sequence(type_name)
        position = {name: index for index, (name, _) in enumerate(sequence)}
        child_types = dict(sequence)
        children = [child for child in element if isinstance(child.tag, str)]
        children.sort(key=lambda child: position.get(etree.QName(child).localname, len(position)))
        element[:] = children
        tree = element.getroottree()
        types = {tree.getpath(element): type_name}
        for child in children:
            child_type = child_types.get(etree.QName(child).localname)
            if child_type:
                types |= self._reorder(child, child_type)
        return types

    def _problem(self, entry: etree._LogEntry, tree: etree._ElementTree, types: dict[str, str]) -> SchemaProblem:
        line = entry.line or None
        element = tree.xpath(entry.path)[0] if entry.path else None
        name = etree.QName(element).localname if element is not None else ""
        if "This element is not expected" in entry.message and element is not None:
            parent_type = types.get(tree.getpath(element.getparent()), "")
            problem = f"Element {{{METADATA_NS}}}{name} invalid at this location in type {parent_type}"
        elif "[facet 'enumeration']" in entry.message and element is not None:
            problem = f"'{(element.text or '').strip()}' is not a valid value for the enum '{types.get(entry.path, name)}'"
        else:
            problem = "Error parsing file: " + re.sub(r"^Element '[^']*': ", "", entry.message)
        # libxml2 rarely knows the column; clients print line and column as a pair, so 1 stands in.
        return SchemaProblem(problem, line, (entry.column or 1) if line else None)


def _document(element: etree._Element, type_name: str) -> etree._Element:
    """A copy of `element`'s children under a root named for the type (comments dropped)."""
    document = etree.Element(f"{{{METADATA_NS}}}{type_name}", nsmap={None: METADATA_NS})
    document.extend(copy.deepcopy(child) for child in element if isinstance(child.tag, str))
    return document


def _local(qname: str) -> str:
    return qname.split(":", 1)[-1]


@functools.cache
def metadata_schema() -> MetadataSchema:
    """Compiled once per process (about a quarter of a second)."""
    return MetadataSchema()
