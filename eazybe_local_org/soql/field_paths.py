"""Resolves dotted field paths against the schema and plans the LEFT JOINs they need."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from . import field_types
from .errors import malformed, not_sortable, unknown_field, unknown_relationship
from .nodes import FieldRef, Operand, OrderItem
from .schema import FieldInfo, ObjectInfo, SchemaLookup

ROOT_ALIAS = "t0"
MAX_RELATIONSHIP_DEPTH = 5


@dataclass(frozen=True)
class FieldPath:
    """A resolved field: the canonical relationship names walked from the queried object, then the field."""

    relationships: tuple[str, ...]
    field: FieldInfo

    @property
    def api_name(self) -> str:
        return ".".join((*self.relationships, self.field.name))


@dataclass(frozen=True)
class ResolvedField:
    path: FieldPath
    column_sql: str

    @property
    def comparable_sql(self) -> str:
        """The column as Salesforce compares, sorts and groups it: text without regard to case."""
        if field_types.is_text(self.path.field.type):
            return f"{self.column_sql} COLLATE NOCASE"
        return self.column_sql

    def sort_sql(self, item: OrderItem) -> str:
        """This column as an ORDER BY term; Salesforce lets the query place nulls."""
        direction = "DESC" if item.descending else "ASC"
        return f"{self.comparable_sql} {direction} NULLS {'FIRST' if item.nulls_first else 'LAST'}"


@dataclass(frozen=True)
class Join:
    """One parent object reached through `relationships`, joined as `alias`."""

    relationships: tuple[str, ...]
    object_name: str
    alias: str
    sql: str


class Columns(Protocol):
    """Turns what a condition or an ORDER BY item names into SQL; aggregate queries also take aggregates."""

    def resolve(self, ref: Operand) -> ResolvedField: ...


def order_by_sql(query: str, columns: Columns, items: tuple[OrderItem, ...]) -> list[str]:
    """The ORDER BY terms of `items`; INVALID_FIELD for a field Salesforce cannot sort (a Long
    Text Area)."""
    terms = []
    for item in items:
        field = columns.resolve(item.field)
        if not field.path.field.sortable:
            raise not_sortable(query, item.field.pos, field.path.field.name)
        terms.append(field.sort_sql(item))
    return terms


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class FieldResolver:
    """Shares one join per relationship path, however many fields are read through it."""

    def __init__(self, query: str, root: ObjectInfo, schema: SchemaLookup, alias_prefix: str = "t") -> None:
        """`alias_prefix` keeps a subquery's aliases apart from those of the query around it."""
        self._query = query
        self._root = root
        self._schema = schema
        self._prefix = alias_prefix
        self._joins: dict[tuple[str, ...], tuple[Join, ObjectInfo]] = {}

    @property
    def root_alias(self) -> str:
        return f"{self._prefix}0"

    @property
    def joins(self) -> list[Join]:
        """In creation order, so each join only refers to aliases defined before it."""
        return [join for join, _ in self._joins.values()]

    def join_for(self, relationships: tuple[str, ...]) -> Join:
        return self._joins[relationships][0]

    def from_clause(self) -> str:
        """FROM the queried object and every parent joined so far: build it after the last resolve()."""
        root = f"FROM {quote_identifier(self._root.name)} AS {self.root_alias}"
        return " ".join([root] + [join.sql for join in self.joins])

    def resolve(self, ref: FieldRef) -> ResolvedField:
        *relationship_names, field_name = ref.path
        if len(relationship_names) > MAX_RELATIONSHIP_DEPTH:
            raise malformed(
                self._query,
                ref.pos,
                "SOQL statements cannot query more than 5 levels of parent relationships",
            )
        obj, alias = self._root, self.root_alias
        walked: tuple[str, ...] = ()
        for name in relationship_names:
            obj, alias, walked = self._follow(obj, alias, walked, name, ref)
        field = obj.field(field_name)
        if field is None:
            raise unknown_field(self._query, ref.pos, field_name, obj.name)
        column = f"{alias}.{quote_identifier(field.name)}"
        return ResolvedField(FieldPath(walked, field), column)

    def _follow(
        self,
        obj: ObjectInfo,
        alias: str,
        walked: tuple[str, ...],
        name: str,
        ref: FieldRef,
    ) -> tuple[ObjectInfo, str, tuple[str, ...]]:
        """Steps through relationship `name` of `obj`, adding its join on first use."""
        reference = obj.relationship(name)
        if reference is None:
            raise unknown_relationship(self._query, ref.pos, name)
        path = (*walked, reference.relationship_name or name)
        if path not in self._joins:
            parent = self._parent_object(reference)
            if parent is None:
                raise unknown_relationship(self._query, ref.pos, name)
            parent_alias = f"{self._prefix}{len(self._joins) + 1}"
            sql = (
                f"LEFT JOIN {quote_identifier(parent.name)} AS {parent_alias}"
                f" ON {parent_alias}.\"Id\" = {alias}.{quote_identifier(reference.name)}"
            )
            self._joins[path] = (Join(path, parent.name, parent_alias, sql), parent)
        join, parent = self._joins[path]
        return parent, join.alias, path

    def _parent_object(self, reference: FieldInfo) -> ObjectInfo | None:
        """Polymorphic lookups (e.g. Owner -> User or Group) follow the first known target."""
        for target in reference.reference_to:
            parent = self._schema.object(target)
            if parent is not None:
                return parent
        return None
