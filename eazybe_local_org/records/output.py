"""Stored values back to Salesforce's JSON: booleans, numbers, dates as returned by the REST API."""
from __future__ import annotations

from typing import Any

from eazybe_local_org.schema.model import FieldDef, ObjectDef
from eazybe_local_org.soql.field_types import DECIMAL_TYPES, INTEGER_TYPES


def json_value(field: FieldDef, stored: Any) -> Any:
    if stored is None:
        return None
    if field.type == "boolean":
        return bool(stored)
    if field.type in INTEGER_TYPES:
        return int(stored)
    if field.type in DECIMAL_TYPES:
        return float(stored)
    return stored


def record_json(obj: ObjectDef, record_id: str, stored: dict[str, Any], api_version: str) -> dict[str, Any]:
    """A record as `GET sobjects/T/id` returns it: attributes first, then the fields."""
    body: dict[str, Any] = {
        "attributes": {"type": obj.name, "url": f"/services/data/v{api_version}/sobjects/{obj.name}/{record_id}"}
    }
    for name, value in stored.items():
        field = obj.fields.get(name)
        if field is not None and field.type != "base64":
            body[name] = json_value(field, value)
        elif field is not None:
            body[name] = f"/services/data/v{api_version}/sobjects/{obj.name}/{record_id}/{name}"
    return body
