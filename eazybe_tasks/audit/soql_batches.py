"""SOQL `IN (...)` lists cut into queries that Salesforce accepts.

A REST query travels in the URL (GET query/?q=...), and Salesforce refuses a request whose URI
and headers together pass 16,384 bytes (414 URI Too Long, 431 Request Header Fields Too Large);
the SOQL statement's own limit (100,000 characters) is far above that. So a batch is cut by the
length of the URL-encoded query, with room left for the path and the headers."""
from __future__ import annotations

from typing import Iterator, Sequence
from urllib.parse import quote_plus

URI_BUDGET = 12_000  # bytes of encoded query text; the rest of the 16,384 is path and headers
PLACEHOLDER = "{values}"


def soql_string(value: str) -> str:
    """A SOQL string literal: backslashes and single quotes escaped."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def in_batches(template: str, values: Sequence[str], budget: int = URI_BUDGET) -> Iterator[str]:
    """The queries `template` makes with its {values} placeholder replaced by successive parts of
    `values` (as string literals), each query's URL-encoded length within `budget`."""
    fixed = len(quote_plus(template.replace(PLACEHOLDER, "")))
    separator = len(quote_plus(", "))
    batch: list[str] = []
    size = fixed
    for value in values:
        literal = soql_string(value)
        cost = len(quote_plus(literal))
        if fixed + cost > budget:
            raise ValueError(f"one value alone makes a query longer than {budget} bytes: {value[:80]}...")
        if batch and size + separator + cost > budget:
            yield template.replace(PLACEHOLDER, ", ".join(batch))
            batch, size = [], fixed
        size += cost + (separator if batch else 0)
        batch.append(literal)
    if batch:
        yield template.replace(PLACEHOLDER, ", ".join(batch))
