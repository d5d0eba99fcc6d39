"""Field values as a person reads them: dates spelled out, numbers without a stray '.0', Yes/No,
and lookups as links to the record they point at."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from eazybe_local_org.schema.model import FieldDef

_NUMBER_TYPES = frozenset({"int", "double", "currency", "percent"})


@dataclass(frozen=True)
class Shown:
    """One value ready for a template: its text and, for a lookup or a name, the page it opens."""

    text: str
    href: str | None = None


def record_href(record_id: str) -> str:
    return f"/view/r/{record_id}"


def readable(field: FieldDef, value: Any) -> str:
    if value is None or value == "":
        return ""
    if field.type == "boolean":
        return "Yes" if value else "No"
    if field.type == "date":
        day = date.fromisoformat(value)
        return f"{day.day} {day:%b %Y}"
    if field.type == "datetime":
        moment = datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")
        return f"{moment.day} {moment:%b %Y, %H:%M} UTC"
    if field.type in _NUMBER_TYPES:
        number = int(value) if float(value).is_integer() else value
        text = f"{number:,}"
        return f"{text}%" if field.type == "percent" else text
    return str(value)


def shown(field: FieldDef, value: Any, names: dict[str, str]) -> Shown:
    """A lookup shows its target's name and links to it; everything else is plain text."""
    if field.type == "reference" and value:
        return Shown(names.get(value, value), record_href(value))
    return Shown(readable(field, value))


def lookup_ids(fields: list[FieldDef], records: list[dict[str, Any]]) -> set[str]:
    """Every id the records' lookups point at, to fetch their names in one pass."""
    return {r[f.name] for r in records for f in fields if f.type == "reference" and r.get(f.name)}
