"""The local org's schema: describes match recorded real ones, custom fields map like Salesforce,
and the registry keeps deployed schema across restarts."""
from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

import cumulusci
import pytest
import yaml
from lxml import etree

from eazybe_local_org.metadata_api.components import field_attributes
from eazybe_local_org.schema.describe import describe_global, describe_sobject
from eazybe_local_org.schema.model import FieldDef
from eazybe_local_org.schema.registry import SchemaRegistry
from eazybe_local_org.schema.standard import (
    UnsupportedField,
    allocate_key_prefix,
    custom_field,
    custom_object,
    standard_objects,
)
from eazybe_local_org.soql import compile_query
from repo_paths import FORCE_APP

CASSETTES = Path(cumulusci.__file__).parent / "tests" / "shared_cassettes"
OBJECTS = FORCE_APP / "main" / "default" / "objects"


def recorded(name: str) -> dict[str, Any]:
    """A real response body recorded by CumulusCI, read from the installed package."""
    cassette = yaml.safe_load((CASSETTES / f"GET_sobjects_{name}.yaml").read_text())
    return json.loads(cassette["response"]["body"]["string"])


def json_types(entries: list[dict[str, Any]]) -> dict[str, set[str]]:
    """Per key, the JSON types its values take across `entries`."""
    types: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        for key, value in entry.items():
            types[key].add(type(value).__name__)
    return types


def assert_same_shape(ours: list[dict[str, Any]], real: list[dict[str, Any]]) -> None:
    ours_types, real_types = json_types(ours), json_types(real)
    assert set(real_types) <= set(ours_types), set(real_types) - set(ours_types)
    for key in real_types:  # keys newer API versions added may be missing from older recordings
        assert ours_types[key] <= real_types[key], (key, ours_types[key], real_types[key])


@pytest.mark.parametrize("name", ["Account", "Contact", "Lead"])
def test_describe_has_the_recorded_shape(name: str) -> None:
    real = recorded(f"{name}_describe")
    ours = describe_sobject(standard_objects()[name], "59.0", instance_url="https://local.example")
    assert_same_shape([ours], [real])
    assert set(real["urls"]) <= set(ours["urls"])
    assert_same_shape(ours["fields"], real["fields"])
    assert_same_shape(ours["recordTypeInfos"], real["recordTypeInfos"])
    assert_same_shape(ours["childRelationships"] or real["childRelationships"][:1], real["childRelationships"])
    picklists = [value for f in ours["fields"] for value in f["picklistValues"]]
    assert_same_shape(picklists, [value for f in real["fields"] for value in f["picklistValues"]])
    assert (ours["name"], ours["keyPrefix"], ours["label"], ours["labelPlural"]) == (
        real["name"], real["keyPrefix"], real["label"], real["labelPlural"]
    )  # fmt: skip


@pytest.mark.parametrize("name", ["Account", "Contact", "Lead"])
def test_fields_agree_with_the_recorded_describe(name: str) -> None:
    real = {f["name"]: f for f in recorded(f"{name}_describe")["fields"]}
    ours = describe_sobject(standard_objects()[name], "59.0")["fields"]
    compared = ("type", "length", "nillable", "createable", "updateable", "defaultedOnCreate", "soapType",
                "referenceTo", "relationshipName", "precision", "scale", "digits", "nameField", "idLookup")  # fmt: skip
    shared = [f for f in ours if f["name"] in real]
    assert len(shared) >= 30
    for field in shared:
        assert {k: field[k] for k in compared} == {k: real[field["name"]][k] for k in compared}, field["name"]


def test_global_describe_has_the_recorded_shape() -> None:
    real = recorded("Global_describe")
    ours = describe_global(standard_objects().values(), "59.0")
    assert_same_shape([ours], [real])
    assert_same_shape(ours["sobjects"], real["sobjects"])
    real_by_name = {s["name"]: s for s in real["sobjects"]}
    common_urls = set.intersection(*(set(s["urls"]) for s in real["sobjects"]))
    for entry in ours["sobjects"]:
        if entry["name"] in real_by_name:
            # the recording blanked Lead's prefix, so only recorded prefixes are compared
            assert real_by_name[entry["name"]]["keyPrefix"] in (entry["keyPrefix"], None)
            assert set(entry["urls"]) >= common_urls


def test_required_fields_follow_salesforce() -> None:
    objects = standard_objects()
    required = {name: {f.name for f in obj.fields.values() if f.required_on_create} for name, obj in objects.items()}
    assert required["Account"] == {"Name"}
    assert required["Contact"] == {"LastName"}
    assert required["Lead"] == {"LastName", "Company"}
    assert required["Note"] == {"ParentId", "Title"}
    note = objects["Note"]
    assert note.fields["ParentId"].createable and not note.fields["ParentId"].updateable
    assert note.fields["Title"].length == 80 and note.fields["Body"].length == 32000
    lead = objects["Lead"]
    assert lead.fields["Status"].default_value == "Open - Not Contacted"
    assert lead.fields["IsConverted"].createable and not lead.fields["IsConverted"].updateable
    version = objects["ContentVersion"]
    assert not version.fields["ContentDocumentId"].createable and not version.fields["Checksum"].updateable
    assert version.fields["VersionData"].type == "base64"
    assert not any(f.createable or f.updateable for f in objects["Organization"].fields.values())
    prefixes = {name: obj.key_prefix for name, obj in objects.items()}
    assert prefixes == {
        "Organization": "00D", "User": "005", "Account": "001", "Contact": "003", "Lead": "00Q", "Note": "002",
        "ContentVersion": "068", "ContentDocument": "069", "ContentDocumentLink": "06A",
    }  # fmt: skip


def test_every_object_has_the_system_fields() -> None:
    for obj in standard_objects().values():
        assert list(obj.fields)[0] == "Id" and "SystemModstamp" in obj.fields
        assert all(not obj.fields[name].updateable for name in ("Id", "SystemModstamp"))


def parse_custom_field(path: Path) -> dict[str, Any]:
    """A source-format CustomField file read as the deploy reads it, so both sides share one reader."""
    return field_attributes(etree.parse(str(path)).getroot())


def project_field(object_name: str, field_name: str) -> FieldDef:
    return custom_field(object_name, parse_custom_field(OBJECTS / object_name / "fields" / f"{field_name}.field-meta.xml"))


def test_custom_field_types_of_the_project() -> None:
    key = project_field("WhatsApp_Chat__c", "Chat_Key__c")
    assert (key.type, key.length, key.unique, key.external_id, key.case_sensitive, key.id_lookup) == (
        "string", 255, True, True, True, True
    )  # fmt: skip
    assert key.custom and key.nillable and key.createable and key.updateable
    transcript = project_field("WhatsApp_Chat__c", "Transcript__c")
    assert (transcript.type, transcript.length) == ("textarea", 131072)
    count = project_field("WhatsApp_Chat__c", "Message_Count__c")
    assert (count.type, count.precision, count.scale) == ("double", 9, 0)
    group = project_field("WhatsApp_Chat__c", "Is_Group__c")
    assert (group.type, group.nillable, group.defaulted_on_create, group.default_value) == ("boolean", False, True, False)
    assert project_field("WhatsApp_Chat__c", "Chat_Date__c").type == "date"
    assert project_field("WhatsApp_Chat__c", "Last_Message_At__c").type == "datetime"
    assert (project_field("WhatsApp_Chat__c", "WhatsApp_Number__c").type, 40) == ("phone", 40)
    source = project_field("WhatsApp_Chat__c", "Source__c")
    assert source.type == "picklist" and source.restricted_picklist
    assert source.picklist_values == ("Cloud API", "Chat Export", "Feed", "Business App") and source.default_value is None
    contact = project_field("WhatsApp_Chat__c", "Contact__c")
    assert (contact.type, contact.reference_to, contact.relationship_name, contact.child_relationship_name) == (
        "reference", ("Contact",), "Contact__r", "WhatsApp_Chats__r"
    )  # fmt: skip
    assert contact.delete_constraint == "SetNull" and contact.length == 18
    assert project_field("Contact", "WhatsApp_Do_Not_Log__c").inline_help_text


def test_custom_field_mapping_details() -> None:
    required = custom_field("X__c", {"fullName": "X__c.Code__c", "type": "Text", "length": "20", "required": "true"})
    assert (required.name, required.nillable, required.required_on_create) == ("Code__c", False, True)
    assert custom_field("X__c", {"fullName": "Email__c", "type": "Email"}).type == "email"
    assert custom_field("X__c", {"fullName": "Site__c", "type": "Url"}).type == "url"
    picked = custom_field("X__c", {"fullName": "P__c", "type": "Picklist", "values": ["A", {"fullName": "B", "default": "true"}]})
    assert (picked.picklist_values, picked.default_value, picked.defaulted_on_create) == (("A", "B"), "B", True)
    with pytest.raises(UnsupportedField, match="^Field type Formula is not supported by the local org$"):
        custom_field("X__c", {"fullName": "F__c", "type": "Formula"})
    with pytest.raises(UnsupportedField, match="^Formula fields are not supported"):
        custom_field("X__c", {"fullName": "F__c", "type": "Text", "formula": "Name"})
    quoted = custom_field("X__c", {"fullName": "T__c", "type": "Text", "length": "5", "defaultValue": '"abc"'})
    assert (quoted.default_value, quoted.defaulted_on_create) == ("abc", True)
    assert custom_field("X__c", {"fullName": "N__c", "type": "Number", "defaultValue": "7"}).default_value == 7.0
    today = custom_field("X__c", {"fullName": "D__c", "type": "Date", "defaultValue": "TODAY()"})
    assert (today.default_value, today.defaulted_on_create) == (None, False)
    numbered = custom_field("X__c", {"fullName": "No__c", "type": "AutoNumber", "displayFormat": "A-{0}"})
    assert (numbered.auto_number_format, numbered.id_lookup, numbered.createable) == ("A-{0}", True, False)


def test_custom_object_base() -> None:
    obj = custom_object("Thing__c", "Thing", "Things", "a01")
    assert obj.custom and obj.key_prefix == "a01"
    assert obj.fields["OwnerId"].reference_to == ("Group", "User")
    assert obj.fields["Name"].length == 80 and obj.fields["Name"].name_field and not obj.fields["Name"].required_on_create
    numbered = custom_object("Thing__c", "Thing", "Things", "a01", auto_number_format="T-{0000}")
    name = describe_sobject(numbered, "59.0")["fields"][2]
    assert (name["name"], name["autoNumber"], name["createable"], name["length"]) == ("Name", True, False, 30)
    detail = custom_object("Line__c", "Line", "Lines", "a02", controlled_by_parent=True, activities=True)
    assert "OwnerId" not in detail.fields and detail.fields["LastActivityDate"].type == "date"
    assert allocate_key_prefix(["a01", "a02"]) == "a03"


def whatsapp_chat(registry: SchemaRegistry) -> None:
    registry.upsert_object(custom_object("WhatsApp_Chat__c", "WhatsApp Chat", "WhatsApp Chats", registry.allocate_key_prefix()))
    for path in sorted((OBJECTS / "WhatsApp_Chat__c" / "fields").glob("*.xml")):
        registry.upsert_field("WhatsApp_Chat__c", custom_field("WhatsApp_Chat__c", parse_custom_field(path)))


def test_registry_keeps_deployed_schema_across_reopen(tmp_path: Path) -> None:
    database = tmp_path / "org.sqlite"
    with sqlite3.connect(database) as conn:
        registry = SchemaRegistry(conn)
        whatsapp_chat(registry)
        registry.upsert_field("contact", project_field("Contact", "WhatsApp_Do_Not_Log__c"))
        prefix = registry.object("WhatsApp_Chat__c").key_prefix
    conn.close()

    reopened = SchemaRegistry(sqlite3.connect(database))
    chat = reopened.object("whatsapp_chat__C")
    assert chat is not None and chat.name == "WhatsApp_Chat__c" and chat.key_prefix == prefix
    assert chat.field("chat_key__c").external_id
    assert chat.fields["Source__c"].picklist_values == ("Cloud API", "Chat Export", "Feed", "Business App")
    assert reopened.object("CONTACT").field("WhatsApp_Do_Not_Log__c").type == "boolean"
    assert reopened.object("Contact").field("LastName") is not None
    assert reopened.object("Nope__c") is None


def test_registry_redeploy_keeps_key_prefix_and_adds_columns(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "org.sqlite")
    registry = SchemaRegistry(conn)
    first = registry.upsert_object(custom_object("Thing__c", "Thing", "Things", registry.allocate_key_prefix()))
    again = registry.upsert_object(custom_object("thing__c", "Thing", "Things", "a0Z"))
    assert again.key_prefix == first.key_prefix and again.name == "Thing__c"
    registry.upsert_field("Thing__c", custom_field("Thing__c", {"fullName": "Size__c", "type": "Number", "precision": "5"}))
    columns = {row[1]: row[2] for row in conn.execute('PRAGMA table_info("Thing__c")')}
    assert columns["Size__c"] == "REAL" and columns["IsDeleted"] == "INTEGER"


def test_registry_child_relationships_and_polymorphic_parents(tmp_path: Path) -> None:
    registry = SchemaRegistry(sqlite3.connect(tmp_path / "org.sqlite"))
    whatsapp_chat(registry)
    children = {(c.child_object, c.field): c.relationship_name for c in registry.child_relationships("Contact")}
    assert children[("WhatsApp_Chat__c", "Contact__c")] == "WhatsApp_Chats__r"
    assert children[("Note", "ParentId")] == "Notes"
    assert "WhatsApp_Chat__c" in registry.object("ContentDocumentLink").fields["LinkedEntityId"].reference_to
    described = describe_sobject(registry.object("Contact"), "59.0", registry.child_relationships("Contact"))
    entry = next(c for c in described["childRelationships"] if c["childSObject"] == "WhatsApp_Chat__c")
    assert (entry["field"], entry["relationshipName"], entry["cascadeDelete"]) == ("Contact__c", "WhatsApp_Chats__r", False)


def test_soql_lookup_compiles_against_the_registry(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "org.sqlite")
    registry = SchemaRegistry(conn)
    whatsapp_chat(registry)
    lookup = registry.soql_lookup()
    assert lookup.object("whatsapp_chat__c") is lookup.object("WhatsApp_Chat__c")
    query = "SELECT Id, Contact__r.LastName FROM WhatsApp_Chat__c WHERE Chat_Key__c = 'k' ORDER BY Chat_Date__c"
    compiled = compile_query(query, lookup, now=datetime(2024, 1, 1))
    assert conn.execute(compiled.sql, compiled.params).fetchall() == []
