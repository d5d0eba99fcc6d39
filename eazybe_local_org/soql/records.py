"""Shapes SQLite result rows into Salesforce's query-result record JSON.

The per-column work (which JSON key, which decoder, which parent object) is decided
once at compile time in a RecordLayout or an AggregateLayout, so shaping a row is only
dictionary building.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from .field_types import Decoder

if TYPE_CHECKING:
    from .compiler import CompiledQuery


@dataclass(frozen=True)
class ValueSlot:
    """Where a selected field's value sits in the row and where it goes in the record."""

    relationships: tuple[str, ...]
    key: str
    index: int
    decode: Decoder


@dataclass(frozen=True)
class ParentSlot:
    """A parent record reached through a relationship; a NULL Id means no parent."""

    object_name: str
    id_index: int


@dataclass(frozen=True)
class ChildSlot:
    """A subquery's child records, as one JSON array of rows (each laid out by `layout`) in the row."""

    key: str
    index: int
    layout: RecordLayout


@dataclass(frozen=True)
class RecordLayout:
    object_name: str
    id_index: int
    parents: Mapping[tuple[str, ...], ParentSlot]
    values: tuple[ValueSlot, ...]
    children: tuple[ChildSlot, ...] = ()


@dataclass(frozen=True)
class AggregateLayout:
    """An aggregate query's row: each select item's value under its alias (`relationships` stay empty,
    as AggregateResult flattens `Account.Name` to `Name`)."""

    values: tuple[ValueSlot, ...]


def shape_record(compiled: CompiledQuery, row: Sequence[Any], *, api_version: str) -> dict:
    """One record as /query returns it: attributes first, then the selected fields in order."""
    if compiled.is_count:
        raise ValueError("SELECT COUNT() queries return a count, not records")
    if isinstance(compiled.layout, AggregateLayout):
        return _shape_aggregate(compiled.layout, row)
    return _shape(compiled.layout, row, f"/services/data/v{api_version.lstrip('v')}/sobjects")


def _shape_aggregate(layout: AggregateLayout, row: Sequence[Any]) -> dict:
    """AggregateResult is no stored sObject, so its attributes carry a type and no url."""
    record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
    record.update((slot.key, slot.decode(row[slot.index])) for slot in layout.values)
    return record


def _shape(layout: RecordLayout, row: Sequence[Any], base_url: str) -> dict:
    record = _with_attributes(base_url, layout.object_name, row[layout.id_index])
    containers: dict[tuple[str, ...], dict | None] = {(): record}
    for slot in layout.values:
        container = _container(containers, slot.relationships, layout, row, base_url)
        if container is not None:
            container[slot.key] = slot.decode(row[slot.index])
    for child in layout.children:
        rows = json.loads(row[child.index])
        # Salesforce answers null, not an empty result, for a record without children.
        record[child.key] = {
            "totalSize": len(rows), "done": True, "records": [_shape(child.layout, r, base_url) for r in rows]
        } if rows else None
    return record


def _container(
    containers: dict[tuple[str, ...], dict | None],
    relationships: tuple[str, ...],
    layout: RecordLayout,
    row: Sequence[Any],
    base_url: str,
) -> dict | None:
    """The nested parent dict for `relationships`, created on first use; None below a null parent."""
    if relationships in containers:
        return containers[relationships]
    outer = _container(containers, relationships[:-1], layout, row, base_url)
    if outer is None:
        containers[relationships] = None
        return None
    parent = layout.parents[relationships]
    parent_id = row[parent.id_index]
    inner = None if parent_id is None else _with_attributes(base_url, parent.object_name, parent_id)
    outer[relationships[-1]] = inner
    containers[relationships] = inner
    return inner


def _with_attributes(base_url: str, object_name: str, record_id: Any) -> dict:
    return {"attributes": {"type": object_name, "url": f"{base_url}/{object_name}/{record_id}"}}
