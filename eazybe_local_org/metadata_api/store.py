"""The metadata deployed to the org, one Metadata API XML document per component, in the org's own
database (`_metadata`): a retrieve answers with what was deployed, as Salesforce does, and a
restarted org still has it. A new org starts with Salesforce's default Contact and Lead layouts."""
from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import datetime, timezone

from eazybe_local_org.metadata_api.default_layouts import default_layouts
from eazybe_local_org.metadata_api.model import StoredComponent
from eazybe_local_org.metadata_api.permission_set_records import mirror_permission_set
from eazybe_local_org.schema.model import ObjectDef


class MetadataStore:
    """Works inside the caller's transaction: saving is part of applying a deploy plan."""

    def __init__(self, conn: sqlite3.Connection, objects: Callable[[str], ObjectDef | None]) -> None:
        self._conn = conn
        self._objects = objects
        with conn:
            conn.execute(
                'CREATE TABLE IF NOT EXISTS "_metadata" ("type" TEXT NOT NULL, "full_name" TEXT NOT NULL COLLATE NOCASE, '
                '"xml" BLOB NOT NULL, "created_date" TEXT NOT NULL, "last_modified_date" TEXT NOT NULL, '
                'PRIMARY KEY ("type", "full_name"))'
            )
            now = _now()
            conn.executemany(
                'INSERT OR IGNORE INTO "_metadata" VALUES (\'Layout\', ?, ?, ?, ?)',
                [(name, xml, now, now) for name, xml in default_layouts().items()],
            )

    def save(self, type_name: str, full_name: str, xml: bytes) -> None:
        """Adds or replaces a component; a PermissionSet also gets its record."""
        now = _now()
        self._conn.execute(
            'INSERT INTO "_metadata" VALUES (?, ?, ?, ?, ?) ON CONFLICT ("type", "full_name") '
            'DO UPDATE SET "xml" = excluded."xml", "last_modified_date" = excluded."last_modified_date"',
            (type_name, full_name, xml, now, now),
        )
        permission_set = self._objects("PermissionSet")
        if type_name == "PermissionSet" and permission_set is not None:
            mirror_permission_set(self._conn, permission_set, full_name, xml, self.owner()[0])

    def get(self, type_name: str, full_name: str) -> StoredComponent | None:
        """Full names match case-insensitively, as Salesforce matches them."""
        row = self._conn.execute(
            'SELECT "type", "full_name", "xml", rowid, "created_date", "last_modified_date" FROM "_metadata" '
            'WHERE "type" = ? AND "full_name" = ?',
            (type_name, full_name),
        ).fetchone()
        if row is None:
            return None
        created, modified = (datetime.fromisoformat(value) for value in row[4:])
        return StoredComponent(row[0], row[1], bytes(row[2]), row[3], created, modified)

    def names(self, type_name: str) -> list[str]:
        rows = self._conn.execute('SELECT "full_name" FROM "_metadata" WHERE "type" = ? ORDER BY "full_name"', (type_name,))
        return [row[0] for row in rows]

    def owner(self) -> tuple[str, str]:
        """(Id, Name) of the org's first user, its admin, who makes every deploy of the local org."""
        row = self._conn.execute('SELECT "Id", "Name" FROM "User" ORDER BY "CreatedDate", "Id" LIMIT 1').fetchone()
        return (row[0], row[1]) if row else ("", "")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()
