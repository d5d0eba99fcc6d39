"""The offline metadata checks: the project's source passes, and each kind of mistake is caught
with the file, the line and what is wrong."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from eazybe_tasks.metadata.check import check_source
from repo_paths import FORCE_APP

CHAT = Path("objects/WhatsApp_Chat__c")
FIELDS = CHAT / "fields"
INTEGRATION = Path("permissionsets/WhatsApp_Sync_Integration.permissionset-meta.xml")
LAYOUT = Path("layouts/WhatsApp_Chat__c-WhatsApp Chat Layout.layout-meta.xml")


def edit(path: Path, old: str, new: str) -> None:
    """Replaces one exact snippet in a metadata file; fails loudly if the snippet is not there."""
    content = path.read_text(encoding="utf-8")
    assert old in content, f"{old!r} not found in {path}"
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


def messages(root: Path) -> list[str]:
    return [str(problem) for problem in check_source(root.parent.parent)]


def test_project_source_has_no_problems() -> None:
    assert check_source(FORCE_APP) == []


def test_source_has_the_data_model() -> None:
    fields = {p.name.split(".")[0] for p in (FORCE_APP / "main/default" / FIELDS).iterdir()}
    assert fields == {
        "Chat_Key__c", "Contact__c", "Lead__c", "WhatsApp_Number__c", "Business_Number__c",
        "Chat_Name__c", "Is_Group__c", "Chat_Date__c", "First_Message_At__c",
        "Last_Message_At__c", "Message_Count__c", "Inbound_Count__c", "Outbound_Count__c",
        "Attachment_Count__c", "Transcript__c", "Source__c", "Last_Synced_At__c",
        "WhatsApp_User_Id__c", "WhatsApp_Username__c",
    }
    for person in ("Contact", "Lead"):
        person_fields = {
            p.name.split(".")[0] for p in (FORCE_APP / f"main/default/objects/{person}/fields").iterdir()
        }
        assert person_fields == {
            "WhatsApp_Last_Synced__c", "WhatsApp_Last_Message_At__c", "WhatsApp_Do_Not_Log__c",
            "WhatsApp_User_Id__c",
        }


def test_field_removed_but_left_in_layout_and_permission_sets(source_copy: Callable[[], Path]) -> None:
    root = source_copy()
    (root / FIELDS / "Chat_Name__c.field-meta.xml").unlink()
    found = messages(root)
    dangling = [m for m in found if "WhatsApp_Chat__c.Chat_Name__c, which does not exist" in m]
    assert {Path(m.split(":")[0]).name for m in dangling} == {
        "WhatsApp_Chat__c-WhatsApp Chat Layout.layout-meta.xml",
        "WhatsApp_Sync_Integration.permissionset-meta.xml",
        "WhatsApp_Chat_Viewer.permissionset-meta.xml",
    }
    assert all(int(m.split(":")[1]) > 1 for m in dangling), "each problem points at its line"


def test_field_removed_but_left_in_list_view_and_compact_layout(source_copy: Callable[[], Path]) -> None:
    root = source_copy()
    (root / FIELDS / "Message_Count__c.field-meta.xml").unlink()
    files = {Path(m.split(":")[0]).name for m in messages(root) if "Message_Count__c, which" in m}
    assert {"Today.listView-meta.xml", "WhatsApp_Chat_Compact.compactLayout-meta.xml",
            "WhatsApp_Chat__c.object-meta.xml"} <= files


def test_field_without_field_level_security(source_copy: Callable[[], Path]) -> None:
    root = source_copy()
    edit(root / INTEGRATION,
         "    <fieldPermissions>\n        <editable>true</editable>\n"
         "        <field>WhatsApp_Chat__c.Transcript__c</field>\n        <readable>true</readable>\n"
         "    </fieldPermissions>\n", "")
    assert [m for m in messages(root) if "Transcript__c has no readable field permission" in m]


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("Chat_Name__c.field-meta.xml", "<length>255</length>", "<length>300</length>",
         "Text field needs a <length> from 1 to 255, found 300"),
        ("Transcript__c.field-meta.xml", "<length>131072</length>", "<length>200000</length>",
         "LongTextArea field needs a <length> from 256 to 131072, found 200000"),
        ("Is_Group__c.field-meta.xml", "<description>", "<externalId>true</externalId>\n    <description>",
         "external id on a Checkbox field"),
        ("Message_Count__c.field-meta.xml", "<precision>9</precision>", "<precision>19</precision>",
         "Number field needs a <precision> from 1 to 18, found 19"),
        ("Source__c.field-meta.xml", "<fullName>Feed</fullName>", "<fullName>cloud api</fullName>",
         "picklist value 'cloud api' repeats the value on line"),
        ("Chat_Date__c.field-meta.xml",
         "    <inlineHelpText>The day these messages were exchanged (business account's time zone).</inlineHelpText>\n",
         "", "<inlineHelpText> is missing or empty"),
        ("Contact__c.field-meta.xml", "<deleteConstraint>SetNull</deleteConstraint>", "",
         "Lookup field needs <deleteConstraint>"),
    ],
)
def test_field_limits(source_copy: Callable[[], Path], file: str, old: str, new: str, expected: str) -> None:
    root = source_copy()
    edit(root / FIELDS / file, old, new)
    found = messages(root)
    assert [m for m in found if expected in m and file in m], found


def test_api_name_longer_than_40_characters(source_copy: Callable[[], Path]) -> None:
    root = source_copy()
    name = "A_Field_Name_That_Is_Longer_Than_Forty_Chars__c"
    old = root / FIELDS / "Chat_Name__c.field-meta.xml"
    new = old.with_name(f"{name}.field-meta.xml")
    new.write_text(old.read_text().replace("Chat_Name__c", name))
    assert [m for m in messages(root) if f"field API name {name!r} is 44 characters" in m]


def test_element_out_of_schema_order_is_reported_with_its_line(source_copy: Callable[[], Path]) -> None:
    root = source_copy()
    edit(root / FIELDS / "Chat_Name__c.field-meta.xml", "    <type>Text</type>\n", "")
    edit(root / FIELDS / "Chat_Name__c.field-meta.xml", "<description>", "<type>Text</type>\n    <description>")
    found = [m for m in messages(root) if "Metadata API schema" in m]
    # <type> now sits on line 4, so <description> on line 5 is where the order breaks.
    assert len(found) == 1 and found[0].split(":")[1] == "5", found
    assert "Element 'description': This element is not expected" in found[0]


def test_malformed_xml_names_file_and_line(source_copy: Callable[[], Path]) -> None:
    root = source_copy()
    edit(root / LAYOUT, "<label>People</label>", "<label>People</lable>")
    found = [m for m in messages(root) if "not well-formed XML" in m]
    assert len(found) == 1 and LAYOUT.name in found[0] and found[0].split(":")[1] != "1"


def test_related_list_must_look_up_the_layouts_object(source_copy: Callable[[], Path]) -> None:
    root = source_copy()
    layout = root / "layouts" / "Account-Account Layout.layout-meta.xml"
    layout.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<Layout xmlns="http://soap.sforce.com/2006/04/metadata">\n'
        "    <relatedLists>\n        <fields>NAME</fields>\n"
        "        <relatedList>WhatsApp_Chat__c.Contact__c</relatedList>\n    </relatedLists>\n"
        "</Layout>\n"
    )
    assert [m for m in messages(root) if "looks up Contact, not Account" in m]


def test_permission_dependencies(source_copy: Callable[[], Path]) -> None:
    root = source_copy()
    edit(root / INTEGRATION,
         "        <allowRead>true</allowRead>\n        <modifyAllRecords>false</modifyAllRecords>\n"
         "        <object>WhatsApp_Chat__c</object>",
         "        <allowRead>false</allowRead>\n        <modifyAllRecords>false</modifyAllRecords>\n"
         "        <object>WhatsApp_Chat__c</object>")
    found = messages(root)
    assert [m for m in found if "WhatsApp_Chat__c: allowCreate needs allowRead" in m], found
