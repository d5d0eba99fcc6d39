"""The real Salesforce CLI (the one CumulusCI's deploy calls) converts force-app/ cleanly, and what
it produces holds every component in Metadata API format."""
from __future__ import annotations

from pathlib import Path

from lxml import etree

from eazybe_tasks.metadata.source_tree import MD_NS
from repo_paths import NODE_BIN
from tools import run

PACKAGE_TYPES = {
    "CustomObject": {"WhatsApp_Chat__c"},
    "CustomTab": {"WhatsApp_Chat__c"},
    "Layout": {"WhatsApp_Chat__c-WhatsApp Chat Layout"},
    "ListView": {"WhatsApp_Chat__c.All_WhatsApp_Chats", "WhatsApp_Chat__c.Today", "WhatsApp_Chat__c.Unlinked"},
    "CompactLayout": {"WhatsApp_Chat__c.WhatsApp_Chat_Compact"},
    "PermissionSet": {"WhatsApp_Sync_Integration", "WhatsApp_Chat_Viewer"},
}


def _package_members(package_xml: Path) -> dict[str, set[str]]:
    ns = {"md": MD_NS}
    root = etree.parse(str(package_xml)).getroot()
    return {
        types.findtext("md:name", namespaces=ns): {m.text for m in types.findall("md:members", ns)}
        for types in root.findall("md:types", ns)
    }


def test_sf_project_convert_source(tmp_path: Path) -> None:
    sf = NODE_BIN / "sf"
    assert sf.exists(), "the Salesforce CLI is installed by `make setup` (npm install)"
    out = tmp_path / "mdapi"
    result = run(sf, "project", "convert", "source", "--source-dir", "force-app", "--output-dir", out)
    assert result.returncode == 0, result.stdout + result.stderr

    members = _package_members(out / "package.xml")
    for type_name, expected in PACKAGE_TYPES.items():
        assert members.get(type_name) == expected, type_name
    assert len(members["CustomField"]) == 19 + 4 + 4
    assert etree.parse(str(out / "package.xml")).getroot().findtext(f"{{{MD_NS}}}version") == "67.0"

    # The CLI recomposes each object: fields, list views and compact layouts inside one .object.
    chat = etree.parse(str(out / "objects" / "WhatsApp_Chat__c.object")).getroot()
    ns = {"md": MD_NS}
    assert len(chat.findall("md:fields", ns)) == 19
    assert len(chat.findall("md:listViews", ns)) == 3
    assert chat.findtext("md:label", namespaces=ns) == "WhatsApp Chat by EazyBe"
    assert chat.findtext("md:pluralLabel", namespaces=ns) == "WhatsApp Chats by EazyBe"
