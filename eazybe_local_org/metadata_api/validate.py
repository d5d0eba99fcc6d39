"""Salesforce's semantic rules for custom objects and fields, the ones the XML schema cannot
express. Each returns the first problem in Salesforce's words, or None: Salesforce reports one
problem per component."""
from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

MAX_NAME_LENGTH = 40  # characters before the __c suffix
EXTERNAL_ID_TYPES = frozenset({"Text", "Number", "Email", "AutoNumber"})
TEXT_LENGTH_LIMITS: dict[str, tuple[int, int]] = {
    "Text": (1, 255),
    "EncryptedText": (1, 175),
    "LongTextArea": (256, 131072),
    "Html": (256, 131072),
}
_API_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")


def api_name_problem(full_name: str, kind: str) -> str | None:
    """kind is "Field" or "Object"; names of standard objects and fields (no __c) are not checked."""
    if not full_name.endswith("__c"):
        return None if kind == "Object" else f"Custom field names must end with __c: {full_name}"
    base = full_name[: -len("__c")]
    if not _API_NAME.fullmatch(base) or "__" in base or base.endswith("_"):
        return (
            f"The {kind} Name '{base}' can only contain underscores and alphanumeric characters. It must be "
            "unique, begin with a letter, not include spaces, not end with an underscore, and not contain "
            "two consecutive underscores."
        )
    if len(base) > MAX_NAME_LENGTH:
        return f"The {kind} Name '{base}' is too long: the maximum is {MAX_NAME_LENGTH} characters."
    return None


def field_problem(attributes: Mapping[str, Any], object_exists: Callable[[str], bool]) -> str | None:
    """`object_exists` answers for the org and for objects in the same deploy."""
    field_type = attributes.get("type", "")
    checks = (
        _name_problem,
        _length_problem,
        _number_problem,
        _lookup_problem,
        _external_id_problem,
        _picklist_problem,
    )
    for check in checks:
        problem = check(field_type, attributes, object_exists)
        if problem:
            return problem
    return None


def _name_problem(field_type: str, attributes: Mapping[str, Any], _: Callable[[str], bool]) -> str | None:
    return api_name_problem(attributes.get("fullName", ""), "Field")


def _length_problem(field_type: str, attributes: Mapping[str, Any], _: Callable[[str], bool]) -> str | None:
    if field_type not in TEXT_LENGTH_LIMITS:
        return None
    if not attributes.get("length"):
        return f"Must specify 'length' for a CustomField of type {field_type}"
    low, high = TEXT_LENGTH_LIMITS[field_type]
    if not low <= int(attributes["length"]) <= high:
        return f"Length must be between {low} and {high}"
    if field_type in ("LongTextArea", "Html") and not attributes.get("visibleLines"):
        return f"Must specify 'visibleLines' for a CustomField of type {field_type}"
    return None


def _number_problem(field_type: str, attributes: Mapping[str, Any], _: Callable[[str], bool]) -> str | None:
    if field_type not in ("Number", "Currency", "Percent"):
        return None
    if not attributes.get("precision"):
        return f"Must specify 'precision' for a CustomField of type {field_type}"
    precision, scale = int(attributes["precision"]), int(attributes.get("scale") or 0)
    if not 1 <= precision <= 18:
        return "Precision must be between 1 and 18"
    if not 0 <= scale <= precision:
        return f"Scale must be between 0 and the precision ({precision})"
    return None


def _lookup_problem(field_type: str, attributes: Mapping[str, Any], object_exists: Callable[[str], bool]) -> str | None:
    if field_type not in ("Lookup", "MasterDetail"):
        return None
    reference_to = attributes.get("referenceTo")
    if not reference_to:
        return f"Must specify 'referenceTo' for a CustomField of type {field_type}"
    if not object_exists(reference_to):
        return f"referenceTo value of '{reference_to}' does not resolve to a valid sObject type"
    if not attributes.get("relationshipName"):
        return f"Must specify 'relationshipName' for a CustomField of type {field_type}"
    return None


def _external_id_problem(field_type: str, attributes: Mapping[str, Any], _: Callable[[str], bool]) -> str | None:
    if str(attributes.get("externalId", "false")).lower() == "true" and field_type not in EXTERNAL_ID_TYPES:
        return "Only Text, Number, Email and Auto Number fields can be external IDs"
    return None


def _picklist_problem(field_type: str, attributes: Mapping[str, Any], _: Callable[[str], bool]) -> str | None:
    if field_type not in ("Picklist", "MultiselectPicklist"):
        return None
    value_set = attributes.get("valueSet") or {}
    if not value_set.get("values") and not value_set.get("valueSetName"):
        return f"Must specify 'valueSet' for a CustomField of type {field_type}"
    seen: set[str] = set()
    for value in value_set.get("values", ()):
        name = value["fullName"]
        if name.lower() in seen:
            return f"Duplicate picklist value specified: {name}"
        seen.add(name.lower())
    return None
