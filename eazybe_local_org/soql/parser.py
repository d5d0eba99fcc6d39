"""Recursive-descent parser for the SOQL subset the local org serves.

Anything outside that subset stops at the first token that does not fit, which is
where Salesforce itself reports MALFORMED_QUERY ("unexpected token: ...").
"""
from __future__ import annotations

from .aggregation import AGGREGATE_FUNCTIONS
from .date_literals import FIXED_LITERALS, N_DAYS_LITERALS
from .errors import SoqlError, malformed, unexpected_token
from .lexer import Token, TokenKind, tokenize
from .nodes import (
    Aggregate,
    Alias,
    BooleanGroup,
    BooleanLiteral,
    Comparison,
    Condition,
    DateLiteral,
    DateTimeLiteral,
    FieldRef,
    InList,
    Like,
    Literal,
    Not,
    NullLiteral,
    NumberLiteral,
    ObjectRef,
    Operand,
    OrderItem,
    Query,
    RelativeDateLiteral,
    SelectItem,
    StringLiteral,
    SubQuery,
)

# Words that end a field list or a clause, so they can never be field or object names.
RESERVED_WORDS = frozenset(
    {
        "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER", "BY", "ASC",
        "DESC", "NULLS", "LIMIT", "OFFSET", "NULL", "TRUE", "FALSE", "GROUP", "HAVING",
        "WITH", "FOR", "USING", "INCLUDES", "EXCLUDES", "TYPEOF",
    }
)
_COMPARISON_OPERATORS = frozenset({"=", "!=", "<>", "<", ">", "<=", ">="})


def parse(query: str) -> Query:
    """The syntax tree of `query`; raises SoqlError(MALFORMED_QUERY) on bad syntax."""
    return _Parser(query).query()


class _Parser:
    def __init__(self, query: str) -> None:
        self.source = query
        self.tokens = tokenize(query)
        self.index = 0

    # -- token helpers -------------------------------------------------------

    @property
    def current(self) -> Token:
        return self.tokens[self.index]

    def _peek(self, offset: int = 1) -> Token:
        return self.tokens[min(self.index + offset, len(self.tokens) - 1)]

    def _advance(self) -> Token:
        token = self.current
        if token.kind is not TokenKind.EOF:
            self.index += 1
        return token

    def _unexpected(self) -> SoqlError:
        token = self.current
        return unexpected_token(self.source, token.pos, token.describe())

    def _expect_keyword(self, word: str) -> Token:
        if not self.current.is_keyword(word):
            raise self._unexpected()
        return self._advance()

    def _expect_punct(self, char: str) -> Token:
        if not self._at_punct(char):
            raise self._unexpected()
        return self._advance()

    def _at_punct(self, char: str) -> bool:
        return self.current.kind is TokenKind.PUNCT and self.current.text == char

    def _name(self) -> Token:
        """An identifier that is not a reserved word."""
        token = self.current
        if token.kind is not TokenKind.IDENT or token.text.upper() in RESERVED_WORDS:
            raise self._unexpected()
        return self._advance()

    # -- clauses -------------------------------------------------------------

    def query(self) -> Query:
        self._expect_keyword("SELECT")
        is_count = self._count_star()
        fields, subqueries = ((), ()) if is_count else self._select_list()
        self._expect_keyword("FROM")
        object_token = self._name()
        where = self._condition() if self._accept_keyword("WHERE") else None
        # SELECT COUNT() cannot be grouped (API 19.0 and later), so GROUP BY stays unexpected there.
        group_by = self._group_by() if not is_count and self._accept_keyword("GROUP") else ()
        having = self._condition(aggregates=True) if group_by and self._accept_keyword("HAVING") else None
        is_aggregate = bool(group_by) or any(isinstance(item.expression, Aggregate) for item in fields)
        self._check_aliases(fields, is_aggregate)
        order_by = self._order_by(aggregates=is_aggregate) if self._accept_keyword("ORDER") else ()
        if is_aggregate and not group_by:
            self._refuse_row_clauses()
        limit = self._count_clause("LIMIT")
        offset = self._count_clause("OFFSET")
        if self.current.kind is not TokenKind.EOF:
            raise self._unexpected()
        return Query(
            fields=fields,
            is_count=is_count,
            object=ObjectRef(object_token.text, object_token.pos),
            where=where,
            order_by=order_by,
            limit=limit,
            offset=offset,
            subqueries=subqueries,
            is_aggregate=is_aggregate,
            group_by=group_by,
            having=having,
        )

    def _accept_keyword(self, word: str) -> bool:
        if self.current.is_keyword(word):
            self._advance()
            return True
        return False

    def _count_star(self) -> bool:
        """SELECT COUNT(): the whole select list, answered with a count and no records."""
        if not (self.current.is_keyword("COUNT") and self._peek().text == "(" and self._peek(2).text == ")"):
            return False
        self._advance()
        self._expect_punct("(")
        self._expect_punct(")")
        return True

    def _select_list(self) -> tuple[tuple[SelectItem, ...], tuple[SubQuery, ...]]:
        fields: list[SelectItem] = []
        subqueries: list[SubQuery] = []
        while True:
            if self._at_punct("(") and self._peek().is_keyword("SELECT"):
                subqueries.append(self._subquery())
            else:
                fields.append(self._select_item())
            if not self._at_punct(","):
                return tuple(fields), tuple(subqueries)
            self._advance()

    def _select_item(self) -> SelectItem:
        """An alias is a name ending the item, so a typo such as `SELECT Id FRM Contact` stays one."""
        expression = self._operand(aggregates=True)
        token, following = self.current, self._peek()
        ends_item = (following.kind is TokenKind.PUNCT and following.text == ",") or following.is_keyword("FROM")
        if token.kind is TokenKind.IDENT and token.text.upper() not in RESERVED_WORDS and ends_item:
            return SelectItem(expression, Alias(self._advance().text, token.pos))
        return SelectItem(expression)

    def _check_aliases(self, fields: tuple[SelectItem, ...], is_aggregate: bool) -> None:
        """Only aggregate queries name their results; elsewhere an alias is a stray token."""
        alias = next((item.alias for item in fields if item.alias is not None), None)
        if alias is not None and not is_aggregate:
            raise unexpected_token(self.source, alias.pos, alias.name)

    def _refuse_row_clauses(self) -> None:
        """A query that aggregates without grouping answers one row, so it may not limit or skip rows."""
        if self.current.is_keyword("LIMIT", "OFFSET"):
            raise malformed(
                self.source,
                self.current.pos,
                "Non-grouped query that uses overall aggregate functions cannot also use"
                f" {self.current.text.upper()}",
            )

    def _group_by(self) -> tuple[FieldRef, ...]:
        self._expect_keyword("BY")
        return self._field_list()

    def _field_list(self) -> tuple[FieldRef, ...]:
        fields = [self._field_ref()]
        while self._at_punct(","):
            self._advance()
            fields.append(self._field_ref())
        return tuple(fields)

    def _subquery(self) -> SubQuery:
        """One level deep, as in Salesforce: its select list holds fields only."""
        self._expect_punct("(")
        self._expect_keyword("SELECT")
        fields = self._field_list()
        self._expect_keyword("FROM")
        relationship = self._name()
        where = self._condition() if self._accept_keyword("WHERE") else None
        order_by = self._order_by() if self._accept_keyword("ORDER") else ()
        limit = self._count_clause("LIMIT")
        self._expect_punct(")")
        return SubQuery(fields, ObjectRef(relationship.text, relationship.pos), where, order_by, limit)

    def _operand(self, *, aggregates: bool) -> Operand:
        """A field, or where `aggregates` allows, an aggregate function of one: SUM(Amount)."""
        token = self.current
        if aggregates and token.is_keyword(*AGGREGATE_FUNCTIONS) and self._peek().text == "(":
            self._advance()
            self._expect_punct("(")
            field = self._field_ref()
            self._expect_punct(")")
            return Aggregate(token.text.upper(), field, token.pos)
        return self._field_ref()

    def _field_ref(self) -> FieldRef:
        first = self._name()
        path = [first.text]
        while self._at_punct("."):
            self._advance()
            path.append(self._name().text)
        return FieldRef(tuple(path), first.pos)

    def _order_by(self, *, aggregates: bool = False) -> tuple[OrderItem, ...]:
        self._expect_keyword("BY")
        items = [self._order_item(aggregates)]
        while self._at_punct(","):
            self._advance()
            items.append(self._order_item(aggregates))
        return tuple(items)

    def _order_item(self, aggregates: bool) -> OrderItem:
        field = self._operand(aggregates=aggregates)
        descending = False
        if self.current.is_keyword("ASC", "DESC"):
            descending = self._advance().text.upper() == "DESC"
        # Salesforce puts nulls first when ascending and last when descending.
        nulls_first = not descending
        if self._accept_keyword("NULLS"):
            if not self.current.is_keyword("FIRST", "LAST"):
                raise self._unexpected()
            nulls_first = self._advance().text.upper() == "FIRST"
        return OrderItem(field, descending, nulls_first)

    def _count_clause(self, word: str) -> int | None:
        if not self._accept_keyword(word):
            return None
        return self._non_negative_integer()

    def _non_negative_integer(self) -> int:
        token = self.current
        if (
            token.kind is not TokenKind.NUMBER
            or not isinstance(token.value, int)
            or not token.text.isdigit()
        ):
            raise self._unexpected()
        self._advance()
        return token.value

    # -- conditions ----------------------------------------------------------

    def _condition(self, *, aggregates: bool = False) -> Condition:
        """Operands joined by AND only or OR only; mixing them needs parentheses in SOQL.

        `aggregates` is for HAVING, the one clause whose conditions may test aggregates."""
        first = self._condition_term(aggregates)
        if not self.current.is_keyword("AND", "OR"):
            return first
        connective = self.current.text.upper()
        operands = [first]
        while self._accept_keyword(connective):
            operands.append(self._condition_term(aggregates))
        if self.current.is_keyword("AND", "OR"):
            raise self._unexpected()
        return BooleanGroup(connective, tuple(operands))

    def _condition_term(self, aggregates: bool) -> Condition:
        if self._accept_keyword("NOT"):
            return Not(self._condition_term(aggregates))
        if self._at_punct("("):
            self._advance()
            inner = self._condition(aggregates=aggregates)
            self._expect_punct(")")
            return inner
        return self._predicate(aggregates)

    def _predicate(self, aggregates: bool) -> Condition:
        field = self._operand(aggregates=aggregates)
        token = self.current
        if token.kind is TokenKind.OPERATOR and token.text in _COMPARISON_OPERATORS:
            self._advance()
            operator = "!=" if token.text == "<>" else token.text
            return Comparison(field, operator, self._literal())
        if token.is_keyword("LIKE"):
            self._advance()
            return Like(field, self._literal())
        negated = self._accept_keyword("NOT")
        if self.current.is_keyword("IN"):
            self._advance()
            return InList(field, self._literal_list(), negated)
        raise self._unexpected()

    def _literal_list(self) -> tuple[Literal, ...]:
        self._expect_punct("(")
        values = [self._literal()]
        while self._at_punct(","):
            self._advance()
            values.append(self._literal())
        self._expect_punct(")")
        return tuple(values)

    def _literal(self) -> Literal:
        token = self.current
        pos = token.pos
        if token.kind is TokenKind.STRING:
            literal: Literal = StringLiteral(token.value, pos)
        elif token.kind is TokenKind.NUMBER:
            literal = NumberLiteral(token.value, pos)
        elif token.kind is TokenKind.DATE:
            literal = DateLiteral(token.value, pos)
        elif token.kind is TokenKind.DATETIME:
            literal = DateTimeLiteral(token.value, pos)
        elif token.is_keyword("TRUE", "FALSE"):
            literal = BooleanLiteral(token.text.upper() == "TRUE", pos)
        elif token.is_keyword("NULL"):
            literal = NullLiteral(pos)
        elif token.is_keyword(*FIXED_LITERALS):
            literal = RelativeDateLiteral(token.text.upper(), None, pos)
        elif token.is_keyword(*N_DAYS_LITERALS):
            self._advance()
            self._expect_punct(":")
            return RelativeDateLiteral(token.text.upper(), self._non_negative_integer(), pos)
        else:
            raise self._unexpected()
        self._advance()
        return literal
