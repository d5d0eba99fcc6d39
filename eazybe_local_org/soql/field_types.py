"""How each Salesforce field type is stored in SQLite and returned in record JSON."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable

INTEGER_TYPES = frozenset({"int"})
DECIMAL_TYPES = frozenset({"double", "currency", "percent"})
NUMBER_TYPES = INTEGER_TYPES | DECIMAL_TYPES
_NON_TEXT_TYPES = NUMBER_TYPES | {"boolean", "date", "datetime"}

Decoder = Callable[[Any], Any]


def is_text(field_type: str) -> bool:
    """Text-like types (string, id, reference, picklist, ...) and unknown ones, all stored as TEXT."""
    return field_type not in _NON_TEXT_TYPES


def filter_type_name(field_type: str) -> str:
    """The type name Salesforce uses in 'value of filter criterion ... must be of type X'."""
    if field_type in ("id", "reference"):
        return "id"
    if field_type in INTEGER_TYPES:
        return "integer"
    if field_type == "datetime":
        return "dateTime"
    if is_text(field_type):
        return "string"
    return field_type


def encode_date(value: date) -> str:
    return value.isoformat()


def encode_datetime(value: datetime) -> str:
    """The stored UTC form, chosen so that text order is time order."""
    return value.replace(tzinfo=None).isoformat(timespec="milliseconds") + "+0000"


def day_start(value: date) -> str:
    """Midnight UTC of a day in the stored datetime form."""
    return f"{value.isoformat()}T00:00:00.000+0000"


def decoder_for(field_type: str) -> Decoder:
    """Turns a stored SQLite value into the JSON value Salesforce returns for this type."""
    if field_type == "boolean":
        return _decode_boolean
    if field_type in INTEGER_TYPES:
        return _decode_integer
    if field_type in DECIMAL_TYPES:
        return _decode_decimal
    return _as_stored


def _decode_boolean(value: Any) -> bool:
    """Salesforce checkboxes are never null, so a NULL cell reads as false."""
    return bool(value)


def _decode_integer(value: Any) -> int | None:
    return None if value is None else int(value)


def _decode_decimal(value: Any) -> float | None:
    return None if value is None else float(value)


def _as_stored(value: Any) -> Any:
    return value
