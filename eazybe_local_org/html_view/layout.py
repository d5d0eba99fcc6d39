"""Which fields a person sees where: the key columns of lists, the highlighted WhatsApp fields,
and a record's sections. The sections are those of the page layout deployed for the record's
object; an object without one gets groups made from its fields."""
from __future__ import annotations

from dataclasses import dataclass

from eazybe_local_org.html_view.reads import name_field, readable_fields
from eazybe_local_org.metadata_api.layouts import Section
from eazybe_local_org.schema.model import ChildRelationship, FieldDef, ObjectDef

SYSTEM_FIELDS = ("Id", "OwnerId", "CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp")
_WHATSAPP_SYNC = ("WhatsApp_Last_Synced__c", "WhatsApp_Last_Message_At__c", "WhatsApp_Do_Not_Log__c")
_KEY_FIELDS = {
    "Account": ("Industry", "Phone", "BillingCity"),
    "Contact": ("AccountId", "Email", "Phone", "WhatsApp_Last_Synced__c"),
    "Lead": ("Company", "Email", "Phone", "WhatsApp_Last_Synced__c"),
    "WhatsApp_Chat__c": ("Chat_Date__c", "Message_Count__c", "Last_Message_At__c", "Contact__c", "Lead__c"),
    "Note": ("ParentId", "Body"),
    "ContentVersion": ("FileType", "ContentSize", "FirstPublishLocationId"),
}
_RELATED_COLUMNS = {
    "WhatsApp_Chat__c": ("Name", "Chat_Date__c", "Message_Count__c", "Last_Message_At__c"),
}
_HIGHLIGHTS = {
    "Contact": ("WhatsApp", _WHATSAPP_SYNC),
    "Lead": ("WhatsApp", _WHATSAPP_SYNC),
    "WhatsApp_Chat__c": ("Chat", ("Chat_Date__c", "Message_Count__c", "Last_Message_At__c", "Last_Synced_At__c")),
}
_MONOSPACE_FIELDS = frozenset({"Transcript__c"})
_ADDRESS_PARTS = ("Street", "City", "State", "PostalCode", "Country", "Latitude", "Longitude", "GeocodeAccuracy")
_DEFAULT_KEY_TYPES = frozenset({"string", "email", "phone", "picklist", "date", "datetime", "int", "double", "currency", "reference"})
_DEFAULT_KEY_COUNT = 4


@dataclass(frozen=True)
class FieldGroup:
    title: str
    fields: tuple[FieldDef, ...]
    long_text: bool = False  # every field shown as a block of text; otherwise only Long Text Areas


def _present(obj: ObjectDef, names: tuple[str, ...]) -> list[FieldDef]:
    """The named fields the object has: custom ones exist only once the project is deployed."""
    return [f for f in (obj.field(name) for name in names) if f is not None]


def key_fields(obj: ObjectDef) -> list[FieldDef]:
    """The columns after the name in a list: chosen ones when known, else the first few plain fields."""
    chosen = _present(obj, _KEY_FIELDS.get(obj.name, ()))
    if chosen:
        return chosen
    named = name_field(obj)
    plain = [f for f in readable_fields(obj)
             if f.type in _DEFAULT_KEY_TYPES and f.name != named and f.name not in SYSTEM_FIELDS]
    return plain[:_DEFAULT_KEY_COUNT]


def list_fields(obj: ObjectDef) -> list[FieldDef]:
    """Name first, then the key fields."""
    named = obj.field(name_field(obj) or "Id")
    assert named is not None
    return [named, *(f for f in key_fields(obj) if f.name != named.name)]


def related_fields(relationship: ChildRelationship, child: ObjectDef) -> list[FieldDef]:
    """A related list's columns: chosen ones when known, else the child's list fields without the
    lookup back to the parent."""
    chosen = _present(child, _RELATED_COLUMNS.get(child.name, ()))
    return chosen or [f for f in list_fields(child) if f.name != relationship.field]


def highlights(obj: ObjectDef) -> FieldGroup | None:
    """The fields shown prominently at the top of a record, when the object has any deployed."""
    title, names = _HIGHLIGHTS.get(obj.name, ("", ()))
    present = _present(obj, names)
    return FieldGroup(title, tuple(present)) if present else None


def is_monospace(field: FieldDef) -> bool:
    return field.name in _MONOSPACE_FIELDS


def _address_prefix(obj: ObjectDef, field: FieldDef) -> str | None:
    """'Mailing' for MailingCity when the object has MailingStreet and MailingCity: one address."""
    for part in _ADDRESS_PARTS:
        prefix = field.name.removesuffix(part)
        if field.name.endswith(part) and f"{prefix}Street" in obj.fields and f"{prefix}City" in obj.fields:
            return prefix
    return None


def _address_parts(obj: ObjectDef, name: str) -> list[FieldDef]:
    """The components a compound address such as MailingAddress stands for on a layout."""
    prefix = name.removesuffix("Address")
    if not name.endswith("Address") or f"{prefix}Street" not in obj.fields or f"{prefix}City" not in obj.fields:
        return []
    return _present(obj, tuple(prefix + part for part in _ADDRESS_PARTS))


def _layout_fields(obj: ObjectDef, section: Section) -> tuple[FieldDef, ...]:
    """The section's fields in reading order, those the object has and a page can show."""
    readable = {f.name for f in readable_fields(obj)}
    found: list[FieldDef] = []
    for name in section.reading_order():
        field = obj.field(name)
        found.extend(_address_parts(obj, name) if field is None or field.type == "address" else [field])
    return tuple(f for f in found if f.name in readable)


def field_groups(obj: ObjectDef, layout: tuple[Section, ...] | None) -> list[FieldGroup]:
    """The record page's sections: the layout's, when the object has one, else generated ones."""
    if layout is not None:
        return [FieldGroup(section.label, _layout_fields(obj, section)) for section in layout]
    return _generated_groups(obj)


def _generated_groups(obj: ObjectDef) -> list[FieldGroup]:
    """Details, one group per address, long text, then system information: every field not highlighted."""
    shown_first = highlights(obj)
    highlighted = {f.name for f in shown_first.fields} if shown_first else set()
    details: list[FieldDef] = []
    addresses: dict[str, list[FieldDef]] = {}
    long_text: list[FieldDef] = []
    for field in readable_fields(obj):
        prefix = _address_prefix(obj, field)
        if field.name in SYSTEM_FIELDS or field.name in highlighted:
            continue
        if prefix is not None:
            addresses.setdefault(prefix, []).append(field)
        elif field.type == "textarea":
            long_text.append(field)
        else:
            details.append(field)
    system = tuple(_present(obj, SYSTEM_FIELDS))
    return [
        FieldGroup("Details", tuple(details)),
        *(FieldGroup(f"{prefix} Address".strip(), tuple(parts)) for prefix, parts in addresses.items()),
        FieldGroup("Text", tuple(long_text), long_text=True),
        FieldGroup("System Information", system),
    ]
