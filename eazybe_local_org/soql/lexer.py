"""Turns SOQL text into tokens, decoding literals so the parser only deals with structure."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from enum import Enum
from typing import Any

from .errors import Position, malformed, unexpected_token


class TokenKind(Enum):
    IDENT = "identifier"
    STRING = "string"
    NUMBER = "number"
    DATE = "date"
    DATETIME = "datetime"
    OPERATOR = "operator"
    PUNCT = "punctuation"
    EOF = "end of query"


@dataclass(frozen=True)
class StringValue:
    """A string literal decoded twice: as plain text, and as a SQLite LIKE pattern (ESCAPE '\\').

    Only the raw text tells an escaped \\% (a literal percent) from a bare % (a wildcard),
    so both readings are produced while the escapes are still visible.
    """

    text: str
    like_pattern: str


@dataclass(frozen=True)
class Token:
    kind: TokenKind
    text: str
    pos: Position
    value: Any = None  # the decoded literal: StringValue, int, float, date or datetime

    def is_keyword(self, *words: str) -> bool:
        return self.kind is TokenKind.IDENT and self.text.upper() in words

    def describe(self) -> str:
        """How Salesforce names this token in 'unexpected token' errors."""
        return "<EOF>" if self.kind is TokenKind.EOF else self.text


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?"
    r"(?:(Z)|([+-])(\d{2}):?(\d{2}))",
    re.ASCII,
)
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?![0-9T])", re.ASCII)
_OPERATORS = ("!=", "<>", "<=", ">=", "=", "<", ">")
_PUNCTUATION = "(),.:"
_SIMPLE_ESCAPES = {
    "n": "\n", "N": "\n", "r": "\r", "R": "\r", "t": "\t", "T": "\t",
    "b": "\b", "B": "\b", "f": "\f", "F": "\f", '"': '"', "'": "'", "\\": "\\",
}
_LARGEST_SQLITE_INTEGER = 2**63 - 1


def tokenize(query: str) -> list[Token]:
    """All tokens of `query`, ending with an EOF token placed just after the last one."""
    return _Lexer(query).run()


class _Lexer:
    def __init__(self, query: str) -> None:
        self.query = query
        self.index = 0
        self.line = 1
        self.line_start = 0
        self.tokens: list[Token] = []

    def run(self) -> list[Token]:
        while self._skip_whitespace():
            self.tokens.append(self._next_token())
        self.tokens.append(Token(TokenKind.EOF, "", self._eof_position()))
        return self.tokens

    def _skip_whitespace(self) -> bool:
        """Advances past whitespace, tracking lines; False at the end of the query."""
        while self.index < len(self.query) and self.query[self.index].isspace():
            if self.query[self.index] == "\n":
                self.line += 1
                self.line_start = self.index + 1
            self.index += 1
        return self.index < len(self.query)

    def _position(self) -> Position:
        return Position(self.line, self.index - self.line_start + 1)

    def _eof_position(self) -> Position:
        if not self.tokens:
            return Position(1, 1)
        last = self.tokens[-1]
        return Position(last.pos.line, last.pos.col + len(last.text))

    def _next_token(self) -> Token:
        pos = self._position()
        char = self.query[self.index]
        if char == "'":
            return self._string(pos)
        if char.isascii() and (char.isdigit() or char in "+-."):
            literal = self._date_or_number(pos)
            if literal is not None:
                return literal
        if match := _IDENT.match(self.query, self.index):
            return self._take(TokenKind.IDENT, match.group(), pos)
        for operator in _OPERATORS:
            if self.query.startswith(operator, self.index):
                return self._take(TokenKind.OPERATOR, operator, pos)
        if char in _PUNCTUATION:
            return self._take(TokenKind.PUNCT, char, pos)
        raise unexpected_token(self.query, pos, char)

    def _take(self, kind: TokenKind, text: str, pos: Position, value: Any = None) -> Token:
        self.index += len(text)
        return Token(kind, text, pos, value)

    def _date_or_number(self, pos: Position) -> Token | None:
        if match := _DATETIME.match(self.query, self.index):
            return self._take(TokenKind.DATETIME, match.group(), pos, self._datetime(match, pos))
        if match := _DATE.match(self.query, self.index):
            return self._take(TokenKind.DATE, match.group(), pos, self._date(match, pos))
        if match := _NUMBER.match(self.query, self.index):
            return self._take(TokenKind.NUMBER, match.group(), pos, _number(match.group()))
        return None

    def _date(self, match: re.Match[str], pos: Position) -> date:
        try:
            return date(*map(int, match.groups()))
        except ValueError:
            raise unexpected_token(self.query, pos, match.group()) from None

    def _datetime(self, match: re.Match[str], pos: Position) -> datetime:
        """Salesforce datetime literals carry a zone; stored datetimes are UTC, so convert."""
        year, month, day, hour, minute, second, millis, zulu, sign, tz_hours, tz_minutes = (
            match.groups()
        )
        try:
            offset = timedelta(hours=int(tz_hours or 0), minutes=int(tz_minutes or 0))
            zone = timezone(-offset if sign == "-" else offset)
            local = datetime(
                int(year), int(month), int(day), int(hour), int(minute), int(second),
                int((millis or "0").ljust(3, "0")) * 1000, tzinfo=zone,
            )
            return local.astimezone(timezone.utc)
        except (ValueError, OverflowError):
            raise unexpected_token(self.query, pos, match.group()) from None

    def _string(self, pos: Position) -> Token:
        start = self.index
        plain: list[str] = []
        like: list[str] = []
        index = start + 1
        while index < len(self.query) and self.query[index] != "'":
            char = self.query[index]
            if char == "\\":
                escape = self.query[index : index + 2]
                plain_char, like_text = self._escape(escape, pos)
                plain.append(plain_char)
                like.append(like_text)
                index += 2
                continue
            if char == "\n":
                break
            plain.append(char)
            like.append(char)
            index += 1
        if index >= len(self.query) or self.query[index] != "'":
            raise unexpected_token(self.query, pos, self.query[start:index])
        text = self.query[start : index + 1]
        return self._take(TokenKind.STRING, text, pos, StringValue("".join(plain), "".join(like)))

    def _escape(self, escape: str, pos: Position) -> tuple[str, str]:
        """One backslash escape as (plain text, LIKE-pattern text)."""
        code = escape[1:]
        if code in ("%", "_"):
            return code, escape
        if code in _SIMPLE_ESCAPES:
            decoded = _SIMPLE_ESCAPES[code]
            return decoded, "\\\\" if decoded == "\\" else decoded
        raise malformed(
            self.query,
            pos,
            f"Invalid string literal '{escape}'. Illegal character sequence '{escape}' in"
            " string literal.",
        )


def _number(text: str) -> int | float:
    """Integers stay exact unless SQLite could not bind them."""
    if "." not in text:
        value = int(text)
        if abs(value) <= _LARGEST_SQLITE_INTEGER:
            return value
    return float(text)
