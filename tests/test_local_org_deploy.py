"""CumulusCI's deploy against the local org's Metadata API: a real `sf project convert source`
package, zipped and enveloped by CumulusCI's own code, answered and parsed by CumulusCI's own
response handling."""
from __future__ import annotations

import base64
import io
import logging
import shutil
import sqlite3
import subprocess
import zipfile
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import requests
from cumulusci.salesforce_api import soap_envelopes
from cumulusci.salesforce_api.exceptions import MetadataComponentFailure, MetadataParseError
from cumulusci.salesforce_api.metadata import ApiDeploy
from cumulusci.core.source_transforms.transforms import TaskContext
from cumulusci.salesforce_api.package_zip import MetadataPackageZipBuilder

from eazybe_local_org.metadata_api import DeployJobs, DeployOptions, apply_plan, handle_metadata_request, plan_deploy
from eazybe_local_org.schema.model import FieldDef, ObjectDef
from eazybe_local_org.schema.registry import SchemaRegistry
from eazybe_local_org.soql import compile_query
from repo_paths import DEFAULT
from tools import tool_env

PROJECT = Path(__file__).resolve().parent.parent
SF = PROJECT / "node_modules" / ".bin" / "sf"


class FakeOrg:
    """The registry's read side plus its write side, in memory."""

    def __init__(self) -> None:
        self.objects = {
            name: ObjectDef(name, name, name + "s", prefix, {"Id": FieldDef("Id", "Record ID", "id", length=18)})
            for name, prefix in (("Contact", "003"), ("Lead", "00Q"), ("User", "005"))
        }

    def object(self, name: str) -> ObjectDef | None:
        return next((o for key, o in self.objects.items() if key.lower() == name.lower()), None)

    def next_key_prefix(self, reserved: frozenset[str]) -> str:
        used = reserved | {o.key_prefix for o in self.objects.values()}
        return next(f"a{n:02d}" for n in range(100) if f"a{n:02d}" not in used)

    def upsert_object(self, definition: ObjectDef) -> None:
        self.objects[definition.name] = definition

    def upsert_field(self, object_name: str, definition: FieldDef) -> None:
        self.objects[object_name] = self.objects[object_name].with_field(definition)


Org = FakeOrg | SchemaRegistry  # both read (OrgSchema) and write (OrgSchemaWriter) the schema


@pytest.fixture(scope="module")
def converted(tmp_path_factory) -> Path:
    if not SF.exists():
        pytest.skip("Salesforce CLI not installed")
    output = tmp_path_factory.mktemp("mdapi") / "src"
    subprocess.run(
        [str(SF), "project", "convert", "source", "--source-dir", "force-app", "--output-dir", str(output)],
        cwd=PROJECT, env=tool_env(), check=True, capture_output=True, timeout=300,
    )
    return output


def cumulusci_zip(path: Path) -> str:
    """Base64 zip exactly as CumulusCI's deploy task builds it."""
    context = TaskContext(org_config=None, project_config=None, logger=logging.getLogger("deploy"))
    return MetadataPackageZipBuilder(path=path, options={"clean_meta_xml": True}, context=context).as_base64()


def edited_zip(converted: Path, tmp_path: Path, file: str, old: str, new: str) -> str:
    copy = tmp_path / "src"
    shutil.copytree(converted, copy)
    target = copy / file
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))
    return cumulusci_zip(copy)


class LocalOrgDeploy(ApiDeploy):
    """CumulusCI's ApiDeploy with its HTTP post replaced by a call into the local org's handler."""

    check_interval = 0

    def __init__(self, package_zip: str, org: Org, jobs: DeployJobs) -> None:
        task = SimpleNamespace(
            logger=logging.getLogger("deploy"),
            project_config=SimpleNamespace(project__package__api_version="62.0"),
            org_config=SimpleNamespace(org_type="Developer Edition", is_sandbox=False, access_token="token", refresh_token=None),
        )
        super().__init__(task, package_zip, purge_on_delete=False)
        self.org, self.jobs, self.bodies = org, jobs, []

    def _call_mdapi(self, headers, envelope, refresh=None):
        answer = handle_metadata_request(
            envelope.encode(), self.jobs, self.org, lambda plan: apply_plan(plan, self.org)
        )
        self.bodies.append(answer.body)
        response = requests.Response()
        response.status_code, response._content = answer.status, answer.body
        return response


def deploy(package_zip: str, org: Org) -> LocalOrgDeploy:
    api = LocalOrgDeploy(package_zip, org, DeployJobs())
    api.result = api()
    return api


def test_cumulusci_deploys_the_project(converted):
    org = FakeOrg()
    api = deploy(cumulusci_zip(converted), org)
    assert api.result == "Success"
    assert b"<state>Queued</state>" in api.bodies[0]
    assert b"<status>InProgress</status>" in api.bodies[1]  # the polling loop ran
    chat = org.objects["WhatsApp_Chat__c"]
    custom = [f for f in chat.fields.values() if f.custom]
    assert len(custom) == 19
    assert {"Id", "Name", "OwnerId", "CreatedDate", "SystemModstamp"} <= set(chat.fields)
    assert chat.key_prefix == "a00"
    assert chat.fields["Transcript__c"].length == 131072
    assert chat.fields["Chat_Key__c"].external_id and chat.fields["Chat_Key__c"].unique
    assert chat.fields["Contact__c"].reference_to == ("Contact",)
    assert chat.fields["Source__c"].picklist_values == ("Cloud API", "Chat Export", "Feed", "Business App")
    for name in ("Contact", "Lead"):
        assert {f.name for f in org.objects[name].fields.values() if f.custom} == {
            "WhatsApp_Do_Not_Log__c", "WhatsApp_Last_Message_At__c", "WhatsApp_Last_Synced__c", "WhatsApp_User_Id__c",
        }


def custom_field_names(object_name: str) -> set[str]:
    return {path.name.split(".")[0] for path in (DEFAULT / "objects" / object_name / "fields").glob("*.field-meta.xml")}


def table_columns(conn: sqlite3.Connection, table: str) -> set[str]:
    return {row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')}


def test_cumulusci_deploys_the_project_into_the_schema_registry(converted, tmp_path):
    conn = sqlite3.connect(tmp_path / "org.sqlite")
    registry = SchemaRegistry(conn)
    package_zip = cumulusci_zip(converted)
    assert deploy(package_zip, registry).result == "Success"

    chat = registry.object("WhatsApp_Chat__c")
    assert chat is not None and chat.custom and chat.key_prefix == "a01"
    assert (chat.label, chat.label_plural) == ("WhatsApp Chat by EazyBe", "WhatsApp Chats by EazyBe")
    assert {f.name for f in chat.fields.values() if f.custom} == custom_field_names("WhatsApp_Chat__c")
    contact = chat.fields["Contact__c"]
    assert (contact.type, contact.reference_to, contact.relationship_name, contact.child_relationship_name) == (
        "reference", ("Contact",), "Contact__r", "WhatsApp_Chats__r"
    )  # fmt: skip
    children = {(c.child_object, c.field): c.relationship_name for c in registry.child_relationships("Contact")}
    assert children[("WhatsApp_Chat__c", "Contact__c")] == "WhatsApp_Chats__r"
    assert table_columns(conn, "WhatsApp_Chat__c") >= set(chat.fields)
    for name in ("Contact", "Lead"):
        added = {f.name for f in registry.object(name).fields.values() if f.custom}
        assert added == custom_field_names(name) and len(added) == 4
        assert table_columns(conn, name) >= added
        user_id = registry.object(name).fields["WhatsApp_User_Id__c"]
        assert (user_id.type, user_id.length, user_id.external_id, user_id.id_lookup, user_id.unique) == (
            "string", 255, True, True, False
        )  # fmt: skip

    query = "SELECT Id, Name, Contact__r.LastName FROM WhatsApp_Chat__c WHERE Chat_Key__c = 'k'"
    compiled = compile_query(query, registry.soql_lookup(), now=datetime(2024, 1, 1))
    assert conn.execute(compiled.sql, compiled.params).fetchall() == []

    stored = conn.execute('SELECT * FROM "_schema" ORDER BY "object", "field"').fetchall()
    columns = {name: table_columns(conn, name) for name in ("WhatsApp_Chat__c", "Contact", "Lead")}
    replan = plan_deploy(base64.b64decode(package_zip), DeployOptions(check_only=True), registry)
    schema_messages = [m for m in replan.successes if m.component_type in ("CustomObject", "CustomField")]
    assert replan.success and len(schema_messages) == 28 and not any(m.created for m in schema_messages)
    assert deploy(package_zip, registry).result == "Success"
    assert conn.execute('SELECT * FROM "_schema" ORDER BY "object", "field"').fetchall() == stored
    assert {name: table_columns(conn, name) for name in columns} == columns
    assert registry.object("WhatsApp_Chat__c") == chat


def test_plan_reports_every_component(converted):
    plan = plan_deploy(base64.b64decode(cumulusci_zip(converted)), DeployOptions(), FakeOrg())
    assert plan.status == "Succeeded" and not plan.failures
    assert plan.components_total == plan.components_deployed == 36
    assert [o.name for o in plan.objects] == ["WhatsApp_Chat__c"]
    assert len(plan.fields) == 8
    types = {m.component_type for m in plan.successes}
    assert types == {"", "CustomObject", "CustomField", "ListView", "CompactLayout", "Layout", "CustomTab", "PermissionSet"}
    field = next(m for m in plan.successes if m.full_name == "WhatsApp_Chat__c.Transcript__c")
    assert field.file_name == "objects/WhatsApp_Chat__c.object" and field.created


def test_check_only_validates_without_applying(converted):
    plan = plan_deploy(base64.b64decode(cumulusci_zip(converted)), DeployOptions(check_only=True), FakeOrg())
    assert plan.success and plan.objects == () and plan.fields == ()


@pytest.mark.parametrize(
    "file, old, new, full_name, problem",
    [
        ("objects/WhatsApp_Chat__c.object", "<length>255</length>", "<length>300</length>",
         "WhatsApp_Chat__c.Chat_Key__c", "Length must be between 1 and 255"),
        ("objects/WhatsApp_Chat__c.object", "<referenceTo>Lead</referenceTo>", "<referenceTo>Prospect__c</referenceTo>",
         "WhatsApp_Chat__c.Lead__c", "referenceTo value of 'Prospect__c' does not resolve to a valid sObject type"),
        ("objects/WhatsApp_Chat__c.object", "<fullName>Feed</fullName>", "<fullName>Cloud API</fullName>",
         "WhatsApp_Chat__c.Source__c", "Duplicate picklist value specified: Cloud API"),
        ("objects/WhatsApp_Chat__c.object", "<type>Date</type>", "<type>Day</type>",
         "WhatsApp_Chat__c.Chat_Date__c", "'Day' is not a valid value for the enum 'FieldType'"),
        ("objects/Lead.object", "</fields>", "</field>",
         "Lead.WhatsApp_Do_Not_Log__c", "Error parsing file: "),
    ],
)
def test_broken_metadata_fails_and_applies_nothing(converted, tmp_path, file, old, new, full_name, problem):
    org = FakeOrg()
    package_zip = edited_zip(converted, tmp_path, file, old, new)
    plan = plan_deploy(base64.b64decode(package_zip), DeployOptions(), org)
    failure = next(m for m in plan.failures if m.full_name == full_name)
    assert failure.problem.startswith(problem) and failure.problem_type == "Error" and failure.file_name == file
    assert plan.status == "Failed" and plan.objects == () and plan.fields == ()

    with pytest.raises(MetadataParseError) as raised:  # CumulusCI wraps what _process_response raises
        deploy(package_zip, org)
    assert isinstance(raised.value.__context__, MetadataComponentFailure)
    assert f"CustomField {full_name}: Error" in str(raised.value) and problem in str(raised.value)
    assert "WhatsApp_Chat__c" not in org.objects  # rolled back: nothing applied


def test_without_rollback_the_good_components_are_applied(converted, tmp_path):
    package_zip = edited_zip(converted, tmp_path, "objects/Lead.object", "<type>DateTime</type>", "<type>Summary</type>")
    plan = plan_deploy(base64.b64decode(package_zip), DeployOptions(rollback_on_error=False), FakeOrg())
    assert plan.status == "SucceededPartial"
    assert [m.problem for m in plan.failures] == ["Field type Summary is not supported by the local org"]
    assert len(plan.fields) == 7 and plan.objects


def test_missing_package_xml_and_unknown_types():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("objects/X__c.object", "<CustomObject/>")
    assert [m.problem for m in plan_deploy(buffer.getvalue(), DeployOptions(), FakeOrg()).failures] == ["No package.xml found"]

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("package.xml", '<Package xmlns="http://soap.sforce.com/2006/04/metadata"><types>'
                     "<members>A</members><name>Bogus</name></types><version>62.0</version></Package>")
        out.writestr("../evil", "x")
    assert "Invalid file name" in plan_deploy(buffer.getvalue(), DeployOptions(), FakeOrg()).failures[0].problem


def test_soap_faults_and_cancel():
    jobs, org = DeployJobs(), FakeOrg()
    answer = handle_metadata_request(b"<not xml", jobs, org, lambda plan: None)
    assert answer.status == 500 and b"<faultcode>soapenv:Client</faultcode>" in answer.body
    unknown = soap_envelopes.CHECK_DEPLOY_STATUS.format(process_id="0Af000000000001AAA")
    answer = handle_metadata_request(unknown.encode(), jobs, org, lambda plan: None)
    assert answer.status == 500 and b"sf:INVALID_CROSS_REFERENCE_KEY" in answer.body
    bogus = unknown.replace("checkDeployStatus", "bogusCall")
    assert b"No operation available" in handle_metadata_request(bogus.encode(), jobs, org, lambda plan: None).body

    job = jobs.submit(b"", DeployOptions())
    assert job.id.startswith("0Af") and len(job.id) == 18
    cancel = unknown.replace("checkDeployStatus", "cancelDeploy").replace("asyncProcessId", "String").replace("0Af000000000001AAA", job.id)
    answer = handle_metadata_request(cancel.encode(), jobs, org, lambda plan: None)
    assert b"<done>true</done>" in answer.body and jobs.get(job.id).status == "Canceled"
