"""The syntax tree of a parsed SOQL query; every node keeps its position for error carets."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Union

from .errors import Position
from .lexer import StringValue


@dataclass(frozen=True)
class FieldRef:
    """A possibly dotted field path such as Account.Owner.Name, as written."""

    path: tuple[str, ...]
    pos: Position


@dataclass(frozen=True)
class Aggregate:
    """COUNT(Id), SUM(Amount) and the like; `function` is upper-cased, `pos` is where its name starts."""

    function: str
    field: FieldRef
    pos: Position


# What a select item, a HAVING condition or an ORDER BY item of an aggregate query may name.
Operand = Union[FieldRef, Aggregate]


@dataclass(frozen=True)
class Alias:
    """The name an aggregate query gives a select item in its results (`COUNT(Id) total`)."""

    name: str
    pos: Position


@dataclass(frozen=True)
class SelectItem:
    """One entry of the select list; only aggregate queries may alias or aggregate it."""

    expression: Operand
    alias: Alias | None = None


@dataclass(frozen=True)
class StringLiteral:
    value: StringValue
    pos: Position


@dataclass(frozen=True)
class NumberLiteral:
    value: int | float
    pos: Position


@dataclass(frozen=True)
class BooleanLiteral:
    value: bool
    pos: Position


@dataclass(frozen=True)
class NullLiteral:
    pos: Position


@dataclass(frozen=True)
class DateLiteral:
    value: date
    pos: Position


@dataclass(frozen=True)
class DateTimeLiteral:
    """Already converted to UTC by the lexer."""

    value: datetime
    pos: Position


@dataclass(frozen=True)
class RelativeDateLiteral:
    """TODAY, LAST_N_DAYS:7 and friends; `amount` is None for the literals without ':n'."""

    name: str
    amount: int | None
    pos: Position


Literal = Union[
    StringLiteral,
    NumberLiteral,
    BooleanLiteral,
    NullLiteral,
    DateLiteral,
    DateTimeLiteral,
    RelativeDateLiteral,
]


@dataclass(frozen=True)
class Comparison:
    """field <op> value; `operator` is normalised ('<>' becomes '!='); only HAVING compares aggregates."""

    field: Operand
    operator: str
    value: Literal


@dataclass(frozen=True)
class InList:
    field: Operand
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class Like:
    field: Operand
    pattern: Literal


@dataclass(frozen=True)
class Not:
    operand: Condition


@dataclass(frozen=True)
class BooleanGroup:
    """Operands joined by one connective; SOQL forbids mixing AND and OR without parentheses."""

    connective: str  # "AND" or "OR"
    operands: tuple[Condition, ...]


Condition = Union[Comparison, InList, Like, Not, BooleanGroup]


@dataclass(frozen=True)
class OrderItem:
    field: Operand
    descending: bool
    nulls_first: bool


@dataclass(frozen=True)
class ObjectRef:
    name: str
    pos: Position


@dataclass(frozen=True)
class SubQuery:
    """(SELECT ... FROM ChildRelationship ...) in a select list: each record's child records."""

    fields: tuple[FieldRef, ...]
    relationship: ObjectRef
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None


@dataclass(frozen=True)
class Query:
    """`fields` is empty exactly when the query is SELECT COUNT(); `is_aggregate` when it aggregates
    or groups, and so answers AggregateResult rows rather than records."""

    fields: tuple[SelectItem, ...]
    is_count: bool
    object: ObjectRef
    where: Condition | None
    order_by: tuple[OrderItem, ...]
    limit: int | None
    offset: int | None
    subqueries: tuple[SubQuery, ...] = ()
    is_aggregate: bool = False
    group_by: tuple[FieldRef, ...] = ()
    having: Condition | None = None
