"""The parts of an aggregate query (`SELECT Name n, COUNT(Id) FROM Account GROUP BY Name HAVING ...`)
that differ from a record query: its select list, GROUP BY, HAVING and ORDER BY, and the layout of
the AggregateResult rows it answers.

Salesforce checks what each of those clauses may name, so this module does too: a plain field must
be grouped, a grouped field may not also be aggregated, each function takes only some field types,
and every result needs a distinct name: its alias, a plain field's own name, or for an aggregate
without alias expr0, expr1, ... numbered over those aggregates alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from . import aggregation, field_types
from .errors import malformed
from .field_paths import FieldPath, FieldResolver, ResolvedField, order_by_sql
from .filters import FilterTranslator
from .nodes import Aggregate, FieldRef, Operand, Query, SelectItem
from .records import AggregateLayout, ValueSlot
from .schema import FieldInfo


@dataclass(frozen=True)
class AggregateSelect:
    """`columns` is the SELECT list; `clauses` follow WHERE in order, with HAVING's `params`."""

    columns: list[str]
    clauses: list[str]
    params: list[Any]
    layout: AggregateLayout


def compile_aggregate(query: str, tree: Query, fields: FieldResolver, now: datetime) -> AggregateSelect:
    """Resolves through `fields`, so the caller builds FROM (and its joins) afterwards."""
    grouped = _grouped_fields(query, tree.group_by, fields)
    if tree.subqueries:
        relationship = tree.subqueries[0].relationship
        raise malformed(query, relationship.pos, f"Field must be grouped or aggregated: {relationship.name}")
    selectable = _GroupedColumns(query, fields, grouped, "Field must be grouped or aggregated")
    selected = [selectable.resolve(item.expression) for item in tree.fields]
    names = _result_names(query, tree.fields, selected)
    having = FilterTranslator(query, selectable, now)
    having_sql = [f"HAVING {having.translate(tree.having)}"] if tree.having is not None else []
    ordering = _GroupedColumns(query, fields, grouped, "Ordered field must be grouped or aggregated")
    order_by = order_by_sql(query, ordering, tree.order_by)
    clauses = (
        ([f"GROUP BY {', '.join(field.comparable_sql for field in grouped.values())}"] if grouped else [])
        + having_sql
        + ([f"ORDER BY {', '.join(order_by)}"] if order_by else [])
    )
    slots = tuple(
        ValueSlot((), name, index, field_types.decoder_for(field.path.field.type))
        for index, (name, field) in enumerate(zip(names, selected))
    )
    columns = [field.column_sql for field in selected]
    return AggregateSelect(columns, clauses, list(having.params), AggregateLayout(slots))


def _grouped_fields(
    query: str, group_by: tuple[FieldRef, ...], fields: FieldResolver
) -> dict[FieldPath, ResolvedField]:
    grouped: dict[FieldPath, ResolvedField] = {}
    for ref in group_by:
        field = fields.resolve(ref)
        if not aggregation.groupable(field.path.field):
            raise malformed(query, ref.pos, f"field '{field.path.field.name}' can not be grouped in a query call")
        grouped[field.path] = field
    return grouped


def _result_names(query: str, items: tuple[SelectItem, ...], selected: list[ResolvedField]) -> list[str]:
    """Each item's key in the AggregateResult; `Account.Name` flattens to `Name`, so names can clash."""
    names: list[str] = []
    unaliased_aggregates = 0
    for item, field in zip(items, selected):
        if item.alias is not None:
            name, pos = item.alias.name, item.alias.pos
        elif isinstance(item.expression, Aggregate):
            name, pos = f"expr{unaliased_aggregates}", item.expression.pos
            unaliased_aggregates += 1
        else:
            name, pos = field.path.field.name, item.expression.pos
        if name.lower() in (taken.lower() for taken in names):
            raise malformed(query, pos, f"duplicate alias: {name}")
        names.append(name)
    return names


class _GroupedColumns:
    """What one clause of an aggregate query may name: aggregates, and the fields it groups by.

    `ungrouped` begins the error for any other field, worded per clause as Salesforce words it."""

    def __init__(
        self, query: str, fields: FieldResolver, grouped: Mapping[FieldPath, ResolvedField], ungrouped: str
    ) -> None:
        self._query = query
        self._fields = fields
        self._grouped = grouped
        self._ungrouped = ungrouped

    def resolve(self, ref: Operand) -> ResolvedField:
        if isinstance(ref, Aggregate):
            return self._aggregate(ref)
        field = self._fields.resolve(ref)
        if field.path not in self._grouped:
            raise malformed(self._query, ref.pos, f"{self._ungrouped}: {'.'.join(ref.path)}")
        return field

    def _aggregate(self, aggregate: Aggregate) -> ResolvedField:
        """The aggregate as a column whose type is its result's, so filters and sorting treat it right."""
        field = self._fields.resolve(aggregate.field)
        function, name, field_type = aggregate.function, field.path.field.name, field.path.field.type
        if field.path in self._grouped:
            raise malformed(self._query, aggregate.field.pos, f"Grouped field should not be aggregated: {name}")
        if not aggregation.accepts(function, field.path.field):
            detail = f"field {name} does not support aggregate operator {function}"
            raise malformed(self._query, aggregate.field.pos, detail)
        result = FieldInfo(f"{function}({field.path.api_name})", aggregation.result_type(function, field_type))
        return ResolvedField(FieldPath((), result), aggregation.aggregate_sql(function, field))
