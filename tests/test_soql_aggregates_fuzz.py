"""Fuzzing aggregate queries: select lists of fields and aggregates, GROUP BY, HAVING, ORDER BY and
LIMIT drawn in every combination (most of them invalid in one way or another); whatever is drawn,
only SoqlError may escape, and what compiles must run and shape into AggregateResults."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from test_soql_fuzz import FUZZ_SETTINGS, check, db  # noqa: F401  (db is the fixture `check` runs on)

FIELDS = st.sampled_from([
    "Id", "Name", "Chat_Date__c", "Last_Message_At__c", "Message_Count__c", "Is_Group__c", "Contact__c",
    "Contact__r.LastName", "Contact__r.Birthdate", "Contact__r.Account.Name", "Contact__r.Account.NumberOfEmployees",
    "Lead__r.Company",
])  # fmt: skip
FUNCTIONS = st.sampled_from(["COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"])
AGGREGATES = st.builds("{}({})".format, FUNCTIONS, FIELDS)
OPERANDS = st.one_of(FIELDS, AGGREGATES)
CONDITIONS = st.builds(
    "{} {} {}".format,
    OPERANDS,
    st.sampled_from(["=", "!=", "<", ">=", "LIKE", "IN"]),
    st.sampled_from(["1", "2.5", "'a%'", "null", "2026-11-24", "2026-11-24T10:00:00Z", "TODAY", "true", "(1, 'x')"]),
)


@st.composite
def aggregate_queries(draw: st.DrawFn) -> str:
    aliased = st.builds("{}{}".format, OPERANDS, st.sampled_from(["", " n", " expr0"]))
    items = draw(st.lists(aliased, min_size=1, max_size=4))
    query = f"SELECT {', '.join(items)} FROM WhatsApp_Chat__c"
    if draw(st.booleans()):
        query += f" WHERE {draw(CONDITIONS)}"
    grouped = draw(st.lists(FIELDS, max_size=3, unique=True))
    if grouped:
        query += f" GROUP BY {', '.join(grouped)}"
        if draw(st.booleans()):
            query += f" HAVING {' AND '.join(draw(st.lists(CONDITIONS, min_size=1, max_size=2)))}"
    ordered = draw(st.lists(st.builds("{}{}".format, OPERANDS, st.sampled_from(["", " DESC NULLS LAST"])), max_size=2))
    if ordered:
        query += f" ORDER BY {', '.join(ordered)}"
    return query + draw(st.sampled_from(["", " LIMIT 2", " LIMIT 1 OFFSET 1", " OFFSET 1"]))


@FUZZ_SETTINGS
@given(query=aggregate_queries())
def test_aggregate_queries_only_raise_soql_errors(db, query):  # noqa: F811
    check(db, query)

