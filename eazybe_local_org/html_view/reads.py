"""What the view reads from the org, all under the org's lock and never writing: records through
SOQL or storage, so a page sees the same records and values the API returns, and the page layouts
the org keeps with its deployed metadata."""
from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from eazybe_local_org import storage
from eazybe_local_org.ids import key_prefix, normalize
from eazybe_local_org.metadata_api.layouts import Section, object_layout
from eazybe_local_org.org import LocalOrg
from eazybe_local_org.schema.model import ChildRelationship, FieldDef, ObjectDef
from eazybe_local_org.soql import CompiledQuery, compile_query, shape_record

_UNSELECTABLE_TYPES = frozenset({"base64", "address"})  # a URL and a compound: neither reads as a value
_ORDERING_FIELDS = ("LastModifiedDate", "SystemModstamp", "Id")


@dataclass(frozen=True)
class StoredFile:
    """The latest version of a file linked to a record: what a person sees and downloads."""

    version_id: str
    title: str
    extension: str
    size: int


def _run(org: LocalOrg, soql: str) -> tuple[CompiledQuery, list[tuple[Any, ...]]]:
    """Compiled and run under the lock, so a deploy cannot change the schema halfway through."""
    with org.lock:
        compiled = compile_query(soql, org.registry.soql_lookup(), now=datetime.now(timezone.utc))
        return compiled, org.connection.execute(compiled.sql, compiled.params).fetchall()


def query(org: LocalOrg, soql: str) -> list[dict[str, Any]]:
    """Records as the REST API's /query shapes them; ids in `soql` must come from `normalize`."""
    compiled, rows = _run(org, soql)
    return [shape_record(compiled, row, api_version=org.api_version) for row in rows]


def count(org: LocalOrg, obj: ObjectDef) -> int:
    _, rows = _run(org, f"SELECT COUNT() FROM {obj.name}")
    return int(rows[0][0])


def readable_fields(obj: ObjectDef) -> list[FieldDef]:
    return [f for f in obj.fields.values() if f.type not in _UNSELECTABLE_TYPES and f.name != "IsDeleted"]


def name_field(obj: ObjectDef) -> str | None:
    """The field that names a record (Name, Title, ...), as describe's nameField marks it."""
    return next((f.name for f in obj.fields.values() if f.name_field), None)


def newest_first(obj: ObjectDef) -> str:
    """The ORDER BY for most recently changed first, by whichever stamp the object has; ids break
    ties, since they grow with every record made."""
    stamp = next(name for name in _ORDERING_FIELDS if name in obj.fields)
    return f"{stamp} DESC" if stamp == "Id" else f"{stamp} DESC, Id DESC"


def object_for_id(org: LocalOrg, record_id: str) -> ObjectDef | None:
    """The object an id belongs to, by its key prefix, as Salesforce resolves /<id> URLs."""
    prefix = key_prefix(record_id)
    return next((obj for obj in org.registry.objects() if obj.key_prefix == prefix), None)


def record(org: LocalOrg, obj: ObjectDef, record_id: str) -> dict[str, Any] | None:
    canonical = normalize(record_id)
    if canonical is None:
        return None
    columns = ", ".join(f.name for f in readable_fields(obj))
    found = query(org, f"SELECT {columns} FROM {obj.name} WHERE Id = '{canonical}'")
    return found[0] if found else None


def page_layout(org: LocalOrg, obj: ObjectDef) -> tuple[Section, ...] | None:
    """The sections of the page layout deployed for the object, or None when it has none."""
    with org.lock:
        return object_layout(org.metadata, obj.name)


def recent(org: LocalOrg, obj: ObjectDef, fields: list[str], limit: int, offset: int) -> list[dict[str, Any]]:
    columns = ", ".join(dict.fromkeys(["Id", *fields]))
    return query(org, f"SELECT {columns} FROM {obj.name} ORDER BY {newest_first(obj)} LIMIT {limit} OFFSET {offset}")


def children(org: LocalOrg, relationship: ChildRelationship, parent_id: str, fields: list[str], limit: int) -> list[dict[str, Any]]:
    child = org.registry.object(relationship.child_object)
    assert child is not None
    columns = ", ".join(dict.fromkeys(["Id", *fields]))
    soql = (f"SELECT {columns} FROM {child.name} WHERE {relationship.field} = '{parent_id}' "
            f"ORDER BY {newest_first(child)} LIMIT {limit}")
    return query(org, soql)


def names(org: LocalOrg, ids: set[str]) -> dict[str, str]:
    """Each record's Name (or other name field) by id, for the text of lookup links."""
    by_object: dict[str, list[str]] = {}
    for record_id in ids:
        by_object.setdefault(key_prefix(record_id), []).append(record_id)
    found: dict[str, str] = {}
    for wanted in by_object.values():
        obj = object_for_id(org, wanted[0])
        shown = name_field(obj) if obj else None
        if obj is None or shown is None:
            continue
        with org.lock:
            rows = storage.select_by_id(org.connection, obj, wanted, [shown])
        found.update({record_id: str(row[shown]) for record_id, row in rows.items() if row[shown]})
    return found


def files(org: LocalOrg, record_id: str) -> list[StoredFile]:
    """Files linked to the record (ContentDocumentLink), each at its latest published version."""
    links = query(org, "SELECT ContentDocument.LatestPublishedVersionId FROM ContentDocumentLink "
                       f"WHERE LinkedEntityId = '{record_id}' ORDER BY SystemModstamp DESC, Id DESC")
    version_ids = [link["ContentDocument"]["LatestPublishedVersionId"] for link in links if link["ContentDocument"]]
    if not version_ids:
        return []
    listed = ", ".join(f"'{version_id}'" for version_id in version_ids)
    versions = query(org, f"SELECT Id, Title, FileExtension, ContentSize FROM ContentVersion WHERE Id IN ({listed})")
    by_id = {v["Id"]: StoredFile(v["Id"], v["Title"], (v["FileExtension"] or "").lower(), v["ContentSize"] or 0)
             for v in versions}
    return [by_id[version_id] for version_id in version_ids if version_id in by_id]


def file_bytes(org: LocalOrg, version_id: str) -> tuple[StoredFile, bytes] | None:
    canonical = normalize(version_id)
    version = org.registry.object("ContentVersion")
    if canonical is None or version is None:
        return None
    with org.lock:
        rows = storage.select_by_id(org.connection, version, [canonical], ["Title", "FileExtension", "ContentSize", "VersionData"])
    row = rows.get(canonical)
    if row is None or row["VersionData"] is None:
        return None
    stored = StoredFile(canonical, row["Title"], (row["FileExtension"] or "").lower(), row["ContentSize"] or 0)
    return stored, base64.b64decode(row["VersionData"])
