"""The schema the SOQL compiler validates against; the server fills these from its describe data."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Mapping, Protocol


@dataclass(frozen=True)
class FieldInfo:
    """One field as describe reports it; `type` is a Salesforce field type such as 'date'."""

    name: str
    type: str
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    filterable: bool = True  # may appear in WHERE (a Long Text Area may not)
    sortable: bool = True  # ...in ORDER BY
    groupable: bool = True  # ...in GROUP BY
    aggregatable: bool = True  # ...in an aggregate function


@dataclass(frozen=True)
class ChildInfo:
    """A child relationship: the records of `object` whose `field` points at the parent."""

    name: str
    object: str
    field: str


@dataclass(frozen=True)
class ObjectInfo:
    """One sObject; `fields` is keyed by canonical API name, `children` by relationship name."""

    name: str
    fields: Mapping[str, FieldInfo]
    children: Mapping[str, ChildInfo] = field(default_factory=dict)

    def child(self, name: str) -> ChildInfo | None:
        """The child relationship called `name`, case-insensitively, as subqueries name it."""
        return next((info for key, info in self.children.items() if key.lower() == name.lower()), None)

    def field(self, name: str) -> FieldInfo | None:
        """Salesforce matches field names case-insensitively."""
        return self._fields_by_lower_name.get(name.lower())

    def relationship(self, name: str) -> FieldInfo | None:
        """The reference field whose relationship name is `name`, case-insensitively."""
        return self._relationships_by_lower_name.get(name.lower())

    @cached_property
    def _fields_by_lower_name(self) -> dict[str, FieldInfo]:
        return {info.name.lower(): info for info in self.fields.values()}

    @cached_property
    def _relationships_by_lower_name(self) -> dict[str, FieldInfo]:
        return {
            info.relationship_name.lower(): info
            for info in self.fields.values()
            if info.relationship_name and info.reference_to
        }


class SchemaLookup(Protocol):
    def object(self, name: str) -> ObjectInfo | None:
        """The sObject called `name` (case-insensitive), or None if the org has no such object."""
        ...
