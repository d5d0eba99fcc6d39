"""The Bulk API 2.0 writer against a real local org over HTTPS: a thousand chat-days with awkward
transcripts created then updated, per-record failures in the collections writer's exact terms,
locked rows sent again, 5xx answers and an expired session survived, uploads split by size."""
from __future__ import annotations

import csv
import io
from dataclasses import replace
from itertools import islice
from typing import Any, Iterator

import pytest
import requests

from eazybe_tasks.salesforce.bulk_upsert import JobSettings, bulk_upsert, csv_uploads, poll_waits
from eazybe_tasks.salesforce.collections_writer import RecordOutcome, upsert
from eazybe_tasks.salesforce.org_client import OrgClient
from eazybe_tasks.salesforce.resilient_calls import RetryPolicy
from local_org_fixture import RunningOrg
from test_local_org_faults import faults

OBJECT, KEY = "WhatsApp_Chat__c", "Chat_Key__c"
NO_WAIT = RetryPolicy(attempts=6, first_wait_s=0)
FIELDS = ["Name", "Contact__c", "WhatsApp_Number__c", "Is_Group__c", "Chat_Date__c", "First_Message_At__c",
          "Message_Count__c", "Transcript__c", "Source__c"]


def no_sleep(seconds: float) -> None:
    """Polls and backoffs without waiting: the local org has finished a job when it is closed."""


def write(org: OrgClient, records: list[dict[str, Any]], **settings: Any) -> list[RecordOutcome]:
    return bulk_upsert(org, OBJECT, KEY, records, JobSettings(**settings))


@pytest.fixture
def org(deployed_org: RunningOrg) -> OrgClient:
    """A client per test, retrying without waits: one test expires every session."""
    return deployed_org.org_client(policy=NO_WAIT, sleep=no_sleep)


@pytest.fixture(scope="module")
def contact(deployed_org: RunningOrg) -> str:
    return deployed_org.client().Contact.create({"LastName": "Bulk"})["id"]


@pytest.fixture
def faulty(deployed_org: RunningOrg) -> Iterator[None]:
    """Faults are switched on by the test and always off afterwards."""
    yield
    faults(deployed_org, "DELETE")


def chat(contact: str, label: str, n: int, version: int = 1) -> dict[str, Any]:
    """A chat-day as the sync engine writes it, its transcript made of what breaks naive CSV."""
    transcript = (
        f'09:{n % 60:02d} Jane "JD" Doe, Acme: hello, v{version}\n'
        '      a second line, with "quotes", commas, and a tab\there\n'
        f"09:{n % 60:02d} Agent: ça va? naïve — 日本語 👋🏽 ✅ #N/A is text here\r\n"
        "a carriage return alone\rstill the same message\n"
        '"""'
    )
    return {
        KEY: f"{label}|{n}", "Name": f"WhatsApp · Jane, \"JD\" {n} · 2026-11-24", "Contact__c": contact,
        "WhatsApp_Number__c": None if n % 7 == 0 else f"+3161234{n:04d}", "Is_Group__c": n % 7 == 0,
        "Chat_Date__c": "2026-11-24", "First_Message_At__c": "2026-11-24T09:00:00.000+0000",
        "Message_Count__c": n % 50 + version, "Transcript__c": transcript, "Source__c": "Cloud API",
    }


def read_back(org: OrgClient, label: str) -> dict[str, dict[str, Any]]:
    soql = f"SELECT Id, {KEY}, {', '.join(FIELDS)} FROM {OBJECT} WHERE {KEY} LIKE '{label}|%'"
    return {r[KEY]: r for r in org.sf.query_all(soql)["records"]}


def test_a_thousand_records_created_then_updated_in_one_job_each(org: OrgClient, contact: str) -> None:
    records = [chat(contact, "thousand", n) for n in range(1000)]
    org.sf.query(f"SELECT COUNT() FROM {OBJECT}")
    used = org.sf.api_usage["api-usage"].used
    created = write(org, records)
    assert [o.key for o in created] == [r[KEY] for r in records]
    assert all(o.ok and o.created and o.record_id.startswith("a") for o in created)
    # create, upload, close, two polls (InProgress then JobComplete), successfulResults
    assert org.sf.api_usage["api-usage"].used - used == 6

    changed = [chat(contact, "thousand", n, version=2) for n in range(1000)]
    changed[1]["WhatsApp_Number__c"] = None  # cleared, not left as it was
    updated = write(org, changed)
    assert [(o.record_id, o.created, o.error_code) for o in updated] == [(o.record_id, False, None) for o in created]
    stored = read_back(org, "thousand")
    assert {key: {name: row[name] for name in FIELDS} for key, row in stored.items()} == {
        r[KEY]: {name: r[name] for name in FIELDS} for r in changed
    }


def test_status_polls_wait_longer_each_time_up_to_a_most() -> None:
    assert list(islice(poll_waits(0.25, 1.0), 6)) == [0.25, 0.375, 0.5625, 0.84375, 1.0, 1.0]


def test_a_job_is_polled_soon_then_less_often(org: OrgClient, contact: str) -> None:
    waited: list[float] = []
    outcomes = bulk_upsert(replace(org, sleep=waited.append), OBJECT, KEY, [chat(contact, "polls", n) for n in range(3)],
                           JobSettings(poll_interval_s=0.5, max_poll_interval_s=10))
    assert all(outcome.ok for outcome in outcomes)
    assert waited == [0.5, 0.75]  # the local org answers InProgress once, then JobComplete


def test_outcomes_are_the_collections_writers_to_the_letter(org: OrgClient, contact: str) -> None:
    records = [chat(contact, "same", n) for n in range(250)]
    records[3]["Source__c"] = "Carrier pigeon"  # restricted picklist
    records[201]["Name"] = "x" * 81  # Name is Text(80)
    twins = [{**r, KEY: f"twin-{r[KEY]}"} for r in records]

    by_collections, by_bulk = upsert(org, OBJECT, KEY, records), write(org, twins)
    assert [replace(o, key=r[KEY], record_id=None) for o, r in zip(by_bulk, records)] == [
        replace(o, record_id=None) for o in by_collections
    ]
    assert (by_bulk[3].error_code, by_bulk[3].error_message) == (
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "Source: bad value for restricted picklist field: Carrier pigeon",
    )
    assert by_bulk[201].error_code == "STRING_TOO_LONG" and by_bulk[201].error_message.endswith("(max length=80)")
    assert sum(o.ok and o.created for o in by_bulk) == 248

    assert write(org, records) == upsert(org, OBJECT, KEY, records)  # updates: the same ids, created False
    assert len(read_back(org, "twin-same")) == len(read_back(org, "same")) == 248


def write_with_faults(running: RunningOrg, org: OrgClient, records: list[dict[str, Any]], settings: dict[str, Any],
                      attempts: int) -> tuple[list[RecordOutcome], dict[str, int]]:
    """The outcomes of a write made while the org injects faults, and the faults it injected."""
    faults(running, "POST", settings)
    outcomes = write(replace(org, policy=RetryPolicy(attempts=attempts, first_wait_s=0)), records)
    return outcomes, faults(running, "DELETE")["injected"]


def test_locked_rows_are_sent_again_in_new_jobs_until_written(
    deployed_org: RunningOrg, org: OrgClient, contact: str, faulty: None,
) -> None:
    records = [chat(contact, "locked", n) for n in range(300)]
    outcomes, injected = write_with_faults(deployed_org, org, records, {"seed": 7, "row_lock_rate": 0.3}, 10)
    assert injected["row_lock"] > 0 and all(o.ok and o.created for o in outcomes)
    assert len(read_back(org, "locked")) == 300


def test_rows_locked_every_time_are_reported_after_the_last_attempt(
    deployed_org: RunningOrg, org: OrgClient, contact: str, faulty: None,
) -> None:
    records = [chat(contact, "stuck", n) for n in range(20)]
    outcomes, injected = write_with_faults(deployed_org, org, records, {"seed": 5, "row_lock_rate": 1.0}, 3)
    assert injected["row_lock"] == 3 * 20  # three jobs, every row locked in each
    assert {(o.error_code, o.error_message) for o in outcomes} == {
        ("UNABLE_TO_LOCK_ROW", "unable to obtain exclusive access to this record"),
    }
    assert read_back(org, "stuck") == {}


def test_server_errors_on_the_jobs_calls_are_retried(
    deployed_org: RunningOrg, org: OrgClient, contact: str, faulty: None,
) -> None:
    records = [chat(contact, "unavailable", n) for n in range(50)]
    outcomes, injected = write_with_faults(deployed_org, org, records, {"seed": 3, "server_error_rate": 0.4}, 8)
    assert injected["server_error_503"] > 0 and injected["server_error_500"] > 0
    assert all(o.ok and o.created for o in outcomes)
    assert len(read_back(org, "unavailable")) == 50


def test_an_expired_session_is_refreshed_once(deployed_org: RunningOrg, contact: str, faulty: None) -> None:
    refreshed: list[str] = []

    def new_token() -> str:
        refreshed.append(deployed_org.token())
        return refreshed[-1]

    org = deployed_org.org_client(policy=NO_WAIT, sleep=no_sleep, new_token=new_token)
    faults(deployed_org, "POST", {"expire_sessions": True})
    outcomes = write(org, [chat(contact, "expired", n) for n in range(5)])
    assert len(refreshed) == 1 and all(o.ok for o in outcomes)


def test_a_job_that_fails_as_a_whole_fails_each_of_its_records(org: OrgClient, contact: str) -> None:
    records = [{**chat(contact, "unknown", n), "Nope__c": "x"} for n in range(3)]
    outcomes = write(org, records)
    assert {(o.error_code, o.error_message) for o in outcomes} == {
        ("BULK_JOB_FAILED", "InvalidBatch : Field name not found : Nope__c"),
    }


def test_a_job_past_its_deadline_that_finished_meanwhile_is_read_as_finished(org: OrgClient, contact: str) -> None:
    """The local org answers the first poll InProgress and refuses to abort the finished job."""
    outcomes = write(org, [chat(contact, "deadline", n) for n in range(4)], timeout_s=0)
    assert all(o.ok and o.created for o in outcomes)


def test_large_uploads_are_split_into_several_jobs(deployed_org: RunningOrg, org: OrgClient, contact: str) -> None:
    records = [chat(contact, "split", n) for n in range(40)]
    jobs = f"{deployed_org.url}/services/data/v67.0/jobs/ingest"
    headers = {"Authorization": f"Bearer {org.sf.session_id}"}
    before = len(requests.get(jobs, headers=headers, timeout=10).json()["records"])
    outcomes = write(org, records, max_upload_bytes=4_000)
    assert len(requests.get(jobs, headers=headers, timeout=10).json()["records"]) - before >= 3
    assert [o.key for o in outcomes] == [r[KEY] for r in records] and all(o.ok and o.created for o in outcomes)


def test_csv_cells_quote_what_salesforce_needs_and_say_null_as_na() -> None:
    records = [
        {"K": "a", "Text": 'line 1\r\nline, "2"\rend', "Flag": True, "Count": 3, "Amount": 1e20, "Gone": None},
        {"K": "b", "Text": "", "Flag": False, "Count": 0, "Amount": 0.25},
    ]
    uploads = list(csv_uploads(["K", "Text", "Flag", "Count", "Amount", "Gone"], records, 10_000))
    assert [batch for batch, _ in uploads] == [records]
    text = uploads[0][1].decode("utf-8")
    assert list(csv.reader(io.StringIO(text, newline=""))) == [
        ["K", "Text", "Flag", "Count", "Amount", "Gone"],
        ["a", 'line 1\r\nline, "2"\rend', "true", "3", "100000000000000000000", "#N/A"],
        ["b", "#N/A", "false", "0", "0.25", ""],  # a field the record lacks is left as it is
    ]
    assert '"line 1\r\nline, ""2""\rend"' in text and text.endswith("\n") and "\r\n\"b\"" not in text


def test_uploads_stay_within_the_size_limit_in_record_order() -> None:
    records = [{"K": str(n), "Text": "é" * (n * 10)} for n in range(60)]
    uploads = list(csv_uploads(["K", "Text"], records, 2_000))
    assert len(uploads) > 1 and all(len(data) <= 2_000 for _, data in uploads)
    assert [r for batch, _ in uploads for r in batch] == records
    assert all(data.startswith(b'"K","Text"\n') for _, data in uploads)
