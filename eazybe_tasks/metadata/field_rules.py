"""Salesforce's documented limits for custom objects and fields, checked before any deploy.

Limits from the Salesforce help ("Custom Field Types", "Custom Field Attributes") and the Metadata
API reference: API names of at most 40 characters before the suffix, starting with a letter, with no
double or trailing underscore; Text up to 255 characters; Long Text Area 256 to 131,072; Number
precision up to 18; external ids only on Text, Number, Email and Auto Number; unique only on Text,
Number and Email; picklist values unique; labels up to 40 characters, help text up to 510.
"""
from __future__ import annotations

import re
from typing import Iterator

from eazybe_tasks.metadata.problems import Problem
from eazybe_tasks.metadata.source_tree import (
    Component,
    ObjectSource,
    SourceTree,
    children,
    md,
    text,
)

API_NAME = re.compile(r"^[A-Za-z](?:[A-Za-z0-9]|_(?!_))*(?<!_)__c$")
MAX_NAME = 40
MAX_LABEL = 40
MAX_HELP = 510
MAX_DESCRIPTION = 1000
TEXT_MAX = 255
LONG_TEXT_MIN, LONG_TEXT_MAX = 256, 131_072
NUMBER_MAX_PRECISION = 18
EXTERNAL_ID_TYPES = {"Text", "Number", "Email", "AutoNumber"}
UNIQUE_TYPES = {"Text", "Number", "Email"}
NUMERIC_TYPES = {"Number", "Currency", "Percent"}
LOOKUP_DELETE_CONSTRAINTS = {"SetNull", "Restrict", "Cascade"}


def _name_problems(component: Component, kind: str) -> Iterator[Problem]:
    name = component.name
    if not API_NAME.match(name):
        yield component.problem(
            f"{kind} API name {name!r} must start with a letter, use letters, digits and single "
            "underscores, and end in __c"
        )
    base = name[: -len("__c")] if name.endswith("__c") else name
    if len(base) > MAX_NAME:
        yield component.problem(
            f"{kind} API name {name!r} is {len(base)} characters before __c; the limit is {MAX_NAME}"
        )


def _bounded(component: Component, tag: str, limit: int, required: bool) -> Iterator[Problem]:
    value = text(component.root, tag)
    element = component.root.find(md(tag))
    if not value:
        if required:
            yield component.problem(f"<{tag}> is missing or empty")
        return
    if len(value) > limit:
        yield component.problem(f"<{tag}> is {len(value)} characters; the limit is {limit}", element)


def _int(component: Component, tag: str) -> int | None:
    value = text(component.root, tag)
    return int(value) if value is not None and value.lstrip("-").isdigit() else None


def _type_problems(field: Component, field_type: str) -> Iterator[Problem]:
    length, precision, scale = (_int(field, t) for t in ("length", "precision", "scale"))
    if field_type == "Text" and not (length and 1 <= length <= TEXT_MAX):
        yield field.problem(f"Text field needs a <length> from 1 to {TEXT_MAX}, found {length}")
    if field_type in ("LongTextArea", "Html"):
        if not (length and LONG_TEXT_MIN <= length <= LONG_TEXT_MAX):
            yield field.problem(
                f"{field_type} field needs a <length> from {LONG_TEXT_MIN} to {LONG_TEXT_MAX}, "
                f"found {length}"
            )
        if _int(field, "visibleLines") is None:
            yield field.problem(f"{field_type} field needs <visibleLines>")
    if field_type in NUMERIC_TYPES:
        if not (precision and 1 <= precision <= NUMBER_MAX_PRECISION):
            yield field.problem(
                f"{field_type} field needs a <precision> from 1 to {NUMBER_MAX_PRECISION}, "
                f"found {precision}"
            )
        elif scale is None or not 0 <= scale <= precision:
            yield field.problem(f"<scale> must be from 0 to the precision {precision}, found {scale}")
    if field_type in ("Lookup", "MasterDetail"):
        for tag in ("referenceTo", "relationshipName"):
            if not text(field.root, tag):
                yield field.problem(f"{field_type} field needs <{tag}>")
    if field_type == "Lookup" and text(field.root, "deleteConstraint") not in LOOKUP_DELETE_CONSTRAINTS:
        yield field.problem(
            f"Lookup field needs <deleteConstraint> one of {sorted(LOOKUP_DELETE_CONSTRAINTS)}"
        )
    if field_type == "Checkbox" and text(field.root, "defaultValue") not in ("true", "false"):
        yield field.problem("Checkbox field needs <defaultValue> true or false")


def _flag_problems(field: Component, field_type: str) -> Iterator[Problem]:
    if text(field.root, "externalId") == "true" and field_type not in EXTERNAL_ID_TYPES:
        yield field.problem(
            f"external id on a {field_type} field; Salesforce allows it only on "
            f"{', '.join(sorted(EXTERNAL_ID_TYPES))}"
        )
    if text(field.root, "unique") == "true" and field_type not in UNIQUE_TYPES:
        yield field.problem(
            f"unique on a {field_type} field; Salesforce allows it only on "
            f"{', '.join(sorted(UNIQUE_TYPES))}"
        )


def _picklist_problems(field: Component) -> Iterator[Problem]:
    seen: dict[str, int] = {}
    value_set = field.root.find(f".//{md('valueSetDefinition')}")
    if value_set is None:
        if text(field.root, "type") in ("Picklist", "MultiselectPicklist"):
            yield field.problem("picklist field needs a <valueSet> with a <valueSetDefinition>")
        return
    for value in children(value_set, "value"):
        api_name = (text(value, "fullName") or "").lower()
        if api_name in seen:
            yield field.problem(
                f"picklist value {text(value, 'fullName')!r} repeats the value on line "
                f"{seen[api_name]}",
                value,
            )
        seen[api_name] = value.sourceline or 1


def check_field(field: Component) -> Iterator[Problem]:
    yield from _name_problems(field, "field")
    if text(field.root, "fullName") != field.name:
        yield field.problem(f"<fullName> must be {field.name!r}, the file's name")
    yield from _bounded(field, "label", MAX_LABEL, required=True)
    yield from _bounded(field, "description", MAX_DESCRIPTION, required=True)
    yield from _bounded(field, "inlineHelpText", MAX_HELP, required=True)
    field_type = text(field.root, "type") or ""
    yield from _type_problems(field, field_type)
    yield from _flag_problems(field, field_type)
    yield from _picklist_problems(field)


def check_object(tree: SourceTree, obj: ObjectSource) -> Iterator[Problem]:
    definition = obj.definition
    if definition is None:
        if obj.is_custom:
            folder = tree.root / "objects" / obj.name
            yield Problem(folder, 1, f"custom object {obj.name} has no {obj.name}.object-meta.xml")
        return
    yield from _name_problems(definition, "object")
    yield from _bounded(definition, "label", MAX_LABEL, required=True)
    yield from _bounded(definition, "pluralLabel", MAX_LABEL, required=True)
    yield from _bounded(definition, "description", MAX_DESCRIPTION, required=True)
    name_field = definition.root.find(md("nameField"))
    if name_field is None or text(name_field, "type") not in ("Text", "AutoNumber"):
        yield definition.problem("custom object needs a <nameField> of type Text or AutoNumber")


def check_fields_and_objects(tree: SourceTree) -> Iterator[Problem]:
    for obj in tree.objects.values():
        yield from check_object(tree, obj)
        for field in obj.fields.values():
            yield from check_field(field)
