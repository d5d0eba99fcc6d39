"""The org's live schema: standard objects plus the custom objects and fields deployed to it.

Deployed definitions are kept as JSON in the `_schema` table of the org's own database, so a
restarted org has the same schema and the tables to match. Standard objects always come from code,
so only their custom fields are stored. The deployed components themselves (layouts, permission
sets...) are kept beside it by the org's metadata store (`metadata_api.store`).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, fields as dataclass_fields, replace
from typing import Any

from eazybe_local_org import storage
from eazybe_local_org.schema.model import ChildRelationship, FieldDef, ObjectDef
from eazybe_local_org.schema.standard import ANY_RECORD_REFERENCES, allocate_key_prefix, setup_objects, standard_objects
from eazybe_local_org.soql.schema import ObjectInfo

_OBJECT_ROW = ""  # the `field` column of a row holding a whole custom object
_TUPLE_ATTRIBUTES = frozenset(f.name for f in dataclass_fields(FieldDef) if f.type.startswith("tuple"))


class SchemaRegistry:
    """Every object of one org, looked up case-insensitively, as SOQL and describe see them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self._standard = {**standard_objects(), **setup_objects()}
        self._defined: dict[str, ObjectDef] = dict(self._standard)
        self._soql_cache: dict[str, ObjectInfo | None] = {}
        with conn:
            conn.execute(
                'CREATE TABLE IF NOT EXISTS "_schema" ("object" TEXT NOT NULL, "field" TEXT NOT NULL, '
                '"definition" TEXT NOT NULL, PRIMARY KEY ("object", "field"))'
            )
            self._load()
            self._rebuild()
            for obj in self._effective.values():
                storage.sync_table(conn, obj)

    def object(self, name: str) -> ObjectDef | None:
        """Case-insensitive, as Salesforce matches sObject names."""
        return self._effective.get(name.lower())

    def objects(self) -> list[ObjectDef]:
        return list(self._effective.values())

    def next_key_prefix(self, reserved: frozenset[str]) -> str:
        """A key prefix no object uses and not in `reserved`; pure, so a deploy plan can take
        several before any object is stored (the deploy planner's OrgSchema)."""
        return allocate_key_prefix({obj.key_prefix for obj in self._defined.values()} | reserved)

    def allocate_key_prefix(self) -> str:
        """A key prefix no object uses yet, for a new custom object."""
        return self.next_key_prefix(frozenset())

    def upsert_object(self, obj: ObjectDef) -> ObjectDef:
        """Adds or replaces an object and brings its table in line; returns the stored definition.

        A redeployed custom object keeps its key prefix so existing ids stay valid. For a standard
        object only the custom fields of `obj` are taken.
        """
        current = self.object(obj.name)
        if current is not None and current.name in self._standard:
            for field in obj.fields.values():
                if field.custom:
                    self.upsert_field(current.name, field)
            return self._defined[current.name]
        if current is not None:
            obj = replace(obj, name=current.name, key_prefix=current.key_prefix)
        self._save(obj, _OBJECT_ROW, _object_json(obj))
        return obj

    def upsert_field(self, object_name: str, field: FieldDef) -> ObjectDef:
        """Adds or replaces one field (a column is added for a new one); returns the updated object."""
        current = self.object(object_name)
        if current is None:
            raise KeyError(f"no such object: {object_name}")
        existing = current.field(field.name)
        field = replace(field, name=existing.name) if existing else field
        updated = self._defined[current.name].with_field(field)
        if updated.name in self._standard:
            self._save(updated, field.name, _field_json(field))
        else:
            self._save(updated, _OBJECT_ROW, _object_json(updated))
        return updated

    def child_relationships(self, parent: str) -> list[ChildRelationship]:
        """Every reference field, on any object, that can point at `parent`: describe's childRelationships."""
        target = self.object(parent)
        if target is None:
            return []
        return [
            ChildRelationship(
                obj.name,
                f.name,
                f.child_relationship_name,
                cascade_delete=f.delete_constraint == "Cascade",
                restricted_delete=f.delete_constraint == "Restrict",
            )
            for obj in self._effective.values()
            for f in obj.fields.values()
            if target.name in f.reference_to
        ]

    def soql_lookup(self) -> "_SoqlLookup":
        """This registry as the SOQL compiler's SchemaLookup."""
        return _SoqlLookup(self)

    def soql_object(self, name: str) -> ObjectInfo | None:
        """Cached, because the compiler asks on every query and ObjectInfo caches its own lookups."""
        key = name.lower()
        if key not in self._soql_cache:
            obj = self.object(name)
            self._soql_cache[key] = obj.soql_info(self.child_relationships(obj.name)) if obj else None
        return self._soql_cache[key]

    def _save(self, obj: ObjectDef, field: str, definition: dict[str, Any]) -> None:
        with self._conn:
            self._conn.execute(
                'INSERT OR REPLACE INTO "_schema" ("object", "field", "definition") VALUES (?, ?, ?)',
                (obj.name, field, json.dumps(definition)),
            )
            self._defined[obj.name] = obj
            self._rebuild()
            storage.sync_table(self._conn, self._effective[obj.name.lower()])

    def _load(self) -> None:
        rows = self._conn.execute('SELECT "object", "field", "definition" FROM "_schema" ORDER BY "field" != \'\'')
        for object_name, field_name, definition in rows:
            data = json.loads(definition)
            if field_name == _OBJECT_ROW:
                self._defined[object_name] = _object_from_json(data)
            elif object_name in self._defined:
                self._defined[object_name] = self._defined[object_name].with_field(_field_from_json(data))

    def _rebuild(self) -> None:
        """Recomputes what lookups see: polymorphic 'any record' references also reach custom objects."""
        custom = tuple(obj.name for obj in self._defined.values() if obj.custom)
        effective = {}
        for obj in self._defined.values():
            for object_name, field_name in ANY_RECORD_REFERENCES:
                if obj.name == object_name:
                    field = obj.fields[field_name]
                    obj = obj.with_field(replace(field, reference_to=field.reference_to + custom))
            effective[obj.name.lower()] = obj
        self._effective = effective
        self._soql_cache.clear()


class _SoqlLookup:
    """Implements soql.SchemaLookup over a registry."""

    def __init__(self, registry: SchemaRegistry) -> None:
        self._registry = registry

    def object(self, name: str) -> ObjectInfo | None:
        return self._registry.soql_object(name)


def _field_json(field: FieldDef) -> dict[str, Any]:
    return asdict(field)


def _field_from_json(data: dict[str, Any]) -> FieldDef:
    return FieldDef(**{key: tuple(value) if key in _TUPLE_ATTRIBUTES else value for key, value in data.items()})


def _object_json(obj: ObjectDef) -> dict[str, Any]:
    return {**asdict(obj), "fields": [_field_json(f) for f in obj.fields.values()]}


def _object_from_json(data: dict[str, Any]) -> ObjectDef:
    fields = [_field_from_json(f) for f in data["fields"]]
    return ObjectDef(**{**data, "fields": {f.name: f for f in fields}})
