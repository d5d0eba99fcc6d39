"""CumulusCI against the local org: the org registered through CUMULUSCI_ORG_local, `cci org info`
reading it, and CumulusCI's own `deploy` putting the project's metadata in; then the deployed
object works through simple-salesforce (upsert by external id, duplicate values)."""
from __future__ import annotations

import csv
import json
import os
import subprocess
from pathlib import Path
from typing import Iterator

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceMoreThanOneRecord

from asgi_server import _free_port
from eazybe_local_org.org_home import org_home
from eazybe_local_org.registration import cumulusci_org_config
from local_org_fixture import RunningOrg, local_org
from repo_paths import NODE_BIN, REPO, VENV_BIN
from tools import tool_env

CCI = VENV_BIN / "cci"
KEY_FILE = REPO / ".eazybe" / "cumulusci.env"


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOrg]:
    with local_org(tmp_path_factory.mktemp("orgs")) as running:
        yield running


@pytest.fixture(scope="module")
def cci_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """CumulusCI keeps its keychain under ~/.cumulusci: each test run gets its own."""
    return tmp_path_factory.mktemp("home")


def run_in_project(cci_home: Path, org: RunningOrg, *command: str, env_org: bool = False) -> subprocess.CompletedProcess[str]:
    env = {**tool_env(), "HOME": str(cci_home), "REQUESTS_CA_BUNDLE": str(org.ca_bundle)}
    if env_org:
        env["CUMULUSCI_ORG_local"] = json.dumps(cumulusci_org_config(org_home("local", org.folder.parent), org.url))
    return subprocess.run(list(command), cwd=REPO, env=env, capture_output=True, text=True, timeout=600)


def cci(cci_home: Path, org: RunningOrg, *args: str) -> subprocess.CompletedProcess[str]:
    return run_in_project(cci_home, org, str(CCI), *args, env_org=True)


def test_register_then_cci_org_info(cci_home: Path, org: RunningOrg) -> None:
    registered = run_in_project(cci_home, org, str(VENV_BIN / "eazybe-local-org"), "register", "--home", str(org.folder.parent))
    assert registered.returncode == 0, registered.stdout + registered.stderr
    result = run_in_project(cci_home, org, str(CCI), "org", "info", "local", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    info = json.loads(result.stdout[result.stdout.index("{"):])
    assert info["instance_url"] == org.url
    assert info["org_type"] == "Developer Edition" and info["is_sandbox"] is False
    assert info["username"] == org.credentials.username


def test_cci_deploy_then_use_the_object(cci_home: Path, org: RunningOrg) -> None:
    result = cci(cci_home, org, "task", "run", "deploy", "--org", "local", "-o", "path", "force-app")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Success" in result.stdout

    sf = org.client()
    described = sf.WhatsApp_Chat__c.describe()
    assert described["label"] == "WhatsApp Chat by EazyBe" and described["labelPlural"] == "WhatsApp Chats by EazyBe"
    chat_key = {f["name"]: f for f in described["fields"]}["Chat_Key__c"]
    assert chat_key["externalId"] and chat_key["unique"] and chat_key["length"] == 255

    contact = sf.Contact.create({"LastName": "Doe"})["id"]
    body = {"Name": "WhatsApp · Jane Doe · 2026-11-24", "Contact__c": contact, "Message_Count__c": 3}
    created = sf.WhatsApp_Chat__c.upsert("Chat_Key__c/acct|chat|2026-11-24|" + contact, body)
    assert created == 201
    updated = sf.restful(f"sobjects/WhatsApp_Chat__c/Chat_Key__c/acct|chat|2026-11-24|{contact}", method="PATCH",
                         json={**body, "Message_Count__c": 4})
    assert updated["created"] is False and updated["success"] is True
    rows = sf.query(f"SELECT Message_Count__c, Contact__r.LastName FROM WhatsApp_Chat__c WHERE Contact__c = '{contact}'")
    assert rows["records"][0]["Message_Count__c"] == 4.0
    assert rows["records"][0]["Contact__r"]["LastName"] == "Doe"

    first = sf.WhatsApp_Chat__c.create({"Name": "a", "Chat_Key__c": "dup-key"})
    with pytest.raises(SalesforceMalformedRequest) as duplicate:
        sf.WhatsApp_Chat__c.create({"Name": "b", "Chat_Key__c": "DUP-KEY" if not chat_key["caseSensitive"] else "dup-key"})
    error = duplicate.value.content[0]
    assert error["errorCode"] == "DUPLICATE_VALUE"
    assert error["message"] == f"duplicate value found: Chat_Key__c duplicates value on record with id: {first['id'][:15]}"
    listed = cci(cci_home, org, "task", "run", "soql_query", "--org", "local", "-o", "query",
                 "SELECT Name, Message_Count__c, Contact__r.LastName FROM WhatsApp_Chat__c WHERE Contact__c != null")
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "Contact__r.LastName" in listed.stdout and "Doe" in listed.stdout and "1 records" in listed.stdout
    with pytest.raises(SalesforceMalformedRequest) as restricted:
        sf.WhatsApp_Chat__c.create({"Name": "c", "Source__c": "Carrier pigeon"})
    assert restricted.value.content[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    business_app = sf.WhatsApp_Chat__c.create({"Name": "d", "Source__c": "Business App"})["id"]
    assert sf.WhatsApp_Chat__c.get(business_app)["Source__c"] == "Business App"
    source = {f["name"]: f for f in described["fields"]}["Source__c"]
    assert [v["value"] for v in source["picklistValues"]] == ["Cloud API", "Chat Export", "Feed", "Business App"]


def test_the_whatsapp_user_id_is_a_non_unique_external_id(cci_home: Path, org: RunningOrg) -> None:
    """Contact.WhatsApp_User_Id__c as Salesforce has it: an external id that may repeat, matched
    case-insensitively, so an upsert by a BSUID two contacts share answers 300."""
    result = cci(cci_home, org, "task", "run", "deploy", "--org", "local", "-o", "path", "force-app")
    assert result.returncode == 0, result.stdout + result.stderr
    sf = org.client()
    for name in ("Contact", "Lead"):
        field = {f["name"]: f for f in getattr(sf, name).describe()["fields"]}["WhatsApp_User_Id__c"]
        assert (field["type"], field["length"], field["externalId"], field["idLookup"], field["unique"]) == (
            "string", 255, True, True, False
        )  # fmt: skip
    bsuid = "US.13491208655302741918"
    first = sf.Contact.create({"LastName": "One", "WhatsApp_User_Id__c": bsuid})["id"]
    assert sf.Contact.upsert(f"WhatsApp_User_Id__c/{bsuid.lower()}", {"FirstName": "Ann"}) == 200  # updated, API 46.0+
    assert sf.Contact.get(first)["FirstName"] == "Ann"
    sf.Contact.create({"LastName": "Two", "WhatsApp_User_Id__c": bsuid})
    rows = sf.query(f"SELECT Id FROM Contact WHERE WhatsApp_User_Id__c = '{bsuid}'")
    assert rows["totalSize"] == 2
    with pytest.raises(SalesforceMoreThanOneRecord):
        sf.Contact.upsert(f"WhatsApp_User_Id__c/{bsuid}", {"FirstName": "Bob"})



def test_soql_query_writes_a_csv_no_spreadsheet_runs(cci_home: Path, org: RunningOrg, tmp_path: Path) -> None:
    """Profile names are anyone's to choose: a name that is a formula comes out as text."""
    sf = org.client()
    names = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+SUM(1+1)", "-2+3", "@SUM(A1)", "\tTab", "Plain Jane"]
    for name in names:
        sf.Contact.create({"LastName": name, "FirstName": "audit"})
    output = tmp_path / "contacts.csv"
    written = cci(cci_home, org, "task", "run", "soql_query", "--org", "local", "-o", "query",
                  "SELECT LastName, FirstName FROM Contact WHERE FirstName = 'audit'",
                  "-o", "output", str(output))
    assert written.returncode == 0, written.stdout + written.stderr
    with output.open(newline="", encoding="utf-8") as stream:
        rows = list(csv.DictReader(stream))
    assert sorted(row["LastName"] for row in rows) == sorted(["'" + name for name in names[:-1]] + ["Plain Jane"])
    assert {row["FirstName"] for row in rows} == {"audit"}


def plain_shell_environment(home: Path) -> dict[str, str]:
    """A user's own shell: none of what the Makefile or the test tools add (the project's PATH
    entries, the Salesforce CLI settings, the keychain key), and a HOME of its own."""
    added = {str(NODE_BIN), str(VENV_BIN)}
    path = os.pathsep.join(entry for entry in os.environ.get("PATH", "").split(os.pathsep) if entry not in added)
    kept = {name: value for name, value in os.environ.items()
            if not name.startswith(("SF_", "CUMULUSCI_", "REQUESTS_CA_BUNDLE"))}
    return {**kept, "PATH": path, "HOME": str(home)}


def test_cci_tasks_start_prepare_and_stop(tmp_path: Path) -> None:
    """The documented path, typed in a plain shell after `. .venv/bin/activate`: start and register
    with one task, prepare with one flow (CumulusCI finds the repository's Salesforce CLI), stop;
    what CumulusCI keeps of the org on disk is encrypted with the project's keychain key."""
    assert KEY_FILE.exists(), f"{KEY_FILE} is made by `make setup`"
    home = tmp_path / "home"
    env = plain_shell_environment(home)
    orgs = tmp_path / "orgs"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["bash", "-c", '. .venv/bin/activate && cci "$@"', "cci", *args], cwd=REPO, env=env,
                              capture_output=True, text=True, timeout=600)

    port = str(_free_port())
    started = run("task", "run", "local_org_start", "-o", "home", str(orgs), "-o", "port", port)
    assert started.returncode == 0, started.stdout + started.stderr
    env["REQUESTS_CA_BUNDLE"] = str(orgs / "tls" / "ca-bundle.pem")
    try:
        prepared = run("flow", "run", "prepare_local_org", "--org", "local")
        assert prepared.returncode == 0, prepared.stdout + prepared.stderr
        info = run("org", "info", "local", "--json")
        assert f"https://localhost:{port}" in info.stdout
    finally:
        stopped = run("task", "run", "local_org_stop", "-o", "home", str(orgs))
    assert "local org stopped" in stopped.stdout
    for result in (started, prepared, info, stopped):
        assert "Unable to store an encryption key" not in result.stdout + result.stderr
    (stored,) = home.glob(".cumulusci/*/local.org")
    assert org_home("local", orgs).credentials().refresh_token.encode() not in stored.read_bytes()
