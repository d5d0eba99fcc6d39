"""Objects and fields as the local org knows them: the same attributes Salesforce's describe
reports, because describe, validation and SOQL all read them from here.

Standard objects are built in (`standard.py`); custom objects and fields come from Metadata API
deploys and are stored with the org, so a restarted org keeps its schema."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Iterable

from eazybe_local_org.soql.schema import ChildInfo, FieldInfo, ObjectInfo

# Salesforce describe field types used by the local org.
TEXT_TYPES = frozenset({"string", "textarea", "phone", "email", "url", "picklist", "multipicklist", "encryptedstring", "combobox"})
FIELD_TYPES = TEXT_TYPES | frozenset(
    {"id", "reference", "boolean", "int", "double", "currency", "percent", "date", "datetime", "time", "base64", "address"}
)


LONG_TEXT_AREA_ABOVE = 255  # a text area longer than this is a Long Text Area
_UNGROUPABLE = frozenset({"double", "currency", "percent", "datetime", "time", "address", "base64"})
_UNSORTABLE = frozenset({"address", "base64", "multipicklist"})


@dataclass(frozen=True)
class FieldDef:
    name: str  # API name, canonical case
    label: str
    type: str  # one of FIELD_TYPES
    length: int = 0  # text types: maximum characters
    precision: int = 0  # numbers: total digits
    scale: int = 0  # numbers: digits after the point
    nillable: bool = True
    createable: bool = True
    updateable: bool = True
    defaulted_on_create: bool = False
    default_value: Any = None  # applied on create when the field is not given
    unique: bool = False
    case_sensitive: bool = False
    external_id: bool = False
    id_lookup: bool = False
    name_field: bool = False
    reference_to: tuple[str, ...] = ()
    relationship_name: str | None = None
    child_relationship_name: str | None = None  # the parent's name for its children through this field
    delete_constraint: str | None = None  # SetNull, Restrict, Cascade (lookups)
    picklist_values: tuple[str, ...] = ()
    restricted_picklist: bool = False
    custom: bool = False
    calculated: bool = False
    auto_number_format: str | None = None  # e.g. 'WAC-{0000}'; set only on auto-number fields
    inline_help_text: str | None = None
    description: str | None = None

    @property
    def long_text(self) -> bool:
        """A Long Text Area: read like text, but never filtered, sorted or grouped by."""
        return self.type == "textarea" and self.length > LONG_TEXT_AREA_ABOVE

    @property
    def filterable(self) -> bool:
        return not self.long_text and self.type != "base64"

    @property
    def sortable(self) -> bool:
        return not self.long_text and self.type not in _UNSORTABLE

    @property
    def groupable(self) -> bool:
        return not self.long_text and self.type not in _UNGROUPABLE

    @property
    def aggregatable(self) -> bool:
        return not self.long_text and self.type not in ("boolean", "address", "base64")

    @property
    def required_on_create(self) -> bool:
        """Salesforce's REQUIRED_FIELD_MISSING rule: not nillable, createable, and not defaulted."""
        return not self.nillable and self.createable and not self.defaulted_on_create and self.type != "boolean"


@dataclass(frozen=True)
class ChildRelationship:
    """A reference field on `child_object` that points at some parent, as the parent's describe lists it."""

    child_object: str
    field: str
    relationship_name: str | None
    cascade_delete: bool = False
    restricted_delete: bool = False


@dataclass(frozen=True)
class ObjectDef:
    name: str
    label: str
    label_plural: str
    key_prefix: str  # the first three characters of every record id
    fields: dict[str, FieldDef] = field(default_factory=dict)  # keyed by canonical API name, in describe order
    custom: bool = False
    createable: bool = True
    updateable: bool = True
    deletable: bool = True
    queryable: bool = True
    searchable: bool = True
    triggerable: bool = True
    description: str | None = None

    def field(self, name: str) -> FieldDef | None:
        """Case-insensitive, as Salesforce matches field names."""
        found = self.fields.get(name)
        if found is not None:
            return found
        lower = name.lower()
        return next((f for f in self.fields.values() if f.name.lower() == lower), None)

    def with_field(self, definition: FieldDef) -> "ObjectDef":
        return replace(self, fields={**self.fields, definition.name: definition})

    def soql_info(self, children: Iterable[ChildRelationship] = ()) -> ObjectInfo:
        """`children` are the org's child relationships to this object (the registry knows them)."""
        return ObjectInfo(
            self.name,
            {
                f.name: FieldInfo(f.name, f.type, f.reference_to, f.relationship_name,
                                  filterable=f.filterable, sortable=f.sortable, groupable=f.groupable,
                                  aggregatable=f.aggregatable)
                for f in self.fields.values()
            },
            {c.relationship_name: ChildInfo(c.relationship_name, c.child_object, c.field) for c in children if c.relationship_name},
        )
