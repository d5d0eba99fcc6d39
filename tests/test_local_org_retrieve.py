"""Metadata API retrieve against a running local org, through CumulusCI's own ApiRetrieveUnpackaged
(the call its metadata ETL tasks make): the default layouts a new org has, what a deploy put in,
and Salesforce's message for a member the org does not have."""
from __future__ import annotations

import logging
import zipfile
from types import SimpleNamespace
from typing import Iterator

import pytest
from cumulusci.salesforce_api.metadata import ApiRetrieveUnpackaged
from lxml import etree

from eazybe_local_org.metadata_api.package import METADATA_NS
from eazybe_local_org.metadata_api.xsd import metadata_schema
from local_org_fixture import RunningOrg, local_org
from test_local_org_cumulusci import cci

NS = {"md": METADATA_NS}


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOrg]:
    with local_org(tmp_path_factory.mktemp("orgs")) as running:
        yield running


class Retrieve(ApiRetrieveUnpackaged):
    """CumulusCI's retrieve with a task that only carries the org's connection details; the last
    response is kept for the messages CumulusCI itself does not read."""

    check_interval = 0

    def __init__(self, org: RunningOrg, package_types: str) -> None:
        task = SimpleNamespace(
            logger=logging.getLogger("retrieve"),
            project_config=SimpleNamespace(project__package__api_version="67.0"),
            org_config=SimpleNamespace(instance_url=org.url, org_id="00D", access_token=org.token(), refresh_token=None),
        )
        # One element a line, as CumulusCI writes package.xml: its clean-up regexes expect that.
        package_xml = f'<Package xmlns="{METADATA_NS}">\n{package_types}\n<version>67.0</version>\n</Package>'
        super().__init__(task, package_xml, "67.0")

    def _process_response(self, response):  # type: ignore[no-untyped-def]
        self.response = etree.fromstring(response.content)
        return super()._process_response(response)


def retrieve(org: RunningOrg, type_name: str, *members: str) -> tuple[zipfile.ZipFile, etree._Element]:
    types = "".join(f"<members>{m}</members>" for m in members) + f"<name>{type_name}</name>"
    call = Retrieve(org, f"<types>{types}</types>")
    files = call()
    return files, call.response


def layout(files: zipfile.ZipFile, name: str) -> etree._Element:
    return etree.fromstring(files.read(f"layouts/{name}.layout"))


def test_a_new_org_has_the_default_layouts(org: RunningOrg) -> None:
    files, response = retrieve(org, "Layout", "Contact-Contact Layout", "Lead-Lead Layout")
    assert sorted(files.namelist()) == ["layouts/Contact-Contact Layout.layout", "layouts/Lead-Lead Layout.layout", "package.xml"]
    contact = layout(files, "Contact-Contact Layout")
    assert metadata_schema().validate(contact, "Layout") == []
    sections = contact.xpath("md:layoutSections/md:label/text()", namespaces=NS)
    assert sections[:2] == ["Contact Information", "Address Information"] and "System Information" in sections
    fields = contact.xpath("//md:layoutItems/md:field/text()", namespaces=NS)
    assert {"Name", "AccountId", "Title", "Email", "Phone", "MobilePhone", "OwnerId"} <= set(fields)
    related = contact.xpath("md:relatedLists/md:relatedList/text()", namespaces=NS)
    assert {"RelatedActivityList", "RelatedHistoryList", "RelatedNoteList"} <= set(related)
    lead = layout(files, "Lead-Lead Layout")
    assert "Company" in lead.xpath("//md:layoutItems/md:field/text()", namespaces=NS)
    manifest = etree.fromstring(files.read("package.xml"))
    assert manifest.xpath("md:types/md:members/text()", namespaces=NS) == ["Contact-Contact Layout", "Lead-Lead Layout"]
    status = response.xpath("//md:result/md:status/text()", namespaces=NS)
    assert status == ["Succeeded"] and not response.xpath("//md:messages", namespaces=NS)
    properties = response.xpath("//md:fileProperties[md:type='Layout']/md:fileName/text()", namespaces=NS)
    assert sorted(properties) == ["unpackaged/layouts/Contact-Contact Layout.layout", "unpackaged/layouts/Lead-Lead Layout.layout"]


def test_an_unknown_member_gets_salesforces_message(org: RunningOrg) -> None:
    files, response = retrieve(org, "Layout", "Contact-Contact Layout", "Contact-No Such Layout")
    assert "layouts/Contact-Contact Layout.layout" in files.namelist()
    messages = response.xpath("//md:messages", namespaces=NS)
    assert [(m.findtext("md:fileName", namespaces=NS), m.findtext("md:problem", namespaces=NS)) for m in messages] == [
        ("unpackaged/package.xml", "Entity of type 'Layout' named 'Contact-No Such Layout' cannot be found")
    ]


def test_deployed_components_come_back(org: RunningOrg, tmp_path_factory: pytest.TempPathFactory) -> None:
    deployed = cci(tmp_path_factory.mktemp("home"), org, "task", "run", "deploy", "--org", "local", "-o", "path", "force-app")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr

    files, _ = retrieve(org, "Layout", "WhatsApp_Chat__c-WhatsApp Chat Layout")
    chat_layout = layout(files, "WhatsApp_Chat__c-WhatsApp Chat Layout")
    assert "Chat_Key__c" in chat_layout.xpath("//md:layoutItems/md:field/text()", namespaces=NS)

    files, _ = retrieve(org, "PermissionSet", "*")
    assert sorted(files.namelist()) == [
        "package.xml", "permissionsets/WhatsApp_Chat_Viewer.permissionset",
        "permissionsets/WhatsApp_Sync_Integration.permissionset",
    ]  # fmt: skip
    integration = etree.fromstring(files.read("permissionsets/WhatsApp_Sync_Integration.permissionset"))
    assert "WhatsApp_Chat__c" in integration.xpath("md:objectPermissions/md:object/text()", namespaces=NS)
    records = org.client().query("SELECT Id, Name, Label, IsOwnedByProfile FROM PermissionSet ORDER BY Name")["records"]
    assert [(r["Name"], r["IsOwnedByProfile"]) for r in records] == [
        ("WhatsApp_Chat_Viewer", False), ("WhatsApp_Sync_Integration", False)
    ]

    files, _ = retrieve(org, "CustomObject", "WhatsApp_Chat__c", "Contact")
    chat = etree.fromstring(files.read("objects/WhatsApp_Chat__c.object"))
    assert chat.findtext("md:label", namespaces=NS) == "WhatsApp Chat by EazyBe"
    assert "Chat_Key__c" in chat.xpath("md:fields/md:fullName/text()", namespaces=NS)
    assert metadata_schema().validate(chat, "CustomObject") == []
    contact = etree.fromstring(files.read("objects/Contact.object"))
    assert "WhatsApp_Last_Synced__c" in contact.xpath("md:fields/md:fullName/text()", namespaces=NS)


def test_files_are_written_as_salesforce_writes_them(org: RunningOrg) -> None:
    files, _ = retrieve(org, "Layout", "Lead-Lead Layout")
    text = files.read("layouts/Lead-Lead Layout.layout").decode()
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<Layout xmlns="http://soap.sforce.com/2006/04/metadata">\n    <excludeButtons>')
