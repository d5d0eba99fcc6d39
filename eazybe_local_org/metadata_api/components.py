"""CustomField / CustomObject XML -> the attribute dicts `eazybe_local_org.schema.standard` builds
definitions from. Only reading lives here, so the deploy and the schema share one converter.

Attributes are the element values as strings, keyed by element name; `valueSet` is
{"restricted": str, "values": tuple[{"fullName": str, "default": str}, ...], "valueSetName": str | None}."""
from __future__ import annotations

from typing import Any

from lxml import etree

from eazybe_local_org.metadata_api.package import METADATA_NS

_VALUES = f"{{{METADATA_NS}}}valueSetDefinition/{{{METADATA_NS}}}value"


def field_attributes(element: etree._Element) -> dict[str, Any]:
    """A CustomField element's values: text of simple children, picklist values kept with their default flag."""
    attributes: dict[str, Any] = {}
    for child in element:
        if not isinstance(child.tag, str):
            continue
        name = etree.QName(child).localname
        if name == "valueSet":
            attributes[name] = {
                "restricted": child.findtext(f"{{{METADATA_NS}}}restricted", "false"),
                "values": tuple(
                    {
                        "fullName": value.findtext(f"{{{METADATA_NS}}}fullName", "").strip(),
                        "default": value.findtext(f"{{{METADATA_NS}}}default", "false").strip(),
                    }
                    for value in child.iterfind(_VALUES)
                ),
                "valueSetName": child.findtext(f"{{{METADATA_NS}}}valueSetName"),
            }
        elif len(child) == 0:
            attributes[name] = (child.text or "").strip()
    return attributes


def object_attributes(element: etree._Element) -> dict[str, Any]:
    """A CustomObject element's simple values, plus nameField's as a nested dict."""
    attributes: dict[str, Any] = {
        etree.QName(child).localname: (child.text or "").strip()
        for child in element
        if isinstance(child.tag, str) and len(child) == 0
    }
    name_field = element.find(f"{{{METADATA_NS}}}nameField")
    if name_field is not None:
        attributes["nameField"] = field_attributes(name_field)
    return attributes
