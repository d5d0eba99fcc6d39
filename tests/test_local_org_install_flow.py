"""The project's install flow (`install_existing_org`) end to end against a fresh local org, with
CumulusCI's own tasks: deploy, AssignPermissionSets (a SOQL child-relationship subquery, then an
sObject Collections insert) and the metadata ETL tasks that retrieve, edit and redeploy the org's
existing Contact and Lead layouts. Running it twice changes nothing."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
from lxml import etree

from eazybe_local_org.metadata_api.store import MetadataStore
from eazybe_local_org.schema.registry import SchemaRegistry
from eazybe_local_org.soql import compile_query, shape_record
from eazybe_local_org.soql.errors import SoqlError
from local_org_fixture import RunningOrg, local_org
from test_local_org_cumulusci import cci
from test_local_org_retrieve import NS, retrieve

LAYOUTS = {"Contact-Contact Layout": "WhatsApp_Chat__c.Contact__c", "Lead-Lead Layout": "WhatsApp_Chat__c.Lead__c"}
WHATSAPP_FIELDS = [
    "WhatsApp_Last_Synced__c", "WhatsApp_Last_Message_At__c", "WhatsApp_Do_Not_Log__c", "WhatsApp_User_Id__c",
]


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOrg]:
    with local_org(tmp_path_factory.mktemp("orgs")) as running:
        yield running


@pytest.fixture(scope="module")
def cci_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("home")


def run_install(cci_home: Path, org: RunningOrg) -> str:
    result = cci(cci_home, org, "flow", "run", "install_existing_org", "--org", "local")
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def retrieved_layouts(org: RunningOrg) -> dict[str, bytes]:
    files, _ = retrieve(org, "Layout", *LAYOUTS)
    return {name: files.read(f"layouts/{name}.layout") for name in LAYOUTS}


def test_install_flow_then_again(cci_home: Path, org: RunningOrg) -> None:
    run_install(cci_home, org)

    first = retrieved_layouts(org)
    for name, related_list in LAYOUTS.items():
        document = etree.fromstring(first[name])
        related = document.xpath("md:relatedLists[md:relatedList=$name]", namespaces=NS, name=related_list)
        assert len(related) == 1
        assert related[0].xpath("md:fields/text()", namespaces=NS) == [
            "NAME", "Chat_Date__c", "Message_Count__c", "Last_Message_At__c", "Source__c"
        ]
        column = document.xpath("//md:layoutColumns[md:layoutItems/md:field='MobilePhone']", namespaces=NS)[0]
        fields = column.xpath("md:layoutItems/md:field/text()", namespaces=NS)
        mobile = fields.index("MobilePhone")
        assert fields[mobile + 1 : mobile + 1 + len(WHATSAPP_FIELDS)] == WHATSAPP_FIELDS
        behaviors = dict(zip(fields, column.xpath("md:layoutItems/md:behavior/text()", namespaces=NS)))
        assert [behaviors[f] for f in WHATSAPP_FIELDS] == ["Readonly", "Readonly", "Edit", "Readonly"]

    sf = org.client()
    assignments = sf.query(
        "SELECT PermissionSet.Name, Assignee.Username FROM PermissionSetAssignment WHERE PermissionSet.Name = 'WhatsApp_Sync_Integration'"
    )["records"]
    assert [a["Assignee"]["Username"] for a in assignments] == [org.credentials.username]

    second = run_install(cci_home, org)
    assert 'Permission Set "WhatsApp_Sync_Integration" is already assigned' in second
    assert retrieved_layouts(org) == first
    assert sf.query("SELECT COUNT() FROM PermissionSetAssignment")["totalSize"] == 1


def test_the_permission_set_query_cumulusci_sends(tmp_path: Path) -> None:
    """AssignPermissionSets reads each user's assignments through a child-relationship subquery;
    a user without any gets null, as Salesforce answers."""
    connection = sqlite3.connect(tmp_path / "org.db")
    registry = SchemaRegistry(connection)
    connection.execute('INSERT INTO "User" ("Id", "Username", "IsDeleted") VALUES (\'005A\', \'a@example.com\', 0), (\'005B\', \'b@example.com\', 0)')
    MetadataStore(connection, registry.object).save("PermissionSet", "Viewer", b'<PermissionSet xmlns="http://soap.sforce.com/2006/04/metadata"><label>Viewer</label></PermissionSet>')
    permission_set = connection.execute('SELECT "Id" FROM "PermissionSet"').fetchone()[0]
    connection.execute(
        'INSERT INTO "PermissionSetAssignment" ("Id", "AssigneeId", "PermissionSetId", "IsDeleted") VALUES (\'0PaA\', \'005A\', ?, 0)',
        (permission_set,),
    )
    compiled = compile_query(
        "SELECT Id,(SELECT PermissionSetId, PermissionSet.Name FROM PermissionSetAssignments ORDER BY PermissionSetId LIMIT 5) "
        "FROM User WHERE Username LIKE '%@example.com' ORDER BY Username",
        registry.soql_lookup(), now=datetime.now(timezone.utc),
    )
    rows = connection.execute(compiled.sql, compiled.params).fetchall()
    first, second = (shape_record(compiled, row, api_version="67.0") for row in rows)
    assignments = first["PermissionSetAssignments"]
    assert assignments["totalSize"] == 1 and assignments["done"] is True
    assert assignments["records"][0]["PermissionSetId"] == permission_set
    assert assignments["records"][0]["PermissionSet"]["Name"] == "Viewer"
    assert assignments["records"][0]["attributes"]["type"] == "PermissionSetAssignment"
    assert second["PermissionSetAssignments"] is None

    with pytest.raises(SoqlError) as unknown:
        compile_query("SELECT Id, (SELECT Id FROM Nope) FROM User", registry.soql_lookup(), now=datetime.now(timezone.utc))
    assert unknown.value.error_code == "INVALID_TYPE" and "Didn't understand relationship 'Nope' in FROM part" in unknown.value.message
