"""Compiles SOQL into one SQLite statement over the local org's one-table-per-sObject storage."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import field_types
from .errors import unknown_object
from .field_paths import ROOT_ALIAS, FieldPath, FieldResolver, ResolvedField, quote_identifier
from .filters import FilterTranslator
from .nodes import OrderItem
from .parser import parse
from .records import ParentSlot, RecordLayout, ValueSlot
from .schema import SchemaLookup


@dataclass(frozen=True)
class CompiledQuery:
    """Run `sql` with `params`; for COUNT() the single row holds the count.

    `columns` are the selected fields in order; the row also carries the Ids the
    record layout needs to build attribute URLs and detect null parents.
    """

    sql: str
    params: list[Any]
    object_name: str
    is_count: bool
    columns: list[FieldPath]
    layout: RecordLayout = field(repr=False)


def compile_query(
    query: str, schema: SchemaLookup, *, now: datetime, include_deleted: bool = False
) -> CompiledQuery:
    """Parses, validates against `schema` and translates; raises SoqlError like Salesforce would.

    `now` anchors TODAY, LAST_N_DAYS:n and the like; `include_deleted` is queryAll.
    """
    tree = parse(query)
    root = schema.object(tree.object.name)
    if root is None:
        raise unknown_object(query, tree.object.pos, tree.object.name)
    resolver = FieldResolver(query, root, schema)
    selected = [resolver.resolve(ref) for ref in tree.fields]
    filters = FilterTranslator(query, resolver, now)
    conditions = [] if include_deleted else [f'{ROOT_ALIAS}."IsDeleted" = 0']
    if tree.where is not None:
        conditions.append(filters.translate(tree.where))
    order_by = [_order_term(resolver.resolve(item.field), item) for item in tree.order_by]

    body = " ".join(
        [f"FROM {quote_identifier(root.name)} AS {ROOT_ALIAS}"]
        + [join.sql for join in resolver.joins]
        + ([f"WHERE {' AND '.join(conditions)}"] if conditions else [])
        + ([f"ORDER BY {', '.join(order_by)}"] if order_by else [])
    )
    params = list(filters.params)
    if tree.limit is not None or tree.offset is not None:
        body += " LIMIT ? OFFSET ?"
        params += [-1 if tree.limit is None else tree.limit, tree.offset or 0]

    layout = _layout(root.name, selected, resolver)
    if tree.is_count:
        sql = f"SELECT COUNT(*) FROM (SELECT 1 {body})"
    else:
        id_columns = [f'{ROOT_ALIAS}."Id"'] + [f'{join.alias}."Id"' for join in resolver.joins]
        sql = f"SELECT {', '.join([field.column_sql for field in selected] + id_columns)} {body}"
    return CompiledQuery(
        sql=sql,
        params=params,
        object_name=root.name,
        is_count=tree.is_count,
        columns=[field.path for field in selected],
        layout=layout,
    )


def _order_term(field: ResolvedField, item: OrderItem) -> str:
    """Salesforce sorts text case-insensitively and lets the query place nulls."""
    collation = " COLLATE NOCASE" if field_types.is_text(field.path.field.type) else ""
    direction = "DESC" if item.descending else "ASC"
    nulls = "FIRST" if item.nulls_first else "LAST"
    return f"{field.column_sql}{collation} {direction} NULLS {nulls}"


def _layout(object_name: str, selected: list[ResolvedField], resolver: FieldResolver) -> RecordLayout:
    """Row indexes follow the SELECT list: selected fields, then the root Id, then parent Ids."""
    id_index = len(selected)
    parents = {
        join.relationships: ParentSlot(join.object_name, id_index + 1 + position)
        for position, join in enumerate(resolver.joins)
    }
    values = tuple(
        ValueSlot(
            field.path.relationships,
            field.path.field.name,
            index,
            field_types.decoder_for(field.path.field.type),
        )
        for index, field in enumerate(selected)
    )
    return RecordLayout(object_name, id_index, parents, values)
