"""Record storage: tables follow ObjectDefs, round trips keep storage form, unique values are enforced."""
from __future__ import annotations

import sqlite3

import pytest

from eazybe_local_org import storage
from eazybe_local_org.ids import IdGenerator
from eazybe_local_org.schema.model import ObjectDef
from eazybe_local_org.schema.standard import custom_field, custom_object, standard_objects
from eazybe_local_org.soql.field_paths import quote_identifier


def chat_object() -> ObjectDef:
    obj = custom_object("WhatsApp_Chat__c", "WhatsApp Chat", "WhatsApp Chats", "a01")
    for attributes in (
        {"fullName": "Chat_Key__c", "type": "Text", "length": "255", "externalId": "true", "unique": "true", "caseSensitive": "true"},
        {"fullName": "Email_Key__c", "type": "Text", "length": "80", "externalId": "true", "unique": "true"},
        {"fullName": "Loose_Key__c", "type": "Text", "length": "80", "externalId": "true"},
        {"fullName": "Message_Count__c", "type": "Number", "precision": "9", "scale": "0"},
        {"fullName": "Is_Group__c", "type": "Checkbox", "defaultValue": "false"},
        {"fullName": "Contact__c", "type": "Lookup", "referenceTo": "Contact", "relationshipName": "WhatsApp_Chats"},
    ):  # fmt: skip
        obj = obj.with_field(custom_field(obj.name, attributes))
    return obj


@pytest.fixture
def conn() -> sqlite3.Connection:
    connection = sqlite3.connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture
def chat(conn: sqlite3.Connection) -> ObjectDef:
    obj = chat_object()
    storage.sync_table(conn, obj)
    return obj


def new_ids(n: int = 1) -> list[str]:
    return IdGenerator().next("a01", n)


def test_columns_take_the_sqlite_types_of_their_fields(conn: sqlite3.Connection, chat: ObjectDef) -> None:
    columns = {row[1]: row[2] for row in conn.execute('PRAGMA table_info("WhatsApp_Chat__c")')}
    assert columns["Id"] == "TEXT" and columns["IsDeleted"] == "INTEGER"
    assert (columns["Message_Count__c"], columns["Is_Group__c"], columns["CreatedDate"]) == ("REAL", "INTEGER", "TEXT")
    indexed = {row[2] for name, in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
               for row in conn.execute(f"PRAGMA index_info({quote_identifier(name)})")}  # fmt: skip
    assert {"Chat_Key__c", "Email_Key__c", "Loose_Key__c", "Contact__c", "OwnerId", "CreatedById"} <= indexed


def test_sync_adds_columns_for_new_fields(conn: sqlite3.Connection, chat: ObjectDef) -> None:
    (record_id,) = new_ids()
    storage.insert(conn, chat, {"Id": record_id, "Name": "kept"})
    grown = chat.with_field(custom_field(chat.name, {"fullName": "Chat_Date__c", "type": "Date"}))
    storage.sync_table(conn, grown)
    storage.sync_table(conn, grown)  # repeatable
    assert storage.update(conn, grown, record_id, {"Chat_Date__c": "2024-05-01"})
    assert storage.select_by_id(conn, grown, [record_id], ["Name", "Chat_Date__c"]) == {
        record_id: {"Name": "kept", "Chat_Date__c": "2024-05-01"}
    }


def test_round_trip_in_storage_form(conn: sqlite3.Connection, chat: ObjectDef) -> None:
    first, second = new_ids(2)
    storage.insert_many(conn, chat, [
        {"Id": first, "Name": "a", "Message_Count__c": 3.0, "Is_Group__c": 1, "CreatedDate": "2024-05-01T10:00:00.000+0000"},
        {"Id": second, "Name": "b", "Is_Group__c": 0},
    ])  # fmt: skip
    found = storage.select_by_id(conn, chat, [second, first, "a015g0000000099AAA"])
    assert set(found) == {first, second}
    assert found[first]["Message_Count__c"] == 3.0 and found[first]["Is_Group__c"] == 1
    assert found[first]["CreatedDate"] == "2024-05-01T10:00:00.000+0000"
    assert found[second]["Message_Count__c"] is None and found[second]["IsDeleted"] == 0


def test_update_and_mark_deleted(conn: sqlite3.Connection, chat: ObjectDef) -> None:
    first, second = new_ids(2)
    storage.insert_many(conn, chat, [{"Id": first, "Name": "a"}, {"Id": second, "Name": "b"}])
    assert storage.update(conn, chat, first, {"Name": "renamed", "Message_Count__c": 7.0})
    assert not storage.update(conn, chat, "a015g0000000099AAA", {"Name": "x"})
    assert storage.mark_deleted(conn, chat, [first, first, "a015g0000000099AAA"]) == 1
    assert set(storage.select_by_id(conn, chat, [first, second])) == {second}
    deleted = storage.select_by_id(conn, chat, [first], ["Name", "IsDeleted"], include_deleted=True)
    assert deleted[first] == {"Name": "renamed", "IsDeleted": 1}
    assert not storage.update(conn, chat, first, {"Name": "ghost"})
    assert not storage.update(conn, chat, first, {})


def test_duplicate_external_id_is_rejected(conn: sqlite3.Connection, chat: ObjectDef) -> None:
    first, second, third = new_ids(3)
    storage.insert(conn, chat, {"Id": first, "Chat_Key__c": "acct|chat|2024-05-01"})
    with pytest.raises(sqlite3.IntegrityError):
        storage.insert(conn, chat, {"Id": second, "Chat_Key__c": "acct|chat|2024-05-01"})
    storage.insert(conn, chat, {"Id": second, "Chat_Key__c": "ACCT|chat|2024-05-01"})  # case-sensitive field
    storage.insert(conn, chat, {"Id": third, "Email_Key__c": "A@x.com"})
    with pytest.raises(sqlite3.IntegrityError):
        storage.update(conn, chat, first, {"Email_Key__c": "a@X.com"})  # case-insensitive field
    storage.mark_deleted(conn, chat, [third])
    storage.update(conn, chat, first, {"Email_Key__c": "a@X.com"})  # deleted records do not block


def test_find_by_field_follows_case_sensitivity(conn: sqlite3.Connection, chat: ObjectDef) -> None:
    first, second, third = new_ids(3)
    storage.insert_many(conn, chat, [
        {"Id": first, "Chat_Key__c": "Key-1", "Email_Key__c": "A@x.com", "Loose_Key__c": "dup"},
        {"Id": second, "Loose_Key__c": "DUP"},
        {"Id": third, "Loose_Key__c": "dup"},
    ])  # fmt: skip
    fields = chat.fields
    assert storage.find_by_field(conn, chat, fields["Chat_Key__c"], "Key-1") == [first]
    assert storage.find_by_field(conn, chat, fields["Chat_Key__c"], "key-1") == []
    assert storage.find_by_field(conn, chat, fields["Email_Key__c"], "a@X.COM") == [first]
    assert sorted(storage.find_by_field(conn, chat, fields["Loose_Key__c"], "Dup")) == sorted([first, second, third])
    storage.mark_deleted(conn, chat, [third])
    assert sorted(storage.find_by_field(conn, chat, fields["Loose_Key__c"], "dup")) == sorted([first, second])


def test_every_standard_object_gets_a_table_the_soql_layout_expects(conn: sqlite3.Connection) -> None:
    for obj in standard_objects().values():
        storage.sync_table(conn, obj)
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({quote_identifier(obj.name)})")}
        assert {"Id", "IsDeleted"} | {f.name for f in storage.stored_fields(obj)} == columns
