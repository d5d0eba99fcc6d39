"""SOQL against an in-memory SQLite org laid out the way the local org server stores sObjects."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from typing import Any, Iterator

import pytest

from eazybe_local_org.soql import (
    FieldInfo,
    ObjectInfo,
    SoqlError,
    compile_query,
    parse,
    shape_record,
)

NOW = datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)  # a Tuesday
API_VERSION = "67.0"


def _object(name: str, *fields: FieldInfo) -> ObjectInfo:
    all_fields = (FieldInfo("Id", "id"), *fields)
    return ObjectInfo(name, {field.name: field for field in all_fields})


def _lookup(name: str, target: str, relationship: str) -> FieldInfo:
    return FieldInfo(name, "reference", (target,), relationship)


OBJECTS = [
    _object("User", FieldInfo("Name", "string"), FieldInfo("IsActive", "boolean")),
    _object(
        "Account",
        FieldInfo("Name", "string"),
        FieldInfo("NumberOfEmployees", "int"),
        _lookup("OwnerId", "User", "Owner"),
    ),
    _object(
        "Contact",
        FieldInfo("FirstName", "string"),
        FieldInfo("LastName", "string"),
        FieldInfo("Birthdate", "date"),
        _lookup("AccountId", "Account", "Account"),
    ),
    _object("Lead", FieldInfo("LastName", "string"), FieldInfo("Company", "string")),
    _object(
        "WhatsApp_Chat__c",
        FieldInfo("Name", "string"),
        FieldInfo("Chat_Date__c", "date"),
        FieldInfo("Last_Message_At__c", "datetime"),
        FieldInfo("Message_Count__c", "double"),
        FieldInfo("Is_Group__c", "boolean"),
        _lookup("Contact__c", "Contact", "Contact__r"),
        _lookup("Lead__c", "Lead", "Lead__r"),
    ),
]


class Schema:
    """The SchemaLookup the server provides: case-insensitive object names."""

    def __init__(self, objects: list[ObjectInfo]) -> None:
        self._objects = {obj.name.lower(): obj for obj in objects}

    def object(self, name: str) -> ObjectInfo | None:
        return self._objects.get(name.lower())


SCHEMA = Schema(OBJECTS)

ROWS: dict[str, list[dict[str, Any]]] = {
    "User": [{"Id": "005000000000001AAA", "Name": "Olivia Owner", "IsActive": 1}],
    "Account": [
        {"Id": "001000000000001AAA", "Name": "Acme", "NumberOfEmployees": 50,
         "OwnerId": "005000000000001AAA"},
        {"Id": "001000000000002AAA", "Name": "Globex", "NumberOfEmployees": None},
    ],
    "Contact": [
        {"Id": "003000000000001AAA", "FirstName": "Ann", "LastName": "Smith",
         "Birthdate": "1990-05-01", "AccountId": "001000000000001AAA"},
        {"Id": "003000000000002AAA", "FirstName": None, "LastName": "Jones"},
        {"Id": "003000000000003AAA", "FirstName": "bob", "LastName": "smith",
         "AccountId": "001000000000002AAA"},
    ],
    "Lead": [{"Id": "00Q000000000001AAA", "LastName": "Lee", "Company": "Initech"}],
    "WhatsApp_Chat__c": [
        {"Id": "a00000000000001AAA", "Name": "Hello 100%", "Chat_Date__c": "2026-11-24",
         "Last_Message_At__c": "2026-11-24T10:00:00.000+0000", "Message_Count__c": 3,
         "Is_Group__c": 0, "Contact__c": "003000000000001AAA"},
        {"Id": "a00000000000002AAA", "Name": "hello_world", "Chat_Date__c": "2026-11-23",
         "Last_Message_At__c": "2026-11-23T23:59:59.000+0000", "Message_Count__c": 10.5,
         "Is_Group__c": 1, "Lead__c": "00Q000000000001AAA"},
        {"Id": "a00000000000003AAA", "Name": "O'Brien chat", "Chat_Date__c": "2026-11-25",
         "Last_Message_At__c": "2026-11-25T00:00:00.000+0000", "Message_Count__c": None,
         "Is_Group__c": 0, "Contact__c": "003000000000002AAA"},
        {"Id": "a00000000000004AAA", "Name": "Back\\slash", "Chat_Date__c": "2026-10-15",
         "Last_Message_At__c": "2026-10-15T12:00:00.000+0000", "Message_Count__c": 0,
         "Is_Group__c": 0, "Contact__c": "003000000000003AAA"},
        {"Id": "a00000000000005AAA", "Name": None, "Chat_Date__c": None,
         "Last_Message_At__c": None, "Message_Count__c": 7, "Is_Group__c": 1},
        {"Id": "a00000000000006AAA", "Name": "Deleted chat", "Chat_Date__c": "2026-11-24",
         "Message_Count__c": 1, "Is_Group__c": 0, "IsDeleted": 1},
    ],
}


def build_database(objects: list[ObjectInfo], rows: dict[str, list[dict[str, Any]]]) -> sqlite3.Connection:
    """One table per sObject, one column per field, plus IsDeleted: the local org's layout."""
    connection = sqlite3.connect(":memory:")
    for obj in objects:
        columns = ", ".join(f'"{name}"' for name in obj.fields)
        connection.execute(f'CREATE TABLE "{obj.name}" ({columns}, "IsDeleted" INTEGER NOT NULL)')
        for row in rows.get(obj.name, []):
            values = {name: row.get(name) for name in obj.fields}
            values["IsDeleted"] = row.get("IsDeleted", 0)
            placeholders = ", ".join("?" for _ in values)
            quoted = ", ".join(f'"{name}"' for name in values)
            connection.execute(
                f'INSERT INTO "{obj.name}" ({quoted}) VALUES ({placeholders})', list(values.values())
            )
    return connection


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    connection = build_database(OBJECTS, ROWS)
    yield connection
    connection.close()


def records(db: sqlite3.Connection, soql: str, **options: Any) -> list[dict]:
    compiled = compile_query(soql, SCHEMA, now=NOW, **options)
    rows = db.execute(compiled.sql, compiled.params).fetchall()
    return [shape_record(compiled, row, api_version=API_VERSION) for row in rows]


def count(db: sqlite3.Connection, soql: str, **options: Any) -> int:
    compiled = compile_query(soql, SCHEMA, now=NOW, **options)
    assert compiled.is_count
    return db.execute(compiled.sql, compiled.params).fetchone()[0]


def chat_names(db: sqlite3.Connection, where: str) -> list[str | None]:
    """Names of chats matching `where`, in Name order (nulls first)."""
    soql = f"SELECT Name FROM WhatsApp_Chat__c WHERE {where} ORDER BY Name"
    return [record["Name"] for record in records(db, soql)]


def soql_error(soql: str) -> SoqlError:
    with pytest.raises(SoqlError) as caught:
        compile_query(soql, SCHEMA, now=NOW)
    return caught.value


# -- record shape ---------------------------------------------------------------


def test_record_has_attributes_and_only_selected_fields(db):
    [record] = records(db, "SELECT Id, Name, Message_Count__c, Is_Group__c, Chat_Date__c, "
                           "Last_Message_At__c FROM WhatsApp_Chat__c WHERE Name = 'hello_world'")
    assert record == {
        "attributes": {
            "type": "WhatsApp_Chat__c",
            "url": "/services/data/v67.0/sobjects/WhatsApp_Chat__c/a00000000000002AAA",
        },
        "Id": "a00000000000002AAA",
        "Name": "hello_world",
        "Message_Count__c": 10.5,
        "Is_Group__c": True,
        "Chat_Date__c": "2026-11-23",
        "Last_Message_At__c": "2026-11-23T23:59:59.000+0000",
    }


def test_int_fields_come_back_as_int_and_booleans_as_bool(db):
    [record] = records(db, "SELECT NumberOfEmployees FROM Account WHERE Name = 'Acme'")
    assert record["NumberOfEmployees"] == 50 and isinstance(record["NumberOfEmployees"], int)
    [chat] = records(db, "SELECT Is_Group__c FROM WhatsApp_Chat__c WHERE Name = 'Hello 100%'")
    assert chat["Is_Group__c"] is False


def test_names_are_case_insensitive_and_output_canonical(db):
    [record] = records(
        db, "select name, contact__r.lastname from whatsapp_chat__C where NAME = 'HELLO 100%'"
    )
    assert record["attributes"]["type"] == "WhatsApp_Chat__c"
    assert list(record) == ["attributes", "Name", "Contact__r"]
    assert record["Contact__r"]["LastName"] == "Smith"


def test_parent_relationships_two_levels_and_null_parents(db):
    soql = (
        "SELECT Name, Contact__r.Account.Name, Contact__r.LastName, Contact__r.Account.Owner.Name "
        "FROM WhatsApp_Chat__c WHERE Contact__c != null ORDER BY Name"
    )
    by_name = {record["Name"]: record for record in records(db, soql)}
    acme = by_name["Hello 100%"]["Contact__r"]
    assert acme == {
        "attributes": {
            "type": "Contact",
            "url": "/services/data/v67.0/sobjects/Contact/003000000000001AAA",
        },
        "Account": {
            "attributes": {
                "type": "Account",
                "url": "/services/data/v67.0/sobjects/Account/001000000000001AAA",
            },
            "Name": "Acme",
            "Owner": {
                "attributes": {
                    "type": "User",
                    "url": "/services/data/v67.0/sobjects/User/005000000000001AAA",
                },
                "Name": "Olivia Owner",
            },
        },
        "LastName": "Smith",
    }
    assert by_name["O'Brien chat"]["Contact__r"]["Account"] is None
    assert by_name["O'Brien chat"]["Contact__r"]["LastName"] == "Jones"
    assert by_name["Back\\slash"]["Contact__r"]["Account"]["Owner"] is None


def test_a_null_lookup_gives_a_null_parent(db):
    [record] = records(db, "SELECT Contact__r.LastName, Lead__r.Company FROM WhatsApp_Chat__c "
                           "WHERE Name = 'hello_world'")
    assert record["Contact__r"] is None
    assert record["Lead__r"]["Company"] == "Initech"


def test_filter_and_order_through_a_relationship(db):
    soql = "SELECT LastName FROM Contact WHERE Account.Name LIKE 'acme%' ORDER BY Account.Name"
    assert [r["LastName"] for r in records(db, soql)] == ["Smith"]


# -- WHERE ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Message_Count__c = 3", ["Hello 100%"]),
        ("Message_Count__c != 3", [None, "Back\\slash", "hello_world", "O'Brien chat"]),
        ("Message_Count__c <> 3", [None, "Back\\slash", "hello_world", "O'Brien chat"]),
        ("Message_Count__c < 3", ["Back\\slash"]),
        ("Message_Count__c <= 3", ["Back\\slash", "Hello 100%"]),
        ("Message_Count__c > 3", [None, "hello_world"]),
        ("Message_Count__c >= 10.5", ["hello_world"]),
        ("Message_Count__c > -1.5", [None, "Back\\slash", "Hello 100%", "hello_world"]),
        ("Is_Group__c = true", [None, "hello_world"]),
        ("Is_Group__c = FALSE", ["Back\\slash", "Hello 100%", "O'Brien chat"]),
        ("Name = 'hello 100%'", ["Hello 100%"]),
        ("Name < 'i'", ["Back\\slash", "Hello 100%", "hello_world"]),
    ],
)
def test_comparison_operators(db, where, expected):
    assert chat_names(db, where) == expected


def test_not_equal_matches_nulls_like_salesforce(db):
    assert chat_names(db, "Name != 'Hello 100%'") == [
        None, "Back\\slash", "hello_world", "O'Brien chat"
    ]


def test_null_comparisons(db):
    assert chat_names(db, "Message_Count__c = null") == ["O'Brien chat"]
    assert chat_names(db, "Name != NULL") == [
        "Back\\slash", "Hello 100%", "hello_world", "O'Brien chat"
    ]


def test_and_or_not_and_parentheses(db):
    assert chat_names(db, "Is_Group__c = false AND Message_Count__c > 0") == ["Hello 100%"]
    assert chat_names(db, "Message_Count__c = 0 OR Message_Count__c = 7 OR Name = 'x'") == [
        None, "Back\\slash"
    ]
    assert chat_names(db, "NOT Is_Group__c = true") == ["Back\\slash", "Hello 100%", "O'Brien chat"]
    assert chat_names(db, "NOT (Message_Count__c > 1)") == ["Back\\slash", "O'Brien chat"]


def test_parentheses_decide_grouping(db):
    grouped_or = "(Message_Count__c = 3 OR Message_Count__c = 7) AND Is_Group__c = true"
    grouped_and = "Message_Count__c = 3 OR (Message_Count__c = 7 AND Is_Group__c = true)"
    assert chat_names(db, grouped_or) == [None]
    assert chat_names(db, grouped_and) == [None, "Hello 100%"]


def test_mixing_and_with_or_needs_parentheses_like_salesforce(db):
    error = soql_error("SELECT Id FROM Lead WHERE Company = 'a' AND LastName = 'b' OR Id = 'c'")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith("ERROR at Row:1:Column:60\nunexpected token: OR")


def test_in_and_not_in(db):
    assert chat_names(db, "Message_Count__c IN (3, 0, 99)") == ["Back\\slash", "Hello 100%"]
    assert chat_names(db, "Name IN ('HELLO_WORLD', 'nope')") == ["hello_world"]
    assert chat_names(db, "Name NOT IN ('hello_world', 'Hello 100%')") == [
        None, "Back\\slash", "O'Brien chat"
    ]
    assert chat_names(db, "Name IN ('hello_world', null)") == [None, "hello_world"]
    assert chat_names(db, "Chat_Date__c IN (TODAY, 2026-10-15)") == ["Back\\slash", "Hello 100%"]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("'hello%'", ["Hello 100%", "hello_world"]),
        ("'%100\\%'", ["Hello 100%"]),
        ("'hello\\_%'", ["hello_world"]),
        ("'hello_world'", ["hello_world"]),
        ("'_ello%'", ["Hello 100%", "hello_world"]),
        ("'%\\\\%'", ["Back\\slash"]),
        ("'%\\'%'", ["O'Brien chat"]),
    ],
)
def test_like(db, pattern, expected):
    assert chat_names(db, f"Name LIKE {pattern}") == expected


def test_not_like_via_not(db):
    assert chat_names(db, "NOT Name LIKE 'hello%'") == [None, "Back\\slash", "O'Brien chat"]


def test_string_escapes(db):
    assert chat_names(db, "Name = 'O\\'Brien chat'") == ["O'Brien chat"]
    assert chat_names(db, "Name = 'Back\\\\slash'") == ["Back\\slash"]
    assert chat_names(db, "Name IN ('a\\nb', 'c\\td', 'e\\\"f')") == []


# -- dates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Chat_Date__c = 2026-11-24", ["Hello 100%"]),
        ("Chat_Date__c > 2026-11-23", ["Hello 100%", "O'Brien chat"]),
        ("Chat_Date__c = TODAY", ["Hello 100%"]),
        ("Chat_Date__c = YESTERDAY", ["hello_world"]),
        ("Chat_Date__c = TOMORROW", ["O'Brien chat"]),
        ("Chat_Date__c < TODAY", ["Back\\slash", "hello_world"]),
        ("Chat_Date__c <= TODAY", ["Back\\slash", "Hello 100%", "hello_world"]),
        ("Chat_Date__c > TODAY", ["O'Brien chat"]),
        ("Chat_Date__c >= TODAY", ["Hello 100%", "O'Brien chat"]),
        ("Chat_Date__c != TODAY", [None, "Back\\slash", "hello_world", "O'Brien chat"]),
        ("Chat_Date__c = LAST_N_DAYS:1", ["Hello 100%", "hello_world"]),
        ("Chat_Date__c = NEXT_N_DAYS:1", ["O'Brien chat"]),
        ("Chat_Date__c = THIS_WEEK", ["Hello 100%", "hello_world", "O'Brien chat"]),
        ("Chat_Date__c = LAST_WEEK", []),
        ("Chat_Date__c = THIS_MONTH", ["Hello 100%", "hello_world", "O'Brien chat"]),
        ("Chat_Date__c = LAST_MONTH", ["Back\\slash"]),
        ("Last_Message_At__c = TODAY", ["Hello 100%"]),
        ("Last_Message_At__c = yesterday", ["hello_world"]),
        ("Last_Message_At__c < TODAY", ["Back\\slash", "hello_world"]),
        ("Last_Message_At__c > TODAY", ["O'Brien chat"]),
        ("Last_Message_At__c <= TODAY", ["Back\\slash", "Hello 100%", "hello_world"]),
        ("Last_Message_At__c = LAST_N_DAYS:40", [
            "Back\\slash", "Hello 100%", "hello_world"
        ]),
        ("Last_Message_At__c = 2026-11-24T10:00:00Z", ["Hello 100%"]),
        ("Last_Message_At__c = 2026-11-24T11:00:00.000+01:00", ["Hello 100%"]),
        ("Last_Message_At__c = 2026-11-23T15:59:59-0800", ["hello_world"]),
        ("Last_Message_At__c >= 2026-11-24T00:00:00Z", ["Hello 100%", "O'Brien chat"]),
    ],
)
def test_date_and_datetime_filters(db, where, expected):
    assert chat_names(db, where) == expected


def test_date_literals_follow_the_now_argument(db):
    compiled = compile_query(
        "SELECT COUNT() FROM WhatsApp_Chat__c WHERE Chat_Date__c = TODAY",
        SCHEMA,
        now=datetime(2026, 10, 15, 23, 0, tzinfo=timezone.utc),
    )
    assert db.execute(compiled.sql, compiled.params).fetchone()[0] == 1


# -- ORDER BY, LIMIT, OFFSET, COUNT() ------------------------------------------------


def test_order_by_nulls_placement(db):
    def names(order: str) -> list:
        soql = f"SELECT Name FROM WhatsApp_Chat__c ORDER BY {order}"
        return [r["Name"] for r in records(db, soql)]

    ascending = [None, "Back\\slash", "Hello 100%", "hello_world", "O'Brien chat"]
    assert names("Name") == ascending
    assert names("Name ASC NULLS LAST") == ascending[1:] + [None]
    assert names("Name DESC") == list(reversed(ascending))
    assert names("Name DESC NULLS FIRST") == [None] + list(reversed(ascending[1:]))


def test_order_by_several_keys(db):
    soql = "SELECT Name FROM WhatsApp_Chat__c ORDER BY Is_Group__c DESC, Message_Count__c ASC NULLS LAST"
    assert [r["Name"] for r in records(db, soql)] == [
        None, "hello_world", "Back\\slash", "Hello 100%", "O'Brien chat"
    ]


def test_limit_and_offset(db):
    base = "SELECT Name FROM WhatsApp_Chat__c WHERE Name != null ORDER BY Name"
    assert [r["Name"] for r in records(db, base + " LIMIT 2")] == ["Back\\slash", "Hello 100%"]
    assert [r["Name"] for r in records(db, base + " LIMIT 2 OFFSET 1")] == [
        "Hello 100%", "hello_world"
    ]
    assert [r["Name"] for r in records(db, base + " OFFSET 3")] == ["O'Brien chat"]


def test_count(db):
    assert count(db, "SELECT COUNT() FROM WhatsApp_Chat__c") == 5
    assert count(db, "select count() from WhatsApp_Chat__c where Is_Group__c = true") == 2
    assert count(db, "SELECT COUNT() FROM WhatsApp_Chat__c LIMIT 3") == 3
    assert count(db, "SELECT COUNT() FROM Contact WHERE Account.Name = 'Acme'") == 1


def test_query_all_includes_deleted_rows(db):
    assert count(db, "SELECT COUNT() FROM WhatsApp_Chat__c", include_deleted=True) == 6
    soql = "SELECT Name FROM WhatsApp_Chat__c WHERE Name = 'Deleted chat'"
    assert records(db, soql) == []
    assert len(records(db, soql, include_deleted=True)) == 1


def test_compiled_query_reports_object_and_columns():
    compiled = compile_query("SELECT id, contact__r.account.name FROM whatsapp_chat__c", SCHEMA, now=NOW)
    assert compiled.object_name == "WhatsApp_Chat__c"
    assert not compiled.is_count
    assert [column.api_name for column in compiled.columns] == ["Id", "Contact__r.Account.Name"]


def test_parse_keeps_the_query_structure():
    tree = parse("SELECT Id FROM Contact WHERE LastName = 'x' ORDER BY LastName DESC LIMIT 5")
    assert tree.object.name == "Contact"
    assert tree.limit == 5 and tree.order_by[0].descending and not tree.order_by[0].nulls_first


# -- errors -----------------------------------------------------------------------


def test_invalid_type_matches_recorded_salesforce_response():
    # Recorded in cumulusci's TestCountSObjects.test_count_sobjects__errors cassette.
    error = soql_error("select count() from XYZZY")
    assert error.error_code == "INVALID_TYPE"
    assert error.message == (
        "\nselect count() from XYZZY\n                    ^\nERROR at Row:1:Column:21\n"
        "sObject type 'XYZZY' is not supported. If you are attempting to use a custom object,"
        " be sure to append the '__c' after the entity name. Please reference your WSDL or the"
        " describe call for the appropriate names."
    )


def test_invalid_field_matches_recorded_salesforce_response():
    # The shape cumulusci's custom_settings_wait tests record for a missing field.
    schema = Schema([_object("npe5__Affiliation__c")])
    with pytest.raises(SoqlError) as caught:
        compile_query("SELECT SetupOwnerId FROM npe5__Affiliation__c", schema, now=NOW)
    assert caught.value.error_code == "INVALID_FIELD"
    assert caught.value.message == (
        "\nSELECT SetupOwnerId FROM npe5__Affiliation__c\n       ^\nERROR at Row:1:Column:8\n"
        "No such column 'SetupOwnerId' on entity 'npe5__Affiliation__c'. If you are attempting"
        " to use a custom field, be sure to append the '__c' after the custom field name. Please"
        " reference your WSDL or the describe call for the appropriate names."
    )


def test_unknown_field_on_a_parent_names_the_parent():
    error = soql_error("SELECT Id FROM Contact WHERE Account.Bogus__c = 'x'")
    assert error.error_code == "INVALID_FIELD"
    assert "ERROR at Row:1:Column:30\nNo such column 'Bogus__c' on entity 'Account'." in error.message


def test_unknown_relationship():
    error = soql_error("SELECT Id, Foo__r.Name FROM Contact")
    assert error.error_code == "INVALID_FIELD"
    assert error.message == (
        "\nSELECT Id, Foo__r.Name FROM Contact\n           ^\nERROR at Row:1:Column:12\n"
        "Didn't understand relationship 'Foo__r' in field path. If you are attempting to use a"
        " custom relationship, be sure to append the '__r' after the custom relationship name."
        " Please reference your WSDL or the describe call for the appropriate names."
    )


def test_a_plain_field_is_not_a_relationship():
    error = soql_error("SELECT LastName.Foo FROM Contact")
    assert "Didn't understand relationship 'LastName' in field path." in error.message


@pytest.mark.parametrize(
    ("where", "field", "expected"),
    [
        ("Chat_Date__c = '2026-11-24'", "Chat_Date__c", "date and should not be enclosed in quotes"),
        ("Last_Message_At__c > '2026'", "Last_Message_At__c", "dateTime and should not be enclosed in quotes"),
        ("Last_Message_At__c > 2026-11-24", "Last_Message_At__c", "dateTime and should not be enclosed in quotes"),
        ("Chat_Date__c = 2026-11-24T10:00:00Z", "Chat_Date__c", "date and should not be enclosed in quotes"),
        ("Message_Count__c = '3'", "Message_Count__c", "double and should not be enclosed in quotes"),
        ("Is_Group__c = 'true'", "Is_Group__c", "boolean and should not be enclosed in quotes"),
        ("Name = 3", "Name", "string and should be enclosed in quotes"),
        ("Name = TODAY", "Name", "string and should be enclosed in quotes"),
        ("Contact__c = true", "Contact__c", "id and should be enclosed in quotes"),
        ("Message_Count__c LIKE '3%'", "Message_Count__c", "double and should not be enclosed in quotes"),
        ("Name IN ('a', 3)", "Name", "string and should be enclosed in quotes"),
    ],
)
def test_filter_value_of_the_wrong_type(where, field, expected):
    error = soql_error(f"SELECT Id FROM WhatsApp_Chat__c WHERE {where}")
    assert error.error_code == "INVALID_FIELD"
    assert error.message == (
        f"\nSELECT Id FROM WhatsApp_Chat__c WHERE {where}\n{' ' * 38}^\n"
        f"ERROR at Row:1:Column:39\nvalue of filter criterion for field '{field}' must be of type {expected}"
    )


def test_malformed_query_points_at_the_unexpected_token():
    error = soql_error("SELECT Id FROM Account WHERE Name = 'x' FOR UPDATE")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message == (
        "\nSELECT Id FROM Account WHERE Name = 'x' FOR UPDATE\n"
        f"{' ' * 40}^\nERROR at Row:1:Column:41\nunexpected token: FOR"
    )


def test_query_ending_too_early():
    error = soql_error("SELECT Id FROM Account WHERE")
    assert error.message == (
        "\nSELECT Id FROM Account WHERE\n" + " " * 28 + "^\nERROR at Row:1:Column:29\n"
        "unexpected token: <EOF>"
    )


def test_errors_on_later_lines_report_that_line():
    error = soql_error("SELECT Id\nFROM Account\nWHERE Name == 'x'")
    assert error.message == "\nWHERE Name == 'x'\n            ^\nERROR at Row:3:Column:13\nunexpected token: ="


@pytest.mark.parametrize(
    ("soql", "token"),
    [
        ("SELECT Name, COUNT() FROM Account", ")"),
        ("SELECT COUNT(*) FROM Account", "*"),
        ("SELECT COUNT() FROM Account GROUP BY Name", "GROUP"),
        ("SELECT CALENDAR_YEAR(CreatedDate) FROM Account", "("),
        ("SELECT Name FROM Account GROUP BY ROLLUP(Name)", "("),
        ("SELECT Name n FROM Account", "n"),
        ("SELECT Id FROM Account WHERE COUNT(Id) > 1", "("),
        ("SELECT COUNT(Id) FROM Account HAVING COUNT(Id) > 1", "HAVING"),
        ("SELECT Id FROM Contact WHERE AccountId IN (SELECT Id FROM Account)", "SELECT"),
        ("SELECT TYPEOF Owner WHEN User THEN Name END FROM Account", "TYPEOF"),
        ("SELECT FIELDS(ALL) FROM Account LIMIT 200", "("),
        ("SELECT Id FROM Account FOR UPDATE", "FOR"),
        ("SELECT Id FROM Account WITH SECURITY_ENFORCED", "WITH"),
        ("SELECT Id FROM Account USING SCOPE Mine", "USING"),
        ("SELECT Id FROM Account a", "a"),
        ("SELECT Id FROM Account;", ";"),
        ("SELECT Id FROM Account LIMIT -1", "-1"),
        ("SELECT Id FROM Account LIMIT 1.5", "1.5"),
        ("SELECT Id FROM Account WHERE Name = \"x\"", '"'),
        ("SELECT Id FROM Account WHERE Name = 'x", "'x"),
        ("SELECT Id FROM Account WHERE Name = x", "x"),
        ("SELECT Id FROM Account WHERE NumberOfEmployees > null", "null"),
        ("SELECT Id FROM Account WHERE CreatedDate = 2026-13-01", "2026-13-01"),
        ("SELECT Id FROM Account WHERE Name IN ()", ")"),
        ("SELECT Id FROM Account WHERE Name NOT LIKE 'x'", "LIKE"),
        ("SELECT FROM Account", "FROM"),
        ("SELECT Id", "<EOF>"),
        ("", "<EOF>"),
    ],
)
def test_unsupported_or_broken_syntax_is_malformed(soql, token):
    error = soql_error(soql)
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(f"\nunexpected token: {token}")


def test_invalid_escape_is_malformed():
    error = soql_error("SELECT Id FROM Account WHERE Name = 'a\\qb'")
    assert error.error_code == "MALFORMED_QUERY"
    assert error.message.endswith(
        "Invalid string literal '\\q'. Illegal character sequence '\\q' in string literal."
    )


def test_more_than_five_relationship_levels_is_rejected():
    error = soql_error("SELECT Account.Owner.A.B.C.D.Name FROM Contact")
    assert error.error_code == "MALFORMED_QUERY"
