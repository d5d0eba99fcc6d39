"""Creating, updating, upserting and deleting records the way Salesforce does.

Checks run in Salesforce's order: unknown fields, fields that cannot be written, value types and
limits, required fields, lookups to missing or wrong-type records, unique values; then the
system fields (Id, CreatedDate, SystemModstamp, CreatedById, OwnerId...) are set by the org,
never by the client. Files behave as in Salesforce: a ContentVersion makes its ContentDocument,
and FirstPublishLocationId links the document to that record."""
from __future__ import annotations

import base64
import hashlib
import sqlite3
from datetime import datetime, timezone
from pathlib import PurePosixPath
from typing import Any, Callable, Mapping

from eazybe_local_org import storage
from eazybe_local_org.ids import key_prefix
from eazybe_local_org.records.errors import RecordError, not_writable, required_missing, unknown_field
from eazybe_local_org.records.values import format_datetime, to_storage
from eazybe_local_org.schema.model import FieldDef, ObjectDef
from eazybe_local_org.schema.registry import SchemaRegistry

AUDIT_FIELDS = ("CreatedDate", "CreatedById", "LastModifiedDate", "LastModifiedById", "SystemModstamp")
COMPOSED_NAMES = {"Contact", "Lead", "User"}  # Name is First + Last, read-only


class RecordWriter:
    def __init__(
        self, connection: sqlite3.Connection, registry: SchemaRegistry, user_id: str,
        new_ids: Callable[[str, int], list[str]],
    ):
        self.connection = connection
        self.registry = registry
        self.user_id = user_id
        self.new_ids = new_ids
        self._by_prefix = {o.key_prefix: o for o in registry.objects()}

    def object_for(self, record_id: str) -> ObjectDef | None:
        """The object a record id belongs to, by its key prefix."""
        return self._by_prefix.get(key_prefix(record_id))

    # -- validation --------------------------------------------------------------------------
    def _converted(self, obj: ObjectDef, body: Mapping[str, Any], creating: bool) -> dict[str, Any]:
        values: dict[str, Any] = {}
        locked: list[str] = []
        for name, value in body.items():
            if name == "attributes":
                continue
            field = obj.field(name)
            if field is None:
                raise unknown_field(name, obj.name)
            if not (field.createable if creating else field.updateable):
                locked.append(field.name)
                continue
            values[field.name] = to_storage(field, value)
        if locked:
            raise not_writable(locked)
        return values

    def _check_references(self, obj: ObjectDef, values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            field = obj.fields[name]
            if field.type != "reference" or value is None:
                continue
            target = self.object_for(value)
            if target is None or target.name not in field.reference_to:
                raise RecordError(
                    "FIELD_INTEGRITY_EXCEPTION", f"{field.label}: id value of incorrect type: {value}", [field.name]
                )
            if not storage.select_by_id(self.connection, target, [value], []):
                raise RecordError(
                    "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [field.name]
                )

    def _check_unique(self, obj: ObjectDef, values: Mapping[str, Any], record_id: str | None, skip: str | None = None) -> None:
        for name, value in values.items():
            field = obj.fields[name]
            if not field.unique or value is None or name == skip:
                continue
            clash = [i for i in storage.find_by_field(self.connection, obj, field, value) if i != record_id]
            if clash:
                raise RecordError(
                    "DUPLICATE_VALUE",
                    f"duplicate value found: {field.name} duplicates value on record with id: {clash[0][:15]}",
                    [],
                )

    # -- system fields -----------------------------------------------------------------------
    def _stamp(self, obj: ObjectDef, values: dict[str, Any], creating: bool) -> None:
        now = format_datetime(datetime.now(timezone.utc))
        for name in AUDIT_FIELDS:
            if name in obj.fields and (creating or not name.startswith("Created")):
                values[name] = self.user_id if name.endswith("ById") else now
        if obj.name in COMPOSED_NAMES and ("FirstName" in values or "LastName" in values):
            values["Name"] = " ".join(p for p in (values.get("FirstName"), values.get("LastName")) if p)

    def _defaults(self, obj: ObjectDef, values: dict[str, Any]) -> None:
        for field in obj.fields.values():
            if field.name in values or not field.createable:
                continue
            if field.default_value is not None:
                values[field.name] = to_storage(field, field.default_value)
            elif field.type == "boolean":
                values[field.name] = 0
        if "OwnerId" in obj.fields and values.get("OwnerId") is None:
            values["OwnerId"] = self.user_id

    def _required(self, obj: ObjectDef, values: Mapping[str, Any]) -> None:
        missing = [f.name for f in obj.fields.values() if f.required_on_create and values.get(f.name) in (None, "")]
        if missing:
            raise required_missing(missing)

    # -- operations --------------------------------------------------------------------------
    def create(self, obj: ObjectDef, body: Mapping[str, Any]) -> str:
        if not obj.createable:
            raise RecordError("CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", f"entity type cannot be inserted: {obj.label}", [])
        values = self._converted(obj, body, creating=True)
        self._defaults(obj, values)
        self._required(obj, values)
        self._check_references(obj, values)
        self._check_unique(obj, values, None)
        record_id = self.new_ids(obj.key_prefix, 1)[0]
        values["Id"] = record_id
        if obj.custom and values.get("Name") in (None, "") and "Name" in obj.fields:
            values["Name"] = record_id
        self._stamp(obj, values, creating=True)
        if obj.name == "ContentVersion":
            self._new_content_version(obj, values)
        storage.insert(self.connection, obj, values)
        if obj.name == "ContentVersion" and values.get("FirstPublishLocationId"):
            self._link_document(values["ContentDocumentId"], values["FirstPublishLocationId"])
        return record_id

    def update(self, obj: ObjectDef, record_id: str, body: Mapping[str, Any], *, skip_unique: str | None = None) -> None:
        values = self._converted(obj, body, creating=False)
        self._check_references(obj, values)
        self._check_unique(obj, values, record_id, skip_unique)
        if obj.name in COMPOSED_NAMES and ({"FirstName", "LastName"} & set(values)):
            current = storage.select_by_id(self.connection, obj, [record_id], ["FirstName", "LastName"])
            values = {**current.get(record_id, {}), **values}
        self._stamp(obj, values, creating=False)
        if not storage.update(self.connection, obj, record_id, values):
            raise _missing_record(self.connection, obj, record_id)

    def upsert(self, obj: ObjectDef, field: FieldDef, value: Any, body: Mapping[str, Any]) -> tuple[str, bool]:
        """(record id, created). Several matches: MULTIPLE_CHOICES, as Salesforce answers 300."""
        key = to_storage(field, value)
        matches = storage.find_by_field(self.connection, obj, field, key)
        if len(matches) > 1:
            raise RecordError("MULTIPLE_CHOICES", f"Multiple records found with {field.name} = {value}", [], 300)
        fields = {k: v for k, v in body.items() if k != "attributes"}
        stated = next((k for k in fields if k.lower() == field.name.lower()), None)
        if stated is not None and str(fields[stated]) != str(value):
            raise RecordError("INVALID_FIELD", f"Field {field.name} is set in the URL and in the body with different values", [field.name])
        if matches:
            self.update(obj, matches[0], {k: v for k, v in fields.items() if k != stated}, skip_unique=field.name)
            return matches[0], False
        return self.create(obj, {**fields, field.name: value}), True

    def delete(self, obj: ObjectDef, record_id: str) -> None:
        if not obj.deletable:
            raise RecordError("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id", [])
        stamp: dict[str, Any] = {}
        self._stamp(obj, stamp, creating=False)  # a deletion is a change: SystemModstamp moves
        if not storage.update(self.connection, obj, record_id, stamp):
            raise _missing_record(self.connection, obj, record_id)
        storage.mark_deleted(self.connection, obj, [record_id])

    # -- files -------------------------------------------------------------------------------
    def _new_content_version(self, obj: ObjectDef, values: dict[str, Any]) -> None:
        data = values.get("VersionData")
        if data is None:
            raise required_missing(["VersionData"])
        content = base64.b64decode(data)
        path = PurePosixPath(values.get("PathOnClient") or "")
        extension = path.suffix.lstrip(".").lower()
        values.update(
            Checksum=hashlib.md5(content).hexdigest(), ContentSize=len(content), FileExtension=extension or None,
            FileType=(extension or "UNKNOWN").upper(), IsLatest=1, VersionNumber="1",
            Title=values.get("Title") or path.stem or "file",
        )
        document = self.registry.object("ContentDocument")
        assert document is not None
        document_id = self.new_ids(document.key_prefix, 1)[0]
        row = {"Id": document_id, "Title": values["Title"], "LatestPublishedVersionId": values["Id"],
               "ContentSize": len(content), "FileType": values["FileType"], "FileExtension": values["FileExtension"],
               "OwnerId": self.user_id}
        self._stamp(document, row, creating=True)
        storage.insert(self.connection, document, {k: v for k, v in row.items() if k in document.fields or k == "Id"})
        values["ContentDocumentId"] = document_id

    def _link_document(self, document_id: str, linked_entity_id: str) -> None:
        link = self.registry.object("ContentDocumentLink")
        assert link is not None
        row = {"Id": self.new_ids(link.key_prefix, 1)[0], "ContentDocumentId": document_id,
               "LinkedEntityId": linked_entity_id, "ShareType": "V", "Visibility": "AllUsers"}
        self._stamp(link, row, creating=True)
        storage.insert(self.connection, link, {k: v for k, v in row.items() if k in link.fields or k == "Id"})


def _missing_record(connection: sqlite3.Connection, obj: ObjectDef, record_id: str) -> RecordError:
    if storage.select_by_id(connection, obj, [record_id], [], include_deleted=True):
        return RecordError("ENTITY_IS_DELETED", "entity is deleted", [], 404)
    return RecordError("NOT_FOUND", "The requested resource does not exist", [], 404)
