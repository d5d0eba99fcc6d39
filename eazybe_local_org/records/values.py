"""One field value from a request into the form the org stores, with Salesforce's checks.

Each type accepts what Salesforce's REST API accepts (a number for a text field, a numeric
string for a number field) and refuses the rest with Salesforce's status code and message."""
from __future__ import annotations

import base64
import binascii
import re
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from eazybe_local_org.ids import key_prefix, normalize
from eazybe_local_org.records.errors import RecordError
from eazybe_local_org.schema.model import TEXT_TYPES, FieldDef

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
STORED_DATETIME = "%Y-%m-%dT%H:%M:%S.{ms:03d}+0000"


def _parse_error(field: FieldDef, value: Any, expected: str) -> RecordError:
    return RecordError(
        "JSON_PARSER_ERROR",
        f"Cannot deserialize instance of {expected} from value {value!r} for field {field.name}",
        [field.name],
    )


def _text(field: FieldDef, value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _parse_error(field, value, "string")
    text = value if isinstance(value, str) else str(value)
    if field.length and len(text) > field.length:
        raise RecordError(
            "STRING_TOO_LONG",
            f"{field.label}: data value too large: {text[:255]} (max length={field.length})",
            [field.name],
        )
    if field.type == "email" and text and not EMAIL.match(text):
        raise RecordError("INVALID_EMAIL_ADDRESS", f"{field.label}: invalid email address: {text}", [field.name])
    if field.type == "picklist" and field.restricted_picklist and text and text not in field.picklist_values:
        raise RecordError(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            f"{field.label}: bad value for restricted picklist field: {text}",
            [field.name],
        )
    return text


def _boolean(field: FieldDef, value: Any) -> int:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return int(value.lower() == "true")
    raise _parse_error(field, value, "boolean")


def _number(field: FieldDef, value: Any) -> int | float:
    if isinstance(value, bool):
        raise _parse_error(field, value, "double")
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise _parse_error(field, value, "double") from None
    if not number.is_finite():
        raise _parse_error(field, value, "double")
    digits_before_point = field.precision - field.scale if field.precision else 18
    if abs(number) >= Decimal(10) ** digits_before_point:
        raise RecordError(
            "NUMBER_OUTSIDE_VALID_RANGE",
            f"{field.label}: value outside of valid range on numeric field: {value}",
            [field.name],
        )
    if field.type == "int":
        return int(number)
    rounded = round(number, field.scale) if field.precision else number
    return int(rounded) if field.scale == 0 and field.precision else float(rounded)


def _date(field: FieldDef, value: Any) -> str:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            pass
    raise _parse_error(field, value, "date (expected YYYY-MM-DD)")


def parse_datetime(value: str) -> datetime:
    """ISO 8601 as Salesforce accepts it: 2026-11-24T10:00:00Z, ...00.000+0000, ...+01:00."""
    text = value.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = f"{text[:-2]}:{text[-2:]}"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)


def format_datetime(moment: datetime) -> str:
    """The stored and returned form: 2013-05-20T20:49:32.000+0000 (UTC)."""
    utc = moment.astimezone(timezone.utc)
    return utc.strftime(STORED_DATETIME).format(ms=utc.microsecond // 1000)


def _datetime(field: FieldDef, value: Any) -> str:
    if isinstance(value, str):
        try:
            return format_datetime(parse_datetime(value))
        except ValueError:
            pass
    raise _parse_error(field, value, "dateTime (expected ISO 8601 such as 2026-11-24T10:00:00.000+0000)")


def _reference(field: FieldDef, value: Any) -> str:
    canonical = normalize(value) if isinstance(value, str) else None
    if canonical is None:
        raise RecordError(
            "MALFORMED_ID", f"{field.label}: id value of incorrect type: {value}", [field.name]
        )
    return canonical


def _base64(field: FieldDef, value: Any) -> str:
    """Kept as base64 text (the column is TEXT); only checked here."""
    if isinstance(value, str):
        try:
            base64.b64decode(value, validate=True)
            return value
        except (binascii.Error, ValueError):
            pass
    raise _parse_error(field, value, "base64")


_CONVERTERS = {
    "boolean": _boolean,
    "int": _number, "double": _number, "currency": _number, "percent": _number,
    "date": _date, "datetime": _datetime,
    "reference": _reference,
    "base64": _base64,
}


def to_storage(field: FieldDef, value: Any) -> Any:
    """The stored form of `value` for `field`; None clears the field."""
    if value is None:
        return None
    if field.type in TEXT_TYPES or field.type not in _CONVERTERS:
        return _text(field, value)
    return _CONVERTERS[field.type](field, value)


def reference_prefix_matches(prefixes: dict[str, str], field: FieldDef, record_id: str) -> bool:
    """Whether `record_id`'s key prefix belongs to one of the objects the lookup may point to;
    `prefixes` maps object name to key prefix."""
    return any(prefixes.get(target) == key_prefix(record_id) for target in field.reference_to)
