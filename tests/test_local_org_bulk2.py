"""Bulk API 2.0 against a running local org through simple-salesforce's `sf.bulk2`: 100,000
records in and back out by locator, per-row failures in Salesforce's exact words, `#N/A` and
empty cells, deletes, aborted jobs and bad SOQL."""
from __future__ import annotations

import csv
import io
import time
from pathlib import Path
from typing import Iterator

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceError, SalesforceMalformedRequest, SalesforceOperationError

from local_org_fixture import RunningOrg, local_org

MANY = 100_000


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOrg]:
    with local_org(tmp_path_factory.mktemp("orgs"), daily_max=100_000) as running:
        yield running


@pytest.fixture(scope="module")
def sf(org: RunningOrg) -> Salesforce:
    return org.client()


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> str:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def queried(sf: Salesforce, soql: str, page: int = 50_000) -> list[dict[str, str]]:
    return [row for text in sf.bulk2.Account.query(soql, max_records=page, wait=0) for row in rows_of(text)]


def test_100k_insert_query_by_locator_and_upsert_with_reported_failures(sf: Salesforce, tmp_path: Path) -> None:
    started = time.monotonic()
    names = [[f"Bulk {n:06d}", f"AN-{n}", str(n % 500)] for n in range(MANY)]
    source = write_csv(tmp_path / "accounts.csv", ["Name", "AccountNumber", "NumberOfEmployees"], names)
    inserted = sf.bulk2.Account.insert(csv_file=source, batch_size=50_000, wait=0)
    assert [(r["numberRecordsProcessed"], r["numberRecordsFailed"]) for r in inserted] == [(50_000, 0)] * 2

    records = queried(sf, "SELECT Id, Name, AccountNumber, NumberOfEmployees FROM Account ORDER BY Name", 30_000)
    assert len(records) == MANY
    assert list(records[0]) == ["Id", "Name", "AccountNumber", "NumberOfEmployees"]
    assert records[7]["Name"] == "Bulk 000007" and records[7]["AccountNumber"] == "AN-7"
    assert records[-1]["NumberOfEmployees"] == str((MANY - 1) % 500)
    assert all(r["Id"].startswith("001") and len(r["Id"]) == 18 for r in records)

    upserts = [[r["Id"], f"UP-{r['AccountNumber']}", ""] for r in records]
    upserts += [["", "NEW-1", "Bulk new"], ["001notAnId", "X", ""], ["", "NEW-2", "x" * 256]]
    source = write_csv(tmp_path / "upserts.csv", ["Id", "AccountNumber", "Name"], upserts)
    [upserted] = sf.bulk2.Account.upsert(csv_file=source, external_id_field="Id", wait=0)
    assert (upserted["numberRecordsProcessed"], upserted["numberRecordsFailed"]) == (MANY + 3, 2)
    failed = rows_of(sf.bulk2.Account.get_failed_records(upserted["job_id"]))
    assert failed == [
        {"sf__Id": "", "sf__Error": "MALFORMED_ID:Account ID: id value of incorrect type: 001notAnId:Id --",
         "Id": "001notAnId", "AccountNumber": "X", "Name": ""},
        {"sf__Id": "", "sf__Error": f"STRING_TOO_LONG:Account Name: data value too large: {'x' * 255} "
         "(max length=255):Name --", "Id": "", "AccountNumber": "NEW-2", "Name": "x" * 256},
    ]
    successful = rows_of(sf.bulk2.Account.get_successful_records(upserted["job_id"]))
    assert len(successful) == MANY + 1
    assert successful[0] == {"sf__Id": records[0]["Id"], "sf__Created": "false", "Id": records[0]["Id"],
                             "AccountNumber": "UP-AN-0", "Name": ""}
    assert successful[-1]["sf__Created"] == "true" and successful[-1]["sf__Id"].startswith("001")
    assert sf.bulk2.Account.get_unprocessed_records(upserted["job_id"]).strip() == '"Id","AccountNumber","Name"'

    again = queried(sf, "SELECT Name, AccountNumber FROM Account WHERE AccountNumber LIKE 'UP-%'")
    assert len(again) == MANY and {"Name": "Bulk 000042", "AccountNumber": "UP-AN-42"} in again
    assert time.monotonic() - started < 60


def test_update_sets_null_with_na_and_leaves_empty_cells(sf: Salesforce) -> None:
    created = [sf.Account.create({"Name": f"Keep {n}", "Phone": "555-0100", "Industry": "Banking"})["id"]
               for n in range(2)]
    records = [{"Id": created[0], "Phone": "#N/A", "Industry": ""}, {"Id": created[1], "Phone": "", "Industry": "Energy"}]
    [result] = sf.bulk2.Account.update(records=records, wait=0)
    assert (result["numberRecordsProcessed"], result["numberRecordsFailed"]) == (2, 0)
    first, second = (sf.Account.get(i) for i in created)
    assert (first["Phone"], first["Industry"]) == (None, "Banking")
    assert (second["Phone"], second["Industry"]) == ("555-0100", "Energy")


def test_row_failures_use_the_rest_codes_in_bulk_form(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Parent"})["id"]
    contact = sf.Contact.create({"LastName": "Gone"})["id"]
    sf.Contact.delete(contact)
    records = [
        {"LastName": "Fine", "FirstName": "A", "AccountId": account},
        {"LastName": "", "FirstName": "B", "AccountId": ""},
        {"LastName": "Orphan", "FirstName": "C", "AccountId": contact},
    ]
    [result] = sf.bulk2.Contact.insert(records=records, wait=0)
    assert (result["numberRecordsProcessed"], result["numberRecordsFailed"]) == (3, 2)
    errors = {r["FirstName"]: r["sf__Error"] for r in rows_of(sf.bulk2.Contact.get_failed_records(result["job_id"]))}
    assert errors == {
        "B": "REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --",
        "C": "FIELD_INTEGRITY_EXCEPTION:Account ID: id value of incorrect type: " f"{contact}:AccountId --",
    }
    [updated] = sf.bulk2.Contact.update(records=[{"Id": contact, "LastName": "Back"}], wait=0)
    [row] = rows_of(sf.bulk2.Contact.get_failed_records(updated["job_id"]))
    assert (row["sf__Id"], row["sf__Error"]) == (contact, "ENTITY_IS_DELETED:entity is deleted:--")


def test_delete_moves_records_to_the_recycle_bin(sf: Salesforce) -> None:
    ids = [sf.Account.create({"Name": f"Doomed {n}"})["id"] for n in range(3)]
    [deleted] = sf.bulk2.Account.delete(records=[{"Id": i} for i in ids], wait=0)
    assert (deleted["numberRecordsProcessed"], deleted["numberRecordsFailed"]) == (3, 0)
    assert queried(sf, "SELECT Id FROM Account WHERE Name LIKE 'Doomed%'") == []
    gone = [r for text in sf.bulk2.Account.query_all("SELECT Id, IsDeleted FROM Account WHERE Name LIKE 'Doomed%'", wait=0)
            for r in rows_of(text)]
    assert sorted(gone, key=lambda r: r["Id"]) == [{"Id": i, "IsDeleted": "true"} for i in sorted(ids)]
    [again] = sf.bulk2.Account.delete(records=[{"Id": ids[0]}], wait=0)
    assert rows_of(sf.bulk2.Account.get_failed_records(again["job_id"]))[0]["sf__Error"] == (
        "ENTITY_IS_DELETED:entity is deleted:--"
    )


def test_job_lifecycle_as_salesforce_reports_it(org: RunningOrg, sf: Salesforce) -> None:
    client = sf.bulk2.Account._client
    job = client.create_job("insert")
    assert job["state"] == "Open" and job["id"].startswith("750") and job["object"] == "Account"
    assert job["contentUrl"] == f"services/data/v67.0/jobs/ingest/{job['id']}/batches"
    assert (job["lineEnding"], job["columnDelimiter"], job["concurrencyMode"]) == ("LF", "COMMA", "Parallel")
    client.upload_job_data(job["id"], "Name\nLifecycle\n")
    assert client.close_job(job["id"])["state"] == "UploadComplete"
    polls = [client.get_job(job["id"], False) for _ in range(2)]
    assert [p["state"] for p in polls] == ["InProgress", "JobComplete"]
    assert {k: polls[1][k] for k in ("numberRecordsProcessed", "numberRecordsFailed", "retries", "jobType")} == {
        "numberRecordsProcessed": 1, "numberRecordsFailed": 0, "retries": 0, "jobType": "V2Ingest",
    }
    url = f"{org.url}/services/data/v67.0/jobs/ingest"
    headers = {"Authorization": f"Bearer {sf.session_id}"}
    listed = requests.get(url, headers=headers, timeout=10)
    assert job["id"] in [j["id"] for j in listed.json()["records"]]
    used = int(listed.headers["Sforce-Limit-Info"].split("=")[1].split("/")[0])
    after = requests.get(f"{url}/{job['id']}", headers=headers, timeout=10).headers["Sforce-Limit-Info"]
    assert after == f"api-usage={used + 1}/100000"
    results = org.folder / "bulk2-results"  # a finished job's results wait on disk, not in memory
    assert sorted(path.name for path in results.glob(f"{job['id']}.*")) == [
        f"{job['id']}.{kind}.csv" for kind in ("failedresults", "successfulresults", "unprocessedrecords")]
    assert requests.delete(f"{url}/{job['id']}", headers=headers, timeout=10).status_code == 204
    assert requests.get(f"{url}/{job['id']}", headers=headers, timeout=10).status_code == 404
    assert list(results.glob(f"{job['id']}.*")) == []


def test_aborted_job_leaves_its_rows_unprocessed(sf: Salesforce) -> None:
    client = sf.bulk2.Account._client
    job = client.create_job("insert")
    client.upload_job_data(job["id"], "Name,Phone\nNever,1\nWritten,2\n")
    assert client.abort_job(job["id"], False)["state"] == "Aborted"
    with pytest.raises(SalesforceOperationError, match="Aborted"):
        client.wait_for_job(job["id"], False, 0)
    assert rows_of(sf.bulk2.Account.get_unprocessed_records(job["id"])) == [
        {"Name": "Never", "Phone": "1"}, {"Name": "Written", "Phone": "2"},
    ]
    assert queried(sf, "SELECT Id FROM Account WHERE Name = 'Never'") == []


def test_relationship_columns_fail_the_job_clearly(sf: Salesforce) -> None:
    with pytest.raises(SalesforceOperationError, match="Relationship columns are not supported.*Account.Name"):
        sf.bulk2.Contact.insert(records=[{"LastName": "Rel", "Account.Name": "Parent"}], wait=0)
    with pytest.raises(SalesforceOperationError, match="Field name not found : Nope__c"):
        sf.bulk2.Contact.insert(records=[{"LastName": "Bad", "Nope__c": "x"}], wait=0)


def test_bad_soql_is_refused_when_the_job_is_created(sf: Salesforce) -> None:
    with pytest.raises(SalesforceMalformedRequest) as refused:
        list(sf.bulk2.Account.query("SELECT Nope FROM Account", wait=0))
    [error] = refused.value.content
    assert error["errorCode"] == "INVALID_FIELD" and "No such column 'Nope' on entity 'Account'" in error["message"]


def test_query_results_quote_values_and_name_relationship_paths(sf: Salesforce) -> None:
    account = sf.Account.create({"Name": "Paths Inc"})["id"]
    sf.Contact.create({"LastName": "Pathfinder", "AccountId": account, "Email": "path@example.com"})
    sf.Contact.create({"LastName": "Lonely"})
    soql = ("SELECT LastName, Account.Name, IsEmailBounced, Email FROM Contact "
            "WHERE LastName IN ('Pathfinder', 'Lonely') ORDER BY LastName")
    [text] = list(sf.bulk2.Contact.query(soql, wait=0))
    assert text == (
        '"LastName","Account.Name","IsEmailBounced","Email"\n'
        '"Lonely","","false",""\n'
        '"Pathfinder","Paths Inc","false","path@example.com"\n'
    )


def test_query_jobs_refuse_counts_and_aggregates(sf: Salesforce) -> None:
    for soql, refusal in [("SELECT COUNT() FROM Contact", "COUNT() queries"),
                          ("SELECT LastName, COUNT(Id) FROM Contact GROUP BY LastName", "aggregate functions")]:
        with pytest.raises(SalesforceError) as refused:
            list(sf.bulk2.Contact.query(soql, wait=0))
        assert refused.value.status == 400 and refusal in str(refused.value.content)


def test_locked_rows_fail_unwritten_while_the_others_are_written(org: RunningOrg, sf: Salesforce) -> None:
    ids = [sf.Account.create({"Name": f"Locked {n}"})["id"] for n in range(2)]
    faults = f"{org.url}/services/data/v67.0/eazybe/faults"
    headers = {"Authorization": f"Bearer {sf.session_id}"}
    requests.post(faults, json={"seed": 1, "row_lock_rate": 1.0}, headers=headers, timeout=10).raise_for_status()
    try:
        [result] = sf.bulk2.Account.update(records=[{"Id": i, "Name": "Changed"} for i in ids], wait=0)
    finally:
        requests.delete(faults, headers=headers, timeout=10).raise_for_status()
    assert (result["numberRecordsProcessed"], result["numberRecordsFailed"]) == (2, 2)
    failed = rows_of(sf.bulk2.Account.get_failed_records(result["job_id"]))
    assert [(r["sf__Id"], r["sf__Error"]) for r in failed] == [
        (i, f"UNABLE_TO_LOCK_ROW:unable to obtain exclusive access to this record or 1 records: {i}:--") for i in ids
    ]
    assert [sf.Account.get(i)["Name"] for i in ids] == ["Locked 0", "Locked 1"]


def test_declared_delimiter_and_line_ending_are_honoured(sf: Salesforce) -> None:
    [piped] = sf.bulk2.Account.insert(
        records=[{"Name": "Pipe, Inc", "Phone": "1"}], column_delimiter="PIPE", line_ending="CRLF", wait=0,
    )
    assert (piped["numberRecordsProcessed"], piped["numberRecordsFailed"]) == (1, 0)
    text = sf.bulk2.Account.get_successful_records(piped["job_id"])
    [row] = csv.DictReader(io.StringIO(text, newline=""), delimiter="|")
    assert text.endswith("\r\n") and (row["sf__Created"], row["Name"], row["Phone"]) == ("true", "Pipe, Inc", "1")
    client = sf.bulk2.Account._client
    job = client.create_job("insert")
    client.upload_job_data(job["id"], "Name\r\nWrong Endings\r\n")
    client.close_job(job["id"])
    with pytest.raises(SalesforceOperationError, match="LineEnding is invalid on user data"):
        client.wait_for_job(job["id"], False, 0)
