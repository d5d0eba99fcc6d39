"""Fuzzing compile_query: whatever the input, only SoqlError may escape, and SQL it emits runs."""
from __future__ import annotations

import sqlite3
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eazybe_local_org.soql import SoqlError, compile_query, shape_record
from fuzz_counts import tried
from test_soql import NOW, OBJECTS, ROWS, SCHEMA, build_database

VALID_QUERIES = [
    "SELECT Id, Name FROM WhatsApp_Chat__c WHERE Name LIKE 'he\\_l%' ORDER BY Name DESC NULLS FIRST",
    "SELECT Contact__r.Account.Owner.Name FROM WhatsApp_Chat__c WHERE Contact__c != null LIMIT 2",
    "SELECT COUNT() FROM Contact WHERE Account.Name IN ('Acme', null) OFFSET 1",
    "select name from whatsapp_chat__c where (chat_date__c = LAST_N_DAYS:7 or Is_Group__c = true)"
    " and not Message_Count__c > 3.5",
    "SELECT Id FROM WhatsApp_Chat__c WHERE Last_Message_At__c >= 2026-11-24T10:00:00.000+01:00"
    " AND Chat_Date__c != THIS_MONTH",
    "SELECT LastName, Birthdate FROM Contact WHERE Birthdate < 2000-01-01 AND FirstName NOT IN ('a')",
]
# Pieces that steer mutations towards interesting near-misses rather than pure noise.
FRAGMENTS = [
    "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "ORDER BY", "LIMIT", "OFFSET",
    "NULLS LAST", "COUNT()", "(", ")", ",", ".", ":", "'", "\\", "=", "!=", "<", ">=", "null",
    "TODAY", "LAST_N_DAYS:", "2026-11-24", "2026-11-24T10:00:00Z", "99999999999999999999999",
    "9999-12-31T23:59:59-12:00", "0001-01-01", "Name", "Account", "Contact__r", "__c", " ", "\n",
    "-", "1.5", "GROUP BY", "true",
]
SUITE = "SOQL parser of the local org"


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    connection = build_database(OBJECTS, ROWS)
    yield connection
    connection.close()


def check(db: sqlite3.Connection, query: str) -> None:
    """Compiles `query`; anything that compiles must also run and shape without error."""
    try:
        compiled = compile_query(query, SCHEMA, now=NOW)
    except SoqlError as error:
        tried(SUITE, "rejected")
        assert error.error_code in {"MALFORMED_QUERY", "INVALID_TYPE", "INVALID_FIELD"}
        assert "\nERROR at Row:" in error.message
        return
    rows = db.execute(compiled.sql, compiled.params).fetchall()
    tried(SUITE, "compiled and ran")
    if not compiled.is_count:
        for row in rows:
            shape_record(compiled, row, api_version="67.0")


@st.composite
def mutated_queries(draw: st.DrawFn) -> str:
    query = draw(st.sampled_from(VALID_QUERIES))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(query)))
        end = draw(st.integers(start, min(len(query), start + 12)))
        replacement = draw(
            st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=4), st.just(""))
        )
        query = query[:start] + replacement + query[end:]
    return query


FUZZ_SETTINGS = settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ_SETTINGS
@given(query=st.text(max_size=120))
def test_random_text_only_raises_soql_errors(db, query):
    check(db, query)


@FUZZ_SETTINGS
@given(query=mutated_queries())
def test_mutated_valid_queries_only_raise_soql_errors(db, query):
    check(db, query)


@FUZZ_SETTINGS
@given(
    tokens=st.lists(st.sampled_from(FRAGMENTS), max_size=25),
)
def test_token_soup_only_raises_soql_errors(db, tokens):
    check(db, "SELECT Id FROM WhatsApp_Chat__c " + " ".join(tokens))


@pytest.mark.parametrize("query", VALID_QUERIES)
def test_seed_queries_are_valid(db, query):
    compiled = compile_query(query, SCHEMA, now=NOW)
    db.execute(compiled.sql, compiled.params).fetchall()
