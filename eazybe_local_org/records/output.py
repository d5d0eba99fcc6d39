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


ADDRESS_PARTS = {
    "street": "Street", "city": "City", "state": "State", "postalCode": "PostalCode", "country": "Country",
    "latitude": "Latitude", "longitude": "Longitude", "geocodeAccuracy": "GeocodeAccuracy",
}


def _address(obj: ObjectDef, field: FieldDef, stored: dict[str, Any]) -> dict[str, Any] | None:
    """A compound address (Address, MailingAddress) is not stored: it is built from its parts."""
    prefix = field.name[: -len("Address")]
    parts = {key: f"{prefix}{suffix}" for key, suffix in ADDRESS_PARTS.items()}
    if not all(name in stored for name in parts.values()):
        return None
    return {key: json_value(obj.fields[name], stored[name]) for key, name in sorted(parts.items())}


def record_json(obj: ObjectDef, record_id: str, stored: dict[str, Any], api_version: str) -> dict[str, Any]:
    """A record as `GET sobjects/T/id` returns it: attributes first, then the fields in describe order."""
    body: dict[str, Any] = {
        "attributes": {"type": obj.name, "url": f"/services/data/v{api_version}/sobjects/{obj.name}/{record_id}"}
    }
    for field in obj.fields.values():
        if field.type == "address":
            address = _address(obj, field, stored)
            if address is not None:
                body[field.name] = address
        elif field.name not in stored:
            continue
        elif field.type == "base64":
            body[field.name] = f"/services/data/v{api_version}/sobjects/{obj.name}/{record_id}/{field.name}"
        else:
            body[field.name] = json_value(field, stored[field.name])
    return body
