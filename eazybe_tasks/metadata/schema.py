"""Validation against the Metadata API's own XML schema.

simple-salesforce ships Salesforce's Metadata API WSDL; its embedded XML schema defines every
metadata type (element names, their order, enumerations). The types are complex types only, so a
global element is declared for each root type the checks read, and each file is validated as one.
"""
from __future__ import annotations

import copy
import importlib.resources
from functools import lru_cache
from typing import Iterable, Iterator

from lxml import etree

from eazybe_tasks.metadata.problems import Problem
from eazybe_tasks.metadata.source_tree import MD_NS, ROOT_TYPES, Component

XSD_NS = "http://www.w3.org/2001/XMLSchema"


def _wsdl() -> etree._ElementTree:
    source = importlib.resources.files("simple_salesforce") / "metadata.wsdl"
    with importlib.resources.as_file(source) as path:
        return etree.parse(str(path))


@lru_cache(maxsize=1)
def metadata_schema() -> etree.XMLSchema:
    embedded = _wsdl().find(f".//{{{XSD_NS}}}schema")
    if embedded is None:
        raise RuntimeError("simple-salesforce's metadata.wsdl holds no XML schema")
    schema = etree.Element(
        f"{{{XSD_NS}}}schema", nsmap={"xsd": XSD_NS, "tns": MD_NS}, attrib=dict(embedded.attrib)
    )
    for child in embedded:
        schema.append(copy.deepcopy(child))
    for type_name in sorted(set(ROOT_TYPES.values())):
        etree.SubElement(schema, f"{{{XSD_NS}}}element", name=type_name, type=f"tns:{type_name}")
    return etree.XMLSchema(schema)


def check_schema(components: Iterable[Component]) -> Iterator[Problem]:
    schema = metadata_schema()
    for component in components:
        if schema.validate(component.root.getroottree()):
            continue
        for error in schema.error_log:
            message = error.message.replace(f"{{{MD_NS}}}", "")
            yield Problem(component.path, error.line, f"Metadata API schema: {message}")
