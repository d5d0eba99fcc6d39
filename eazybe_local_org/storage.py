"""The SQLite tables behind sObjects, and thin record I/O on them.

One table per sObject named exactly as its API name, one column per field, primary key "Id" and an
"IsDeleted" column on every table: the layout the SOQL compiler reads. Values arrive and leave in
storage form (see soql.field_types); validation and conversion belong to the caller.
"""
from __future__ import annotations

import sqlite3
from typing import Any, Iterable, Mapping, Sequence

from eazybe_local_org.schema.model import FieldDef, ObjectDef
from eazybe_local_org.soql.field_paths import quote_identifier as q
from eazybe_local_org.soql.field_types import DECIMAL_TYPES, INTEGER_TYPES

_MAX_PARAMS = 500  # ids per IN (...) list; well under SQLite's variable limit
_COMPOUND_TYPES = frozenset({"address"})  # read from their components, never stored


def column_type(field: FieldDef) -> str:
    if field.type == "boolean" or field.type in INTEGER_TYPES:
        return "INTEGER"
    if field.type in DECIMAL_TYPES:
        return "REAL"
    return "TEXT"


def stored_fields(obj: ObjectDef) -> list[FieldDef]:
    """The fields with a column of their own."""
    return [f for f in obj.fields.values() if f.type not in _COMPOUND_TYPES]


def sync_table(conn: sqlite3.Connection, obj: ObjectDef) -> None:
    """Creates the table, adds columns for new fields and the indexes; safe to repeat."""
    existing = {row[1] for row in conn.execute(f"PRAGMA table_info({q(obj.name)})")}
    if not existing:
        conn.execute(f'CREATE TABLE {q(obj.name)} ("Id" TEXT PRIMARY KEY NOT NULL, "IsDeleted" INTEGER NOT NULL DEFAULT 0)')
        existing = {"Id", "IsDeleted"}
    for field in stored_fields(obj):
        if field.name not in existing:
            conn.execute(f"ALTER TABLE {q(obj.name)} ADD COLUMN {q(field.name)} {column_type(field)}")
    for field in stored_fields(obj):
        _index(conn, obj, field)


def _index(conn: sqlite3.Connection, obj: ObjectDef, field: FieldDef) -> None:
    """Unique fields get a unique index over live records; external ids and lookups a plain one.

    Text compares case-insensitively unless the field is case-sensitive, as Salesforce matches
    unique and external-id values. A non-unique external id may repeat: upsert then answers 300.
    """
    collate = _collation(field)
    if field.unique:
        conn.execute(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {q(f'{obj.name}.{field.name}.unique')} "
            f'ON {q(obj.name)} ({q(field.name)}{collate}) WHERE "IsDeleted" = 0'
        )
    elif field.external_id or field.type == "reference":
        conn.execute(
            f"CREATE INDEX IF NOT EXISTS {q(f'{obj.name}.{field.name}')} ON {q(obj.name)} ({q(field.name)}{collate})"
        )


def _collation(field: FieldDef) -> str:
    return "" if field.case_sensitive or column_type(field) != "TEXT" else " COLLATE NOCASE"


def insert(conn: sqlite3.Connection, obj: ObjectDef, values: Mapping[str, Any]) -> None:
    """One record; `values` must include "Id". Raises sqlite3.IntegrityError on a unique clash."""
    insert_many(conn, obj, [values])


def insert_many(conn: sqlite3.Connection, obj: ObjectDef, rows: Sequence[Mapping[str, Any]]) -> None:
    """Records sharing a column set go through one executemany, the fast path for collections and bulk."""
    by_columns: dict[tuple[str, ...], list[tuple[Any, ...]]] = {}
    for row in rows:
        by_columns.setdefault(tuple(row), []).append(tuple(row.values()))
    for columns, params in by_columns.items():
        placeholders = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {q(obj.name)} ({', '.join(map(q, columns))}) VALUES ({placeholders})"
        conn.executemany(sql, params)


def update(conn: sqlite3.Connection, obj: ObjectDef, record_id: str, values: Mapping[str, Any]) -> bool:
    """Sets `values` on a live record; False when there is no such record."""
    if not values:
        return _exists(conn, obj, record_id)
    assignments = ", ".join(f"{q(column)} = ?" for column in values)
    cursor = conn.execute(
        f'UPDATE {q(obj.name)} SET {assignments} WHERE "Id" = ? AND "IsDeleted" = 0', [*values.values(), record_id]
    )
    return cursor.rowcount > 0


def _exists(conn: sqlite3.Connection, obj: ObjectDef, record_id: str) -> bool:
    sql = f'SELECT 1 FROM {q(obj.name)} WHERE "Id" = ? AND "IsDeleted" = 0'
    return conn.execute(sql, [record_id]).fetchone() is not None


def select_by_id(
    conn: sqlite3.Connection,
    obj: ObjectDef,
    ids: Iterable[str],
    fields: Sequence[str] | None = None,
    *,
    include_deleted: bool = False,
) -> dict[str, dict[str, Any]]:
    """Records by Id in storage form, keyed by Id; `fields` defaults to every stored field."""
    columns = list(fields) if fields is not None else [f.name for f in stored_fields(obj)]
    selected = ", ".join(map(q, ["Id", *columns]))
    live = "" if include_deleted else ' AND "IsDeleted" = 0'
    wanted = list(dict.fromkeys(ids))
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(wanted), _MAX_PARAMS):
        chunk = wanted[start : start + _MAX_PARAMS]
        sql = f'SELECT {selected} FROM {q(obj.name)} WHERE "Id" IN ({", ".join("?" * len(chunk))}){live}'
        for row in conn.execute(sql, chunk):
            found[row[0]] = dict(zip(columns, row[1:]))
    return found


def find_by_field(conn: sqlite3.Connection, obj: ObjectDef, field: FieldDef, value: Any) -> list[str]:
    """Ids of live records whose `field` equals `value`: upsert by external id reads this."""
    sql = f'SELECT "Id" FROM {q(obj.name)} WHERE {q(field.name)}{_collation(field)} = ? AND "IsDeleted" = 0'
    return [row[0] for row in conn.execute(sql, [value])]


def mark_deleted(conn: sqlite3.Connection, obj: ObjectDef, ids: Iterable[str]) -> int:
    """Moves records to the recycle bin (IsDeleted = 1); returns how many were live."""
    sql = f'UPDATE {q(obj.name)} SET "IsDeleted" = 1 WHERE "Id" = ? AND "IsDeleted" = 0'
    before = conn.total_changes
    conn.executemany(sql, [(record_id,) for record_id in ids])
    return conn.total_changes - before
