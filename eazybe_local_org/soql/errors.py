"""The one exception SOQL compilation raises, worded exactly like Salesforce's errors.

simple-salesforce and CumulusCI show (and sometimes parse) these messages, so the
text, including the echoed query line and the caret, mirrors real API responses.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Position:
    """1-based line and column of a token, as Salesforce reports them."""

    line: int
    col: int


class SoqlError(Exception):
    """A query Salesforce would reject; the server turns it into a 400 error body."""

    def __init__(self, error_code: str, message: str) -> None:
        super().__init__(message)
        self.error_code = error_code
        self.message = message


def located_error(error_code: str, query: str, pos: Position, detail: str) -> SoqlError:
    """Salesforce echoes the offending line, points a caret at the column, then explains."""
    line_text = query.split("\n")[pos.line - 1]
    message = (
        f"\n{line_text}\n{' ' * (pos.col - 1)}^"
        f"\nERROR at Row:{pos.line}:Column:{pos.col}\n{detail}"
    )
    return SoqlError(error_code, message)


def unexpected_token(query: str, pos: Position, token_text: str) -> SoqlError:
    return located_error("MALFORMED_QUERY", query, pos, f"unexpected token: {token_text}")


def malformed(query: str, pos: Position, detail: str) -> SoqlError:
    return located_error("MALFORMED_QUERY", query, pos, detail)


def unknown_object(query: str, pos: Position, name: str) -> SoqlError:
    return located_error(
        "INVALID_TYPE",
        query,
        pos,
        f"sObject type '{name}' is not supported. If you are attempting to use a custom object,"
        " be sure to append the '__c' after the entity name. Please reference your WSDL or the"
        " describe call for the appropriate names.",
    )


def unknown_field(query: str, pos: Position, field: str, entity: str) -> SoqlError:
    return located_error(
        "INVALID_FIELD",
        query,
        pos,
        f"No such column '{field}' on entity '{entity}'. If you are attempting to use a custom"
        " field, be sure to append the '__c' after the custom field name. Please reference your"
        " WSDL or the describe call for the appropriate names.",
    )


def unknown_child_relationship(query: str, pos: Position, relationship: str) -> SoqlError:
    return located_error(
        "INVALID_TYPE",
        query,
        pos,
        f"Didn't understand relationship '{relationship}' in FROM part of query call. If you are attempting"
        " to use a custom relationship, be sure to append the '__r' after the custom relationship"
        " name. Please reference your WSDL or the describe call for the appropriate names.",
    )


def not_filterable(query: str, pos: Position, field: str) -> SoqlError:
    return located_error("INVALID_FIELD", query, pos, f"field '{field}' can not be filtered in a query call")


def not_sortable(query: str, pos: Position, field: str) -> SoqlError:
    return located_error("INVALID_FIELD", query, pos, f"field '{field}' can not be sorted in a query call")


def unknown_relationship(query: str, pos: Position, relationship: str) -> SoqlError:
    return located_error(
        "INVALID_FIELD",
        query,
        pos,
        f"Didn't understand relationship '{relationship}' in field path. If you are attempting"
        " to use a custom relationship, be sure to append the '__r' after the custom relationship"
        " name. Please reference your WSDL or the describe call for the appropriate names.",
    )


def wrong_value_type(
    query: str, pos: Position, field: str, expected_type: str, *, quoted: bool
) -> SoqlError:
    quoting = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
    return located_error(
        "INVALID_FIELD",
        query,
        pos,
        f"value of filter criterion for field '{field}' must be of type {expected_type}"
        f" and {quoting}",
    )
