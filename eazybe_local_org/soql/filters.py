"""Translates a WHERE condition into SQLite SQL with Salesforce's comparison semantics.

Salesforce filters are two-valued: a null field simply fails `=`, `<`, `LIKE` and `IN`,
and satisfies `!=` and `NOT IN`. Each positive predicate is therefore wrapped in
COALESCE(..., 0) and each negative one is NOT of its positive twin, so SQL's NULL
never leaks into NOT, AND or OR. Text compares case-insensitively, as in Salesforce.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import field_types
from .date_literals import day_range
from .errors import SoqlError, malformed, not_filterable, unexpected_token, wrong_value_type
from .field_paths import Columns, ResolvedField
from .nodes import (
    BooleanGroup,
    BooleanLiteral,
    Comparison,
    Condition,
    DateLiteral,
    DateTimeLiteral,
    InList,
    Like,
    Literal,
    Not,
    NullLiteral,
    NumberLiteral,
    Operand,
    RelativeDateLiteral,
    StringLiteral,
)


@dataclass(frozen=True)
class _Point:
    """A single stored value to compare with."""

    value: Any


@dataclass(frozen=True)
class _Range:
    """A half-open [start, end) span of stored values: what a day literal means."""

    start: str
    end: str


_StoredValue = _Point | _Range


class FilterTranslator:
    """Collects SQL parameters in the order their placeholders appear."""

    def __init__(self, query: str, resolver: Columns, now: datetime) -> None:
        self._query = query
        self._resolver = resolver
        self._now = now
        self.params: list[Any] = []

    def _filtered(self, ref: Operand) -> ResolvedField:
        """The field a condition tests; INVALID_FIELD for one Salesforce cannot filter by (a Long
        Text Area)."""
        field = self._resolver.resolve(ref)
        if not field.path.field.filterable:
            raise not_filterable(self._query, ref.pos, field.path.field.name)
        return field

    def translate(self, condition: Condition) -> str:
        if isinstance(condition, BooleanGroup):
            parts = [self.translate(operand) for operand in condition.operands]
            return "(" + f" {condition.connective} ".join(parts) + ")"
        if isinstance(condition, Not):
            return f"(NOT {self.translate(condition.operand)})"
        if isinstance(condition, Comparison):
            return self._comparison(condition)
        if isinstance(condition, InList):
            return self._in_list(condition)
        return self._like(condition)

    def _comparison(self, comparison: Comparison) -> str:
        field = self._filtered(comparison.field)
        value = comparison.value
        if isinstance(value, NullLiteral):
            if comparison.operator == "=":
                return f"({field.column_sql} IS NULL)"
            if comparison.operator == "!=":
                return f"({field.column_sql} IS NOT NULL)"
            raise unexpected_token(self._query, value.pos, "null")
        if comparison.operator == "!=":
            return f"(NOT {self._equals(field, comparison.field, value)})"
        operand = self._operand(field, comparison.field, value)
        if isinstance(operand, _Range):
            return self._range_comparison(field, comparison.operator, operand)
        placeholder = self._bind(operand.value)
        return _two_valued(f"{field.comparable_sql} {comparison.operator} {placeholder}")

    def _range_comparison(self, field: ResolvedField, operator: str, span: _Range) -> str:
        """A field against a whole day range: `<` is before the start, `>` is after the end."""
        if operator == "=":
            return self._within(field, span)
        bound, sql_operator = {
            "<": (span.start, "<"),
            ">=": (span.start, ">="),
            "<=": (span.end, "<"),
            ">": (span.end, ">="),
        }[operator]
        return _two_valued(f"{field.column_sql} {sql_operator} {self._bind(bound)}")

    def _equals(self, field: ResolvedField, ref: Operand, value: Literal) -> str:
        operand = self._operand(field, ref, value)
        if isinstance(operand, _Range):
            return self._within(field, operand)
        return _two_valued(f"{field.comparable_sql} = {self._bind(operand.value)}")

    def _within(self, field: ResolvedField, span: _Range) -> str:
        start, end = self._bind(span.start), self._bind(span.end)
        column = field.column_sql
        return _two_valued(f"{column} >= {start} AND {column} < {end}")

    def _in_list(self, condition: InList) -> str:
        """IN with plain values uses SQL IN; day ranges and null become OR-ed tests."""
        field = self._filtered(condition.field)
        tests: list[str] = []
        points: list[Any] = []
        for value in condition.values:
            if isinstance(value, NullLiteral):
                tests.append(f"{field.column_sql} IS NULL")
                continue
            operand = self._operand(field, condition.field, value)
            if isinstance(operand, _Range):
                tests.append(self._within(field, operand))
            else:
                points.append(operand.value)
        if points:
            # Bound after the ranges above, because the IN test comes after them in the SQL.
            placeholders = ", ".join(self._bind(point) for point in points)
            tests.append(_two_valued(f"{field.comparable_sql} IN ({placeholders})"))
        matched = "(" + " OR ".join(tests) + ")"
        return f"(NOT {matched})" if condition.negated else matched

    def _like(self, condition: Like) -> str:
        field = self._filtered(condition.field)
        pattern = condition.pattern
        if not isinstance(pattern, StringLiteral) or not field_types.is_text(field.path.field.type):
            raise self._wrong_type(field, condition.field)
        placeholder = self._bind(pattern.value.like_pattern)
        # SQLite's LIKE already ignores ASCII case, matching Salesforce's LIKE.
        return _two_valued(f"{field.column_sql} LIKE {placeholder} ESCAPE '\\'")

    def _operand(self, field: ResolvedField, ref: Operand, value: Literal) -> _StoredValue:
        """The stored form of `value` for this field's type, or Salesforce's type error."""
        field_type = field.path.field.type
        if field_types.is_text(field_type) and isinstance(value, StringLiteral):
            return _Point(value.value.text)
        if field_type == "boolean" and isinstance(value, BooleanLiteral):
            return _Point(int(value.value))
        if field_type in field_types.NUMBER_TYPES and isinstance(value, NumberLiteral):
            return _Point(value.value)
        if field_type == "date" and isinstance(value, DateLiteral):
            return _Point(field_types.encode_date(value.value))
        if field_type == "datetime" and isinstance(value, DateTimeLiteral):
            return _Point(field_types.encode_datetime(value.value))
        if field_type in ("date", "datetime") and isinstance(value, RelativeDateLiteral):
            return self._relative_range(field_type, value)
        raise self._wrong_type(field, ref)

    def _relative_range(self, field_type: str, literal: RelativeDateLiteral) -> _Range:
        try:
            first, after_last = day_range(literal.name, literal.amount, self._now)
        except OverflowError:
            raise malformed(
                self._query, literal.pos, f"date literal out of range: {literal.name}"
            ) from None
        encode = field_types.encode_date if field_type == "date" else field_types.day_start
        return _Range(encode(first), encode(after_last))

    def _wrong_type(self, field: ResolvedField, ref: Operand) -> SoqlError:
        field_type = field.path.field.type
        return wrong_value_type(
            self._query,
            ref.pos,
            field.path.field.name,
            field_types.filter_type_name(field_type),
            quoted=field_types.is_text(field_type),
        )

    def _bind(self, value: Any) -> str:
        self.params.append(value)
        return "?"


def _two_valued(predicate: str) -> str:
    """Makes a NULL comparison plain false, so NOT and OR behave as in Salesforce."""
    return f"COALESCE(({predicate}), 0)"
