"""Compiles SOQL into one SQLite statement over the local org's one-table-per-sObject storage."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from . import field_types
from .aggregate_query import compile_aggregate
from .errors import unknown_child_relationship, unknown_object
from .field_paths import ROOT_ALIAS, FieldPath, FieldResolver, ResolvedField, order_by_sql, quote_identifier
from .filters import FilterTranslator
from .nodes import Query, SubQuery
from .parser import parse
from .records import AggregateLayout, ChildSlot, ParentSlot, RecordLayout, ValueSlot
from .schema import ObjectInfo, SchemaLookup


@dataclass(frozen=True)
class CompiledQuery:
    """Run `sql` with `params`; for COUNT() the single row holds the count.

    `columns` are the selected fields in order (none for aggregate queries); the row also carries
    the Ids the record layout needs to build attribute URLs and detect null parents.
    """

    sql: str
    params: list[Any]
    object_name: str
    is_count: bool
    columns: list[FieldPath]
    layout: RecordLayout | AggregateLayout = field(repr=False)

    @property
    def is_aggregate(self) -> bool:
        """Its rows are AggregateResults, which Salesforce answers in one batch, without a locator."""
        return isinstance(self.layout, AggregateLayout)


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
    limit, limit_params = _limit_clause(tree)
    if tree.is_aggregate:
        aggregate = compile_aggregate(query, tree, resolver, now)
        where, where_params = _where_clause(query, tree, resolver, now, include_deleted)
        select = f"SELECT {', '.join(aggregate.columns)}"
        sql = " ".join([select, resolver.from_clause(), *where, *aggregate.clauses, *limit])
        params = where_params + aggregate.params + limit_params
        return CompiledQuery(sql, params, root.name, is_count=False, columns=[], layout=aggregate.layout)

    selected = [resolver.resolve(item.expression) for item in tree.fields]
    where, where_params = _where_clause(query, tree, resolver, now, include_deleted)
    order_by = order_by_sql(query, resolver, tree.order_by)
    body = " ".join(
        [resolver.from_clause()] + where + ([f"ORDER BY {', '.join(order_by)}"] if order_by else []) + limit
    )
    children = [
        _child_column(query, root, subquery, schema, now, f"s{index}_") for index, subquery in enumerate(tree.subqueries)
    ]
    params = [param for _, child_params, _ in children for param in child_params] + where_params + limit_params

    layout = _layout(root.name, selected, resolver)
    first_child = len(selected) + 1 + len(resolver.joins)
    layout = replace(layout, children=tuple(
        replace(slot, index=first_child + position) for position, (_, _, slot) in enumerate(children)
    ))  # fmt: skip
    if tree.is_count:
        sql = f"SELECT COUNT(*) FROM (SELECT 1 {body})"
    else:
        id_columns = [f'{ROOT_ALIAS}."Id"'] + [f'{join.alias}."Id"' for join in resolver.joins]
        columns = [field.column_sql for field in selected] + id_columns + [column for column, _, _ in children]
        sql = f"SELECT {', '.join(columns)} {body}"
    return CompiledQuery(
        sql=sql,
        params=params,
        object_name=root.name,
        is_count=tree.is_count,
        columns=[field.path for field in selected],
        layout=layout,
    )


def _where_clause(
    query: str, tree: Query, resolver: FieldResolver, now: datetime, include_deleted: bool
) -> tuple[list[str], list[Any]]:
    """WHERE as SQL and its parameters: the query's condition, and unless queryAll, live records only."""
    filters = FilterTranslator(query, resolver, now)
    conditions = [] if include_deleted else [f'{ROOT_ALIAS}."IsDeleted" = 0']
    if tree.where is not None:
        conditions.append(filters.translate(tree.where))
    return ([f"WHERE {' AND '.join(conditions)}"] if conditions else []), list(filters.params)


def _limit_clause(tree: Query) -> tuple[list[str], list[Any]]:
    """LIMIT and OFFSET as SQL placeholders and their parameters; nothing when the query has neither."""
    if tree.limit is None and tree.offset is None:
        return [], []
    return ["LIMIT ? OFFSET ?"], [-1 if tree.limit is None else tree.limit, tree.offset or 0]


def _child_column(
    query: str, parent: ObjectInfo, subquery: SubQuery, schema: SchemaLookup, now: datetime, alias_prefix: str
) -> tuple[str, list[Any], ChildSlot]:
    """A correlated subquery yielding each parent row's children as one JSON array of rows; the
    slot's index is set by the caller, which knows where the column lands."""
    relationship = parent.child(subquery.relationship.name)
    child = schema.object(relationship.object) if relationship else None
    if relationship is None or child is None:
        raise unknown_child_relationship(query, subquery.relationship.pos, subquery.relationship.name)
    resolver = FieldResolver(query, child, schema, alias_prefix)
    selected = [resolver.resolve(ref) for ref in subquery.fields]
    filters = FilterTranslator(query, resolver, now)
    root = resolver.root_alias
    conditions = [f'{root}.{quote_identifier(relationship.field)} = {ROOT_ALIAS}."Id"', f'{root}."IsDeleted" = 0']
    if subquery.where is not None:
        conditions.append(filters.translate(subquery.where))
    order_by = order_by_sql(query, resolver, subquery.order_by)
    sources = [field.column_sql for field in selected] + [f'{root}."Id"'] + [f'{join.alias}."Id"' for join in resolver.joins]
    inner = " ".join(
        [f"SELECT {', '.join(f'{source} AS c{index}' for index, source in enumerate(sources))}"]
        + [resolver.from_clause()]
        + [f"WHERE {' AND '.join(conditions)}"]
        + ([f"ORDER BY {', '.join(order_by)}"] if order_by else [])
        + (["LIMIT ?"] if subquery.limit is not None else [])
    )
    params = list(filters.params) + ([subquery.limit] if subquery.limit is not None else [])
    row = ", ".join(f"c{index}" for index in range(len(sources)))
    column = f"(SELECT json_group_array(json_array({row})) FROM ({inner}))"
    return column, params, ChildSlot(relationship.name, -1, _layout(child.name, selected, resolver))


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
