"""The local org through simple-salesforce over HTTPS: records, system fields, queries with paging,
collections, files, and each error code in Salesforce's exact shape."""
from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path
from typing import Iterator

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from local_org_fixture import RunningOrg, error_of, local_org

DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOrg]:
    with local_org(tmp_path_factory.mktemp("orgs")) as running:
        yield running


@pytest.fixture(scope="module")
def sf(org: RunningOrg) -> Salesforce:
    return org.client()


def test_versions_and_resources(org: RunningOrg, sf: Salesforce) -> None:
    listed = requests.get(f"{org.url}/services/data", timeout=10).json()
    assert listed[-1] == {"label": "Summer '26", "url": "/services/data/v67.0", "version": "67.0"}
    assert sf.restful("")["sobjects"] == "/services/data/v67.0/sobjects"


def test_create_read_update_delete_with_system_fields(sf: Salesforce) -> None:
    created = sf.Contact.create({"FirstName": "Jane", "LastName": "Doe", "MobilePhone": "+44 7700 900123"})
    assert created["success"] and created["errors"] == [] and created["id"].startswith("003")
    assert len(created["id"]) == 18
    record = sf.Contact.get(created["id"])
    assert record["attributes"] == {"type": "Contact", "url": f"/services/data/v67.0/sobjects/Contact/{created['id']}"}
    assert record["Name"] == "Jane Doe" and record["IsDeleted"] is False
    assert DATETIME.match(record["CreatedDate"]) and record["CreatedDate"] == record["SystemModstamp"]
    assert record["CreatedById"].startswith("005") and record["OwnerId"] == record["CreatedById"]
    assert sf.Contact.update(created["id"], {"LastName": "Smith"}) == 204
    assert sf.Contact.get(created["id"])["Name"] == "Jane Smith"
    assert sf.Contact.delete(created["id"]) == 204
    with pytest.raises(SalesforceResourceNotFound):
        sf.Contact.get(created["id"])
    with pytest.raises(SalesforceResourceNotFound) as deleted:
        sf.Contact.update(created["id"], {"LastName": "Again"})
    assert error_of(deleted) == {"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}


def test_required_field_missing(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.Lead.create({"LastName": "Nocompany"})
    assert error_of(missing) == {
        "message": "Required fields are missing: [Company]", "errorCode": "REQUIRED_FIELD_MISSING", "fields": ["Company"],
    }


def test_string_too_long(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as too_long:
        sf.Contact.create({"LastName": "x" * 81})
    error = error_of(too_long)
    assert error["errorCode"] == "STRING_TOO_LONG" and error["fields"] == ["LastName"]
    assert error["message"].endswith("(max length=80)")


def test_unknown_and_read_only_fields(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as unknown:
        sf.Contact.create({"LastName": "x", "Bogus__c": 1})
    assert error_of(unknown)["errorCode"] == "INVALID_FIELD"
    lead = sf.Lead.create({"LastName": "Lee", "Company": "Acme", "IsConverted": False})
    with pytest.raises(SalesforceMalformedRequest) as locked:
        sf.Lead.update(lead["id"], {"IsConverted": True})
    error = error_of(locked)
    assert (error["errorCode"], error["fields"]) == ("INVALID_FIELD_FOR_INSERT_UPDATE", ["IsConverted"])


def test_lookups_to_missing_or_wrong_records(sf: Salesforce) -> None:
    contact = sf.Contact.create({"LastName": "Ref"})["id"]
    with pytest.raises(SalesforceMalformedRequest) as wrong_type:
        sf.Contact.create({"LastName": "x", "AccountId": contact})
    assert error_of(wrong_type)["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    account = sf.Account.create({"Name": "Gone"})["id"]
    sf.Account.delete(account)
    with pytest.raises(SalesforceMalformedRequest) as missing:
        sf.Contact.create({"LastName": "x", "AccountId": account})
    assert error_of(missing) == {
        "message": "invalid cross reference id", "errorCode": "INVALID_CROSS_REFERENCE_KEY", "fields": ["AccountId"],
    }


def test_unknown_object_and_route(org: RunningOrg, sf: Salesforce) -> None:
    with pytest.raises(SalesforceResourceNotFound) as unknown:
        sf.Bogus__c.create({"Name": "x"})
    assert error_of(unknown) == {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}
    answer = requests.get(f"{org.url}/nowhere", timeout=10)
    assert answer.status_code == 404 and answer.json()[0]["errorCode"] == "NOT_FOUND"


def test_expired_session(org: RunningOrg) -> None:
    stale = Salesforce(instance_url=org.url, session_id="00D000000000001!bogus", version="67.0")
    with pytest.raises(SalesforceExpiredSession) as expired:
        stale.Contact.describe()
    assert error_of(expired) == {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}


def test_bad_bodies(org: RunningOrg, sf: Salesforce) -> None:
    headers = {"Authorization": f"Bearer {sf.session_id}", "Content-Type": "application/json"}
    url = f"{org.url}/services/data/v67.0/sobjects/Contact/"
    malformed = requests.post(url, data=b'{"LastName": ', headers=headers, timeout=10)
    assert malformed.status_code == 400 and malformed.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    wrong_type = requests.post(url, data=b"LastName=x", headers={**headers, "Content-Type": "text/plain"}, timeout=10)
    assert wrong_type.status_code == 415 and wrong_type.json()[0]["errorCode"] == "UNSUPPORTED_MEDIA_TYPE"
    huge = requests.post(url, data=b" " * (50 * 1024 * 1024 + 1), headers=headers, timeout=60)
    assert huge.status_code == 413 and huge.json()[0]["errorCode"] == "REQUEST_ENTITY_TOO_LARGE"


def test_query_paging_and_collections(sf: Salesforce) -> None:
    records = [{"attributes": {"type": "Account"}, "Name": f"Paged {n:04d}"} for n in range(2_300)]
    for start in range(0, len(records), 200):
        results = sf.restful("composite/sobjects", method="POST",
                             json={"allOrNone": False, "records": records[start:start + 200]})
        assert all(r["success"] for r in results) and len(results) == len(records[start:start + 200])
    first = sf.query("SELECT Id, Name FROM Account WHERE Name LIKE 'Paged%' ORDER BY Name")
    assert first["totalSize"] == 2_300 and not first["done"] and len(first["records"]) == 2_000
    assert re.match(r"^/services/data/v67\.0/query/01g\w+-2000$", first["nextRecordsUrl"])
    everything = sf.query_all("SELECT Id, Name FROM Account WHERE Name LIKE 'Paged%' ORDER BY Name")
    assert [r["Name"] for r in everything["records"]] == [r["Name"] for r in records]
    assert sf.query("SELECT COUNT() FROM Account WHERE Name LIKE 'Paged%'")["totalSize"] == 2_300


def test_collection_all_or_none(sf: Salesforce) -> None:
    good = {"attributes": {"type": "Contact"}, "LastName": "Good"}
    bad = {"attributes": {"type": "Contact"}, "FirstName": "NoLast"}
    partial = sf.restful("composite/sobjects", method="POST", json={"allOrNone": False, "records": [good, bad]})
    assert partial[0]["success"] is True
    assert partial[1] == {"id": None, "success": False, "errors": [
        {"statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: [LastName]", "fields": ["LastName"]}]}
    before = sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'Good'")["totalSize"]
    whole = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": [good, bad]})
    assert whole[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert sf.query("SELECT COUNT() FROM Contact WHERE LastName = 'Good'")["totalSize"] == before
    with pytest.raises(SalesforceMalformedRequest) as too_many:
        sf.restful("composite/sobjects", method="POST", json={"records": [good] * 201})
    assert error_of(too_many)["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_file_on_a_record(org: RunningOrg, sf: Salesforce) -> None:
    contact = sf.Contact.create({"LastName": "Files"})["id"]
    content = b"%PDF-1.4 a quote"
    version = sf.ContentVersion.create({
        "Title": "Quote", "PathOnClient": "quote.pdf", "FirstPublishLocationId": contact,
        "VersionData": base64.b64encode(content).decode(),
    })
    stored = sf.ContentVersion.get(version["id"])
    assert stored["Checksum"] == hashlib.md5(content).hexdigest()
    assert stored["ContentDocumentId"].startswith("069") and stored["FileExtension"] == "pdf"
    links = sf.query(f"SELECT ContentDocumentId FROM ContentDocumentLink WHERE LinkedEntityId = '{contact}'")
    assert [r["ContentDocumentId"] for r in links["records"]] == [stored["ContentDocumentId"]]
    data = requests.get(f"{org.url}{stored['VersionData']}", headers={"Authorization": f"Bearer {sf.session_id}"}, timeout=10)
    assert data.content == content


def test_limits_and_usage_header(sf: Salesforce) -> None:
    limits = sf.limits()
    assert limits["DailyApiRequests"]["Max"] == 15_000
    assert sf.api_usage["api-usage"].total == 15_000
    assert sf.api_usage["api-usage"].used == 15_000 - limits["DailyApiRequests"]["Remaining"]


def test_request_limit_exceeded(tmp_path: Path) -> None:
    with local_org(tmp_path, "tiny", daily_max=3) as tiny:
        client = tiny.client()
        for _ in range(3):
            client.limits()
        with pytest.raises(SalesforceRefusedRequest) as refused:
            client.limits()
        assert error_of(refused) == {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}


def test_malformed_query(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as malformed:
        sf.query("SELECT Id FRM Contact")
    assert error_of(malformed) == {
        "message": "\nSELECT Id FRM Contact\n          ^\nERROR at Row:1:Column:11\nunexpected token: FRM",
        "errorCode": "MALFORMED_QUERY",
    }


def test_soql_unknown_object_and_field(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as unknown_type:
        sf.query("SELECT Id FROM Bogus")
    error = error_of(unknown_type)
    assert error["errorCode"] == "INVALID_TYPE"
    assert error["message"].startswith("\nSELECT Id FROM Bogus\n               ^\nERROR at Row:1:Column:16\nsObject type 'Bogus' is not supported.")
    with pytest.raises(SalesforceMalformedRequest) as unknown_field:
        sf.query("SELECT Foo__c FROM Account")
    error = error_of(unknown_field)
    assert error["errorCode"] == "INVALID_FIELD"
    assert "No such column 'Foo__c' on entity 'Account'." in error["message"]


def test_system_fields_are_read_only(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as locked:
        sf.Account.create({"Name": "Backdated", "CreatedDate": "2020-01-01T00:00:00.000+0000"})
    error = error_of(locked)
    assert (error["errorCode"], error["fields"]) == ("INVALID_FIELD_FOR_INSERT_UPDATE", ["CreatedDate"])


def test_values_of_the_wrong_type(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as not_boolean:
        sf.Lead.create({"LastName": "x", "Company": "Acme", "IsUnreadByOwner": "maybe"})
    assert error_of(not_boolean)["errorCode"] == "JSON_PARSER_ERROR"
    with pytest.raises(SalesforceMalformedRequest) as bad_email:
        sf.Contact.create({"LastName": "x", "Email": "not-an-address"})
    assert error_of(bad_email)["errorCode"] == "INVALID_EMAIL_ADDRESS"
