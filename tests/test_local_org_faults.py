"""Fault injection in the local org, seen through simple-salesforce the way a client meets a bad
day on Salesforce: 5xx answers that apply nothing, slow answers whose writes land after the
client gave up, locked rows, a REQUEST_LIMIT_EXCEEDED spell, expired sessions; reproducible by seed."""
from __future__ import annotations

import json
import re
import time
import uuid
from typing import Any, Callable, Iterator

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import (
    SalesforceError,
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from eazybe_local_org.__main__ import main
from local_org_fixture import RunningOrg, error_of, local_org

FAULTS = "/services/data/v67.0/eazybe/faults"
UNKNOWN_EXCEPTION = re.compile(
    r"^An unexpected error occurred\. Please include this ErrorId if you contact support: \d+-\d+ \(\d+\)$"
)


@pytest.fixture(scope="module")
def org(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningOrg]:
    with local_org(tmp_path_factory.mktemp("orgs")) as running:
        yield running


def faults(org: RunningOrg, method: str = "GET", settings: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = requests.request(method, f"{org.url}{FAULTS}", json=settings,
                              headers={"Authorization": f"Bearer {org.token()}"}, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture(autouse=True)
def faults_off_afterwards(org: RunningOrg) -> Iterator[None]:
    yield
    faults(org, "DELETE")


@pytest.fixture
def sf(org: RunningOrg) -> Salesforce:
    """A client per test: one test expires every session."""
    return org.client()


def contacts(records: int, last_name: str) -> list[dict[str, Any]]:
    return [{"attributes": {"type": "Contact"}, "LastName": f"{last_name} {n}"} for n in range(records)]


def count_named(sf: Salesforce, prefix: str) -> int:
    return sf.query(f"SELECT COUNT() FROM Contact WHERE LastName LIKE '{prefix}%'")["totalSize"]


def unique(label: str) -> str:
    return f"{label} {uuid.uuid4().hex[:8]}"


def outcome(call: Callable[[], Any]) -> Any:
    """What a client sees of one call: its result, or the status and error code it was refused with."""
    try:
        result = call()
    except SalesforceError as error:
        return error.status, error.content[0]["errorCode"]
    if isinstance(result, list):
        return [r["errors"][0]["statusCode"] if r["errors"] else "OK" for r in result]
    return "OK"


def test_off_by_default(org: RunningOrg, sf: Salesforce) -> None:
    state = faults(org)
    assert state["settings"] is None and set(state["injected"].values()) == {0}
    name = unique("Calm")
    results = sf.restful("composite/sobjects", method="POST", json={"records": contacts(20, name)})
    assert all(r["success"] for r in results)
    assert all(sf.limits() for _ in range(10))
    assert set(faults(org)["injected"].values()) == {0}


def test_endpoint_needs_a_valid_token(org: RunningOrg) -> None:
    for headers in ({}, {"Authorization": "Bearer 00D000000000001!bogus"}):
        answer = requests.post(f"{org.url}{FAULTS}", json={"server_error_rate": 1}, headers=headers, timeout=10)
        assert answer.status_code == 401
        assert answer.json() == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert faults(org)["settings"] is None


def test_endpoint_refuses_unknown_settings(org: RunningOrg) -> None:
    answer = requests.post(f"{org.url}{FAULTS}", json={"server_eror_rate": 1},
                           headers={"Authorization": f"Bearer {org.token()}"}, timeout=10)
    assert answer.status_code == 400 and answer.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    assert "server_eror_rate" in answer.json()[0]["message"]


def test_server_errors_apply_nothing(org: RunningOrg, sf: Salesforce) -> None:
    faults(org, "POST", {"seed": 1, "server_error_rate": 1.0})
    name = unique("Unavailable")
    statuses = set()
    for n in range(8):
        with pytest.raises(SalesforceGeneralError) as failed:
            sf.Contact.create({"LastName": f"{name} {n}"})
        error = error_of(failed)
        statuses.add(failed.value.status)
        if failed.value.status == 503:
            assert error == {"message": "Server temporarily unavailable. Please try again later.",
                             "errorCode": "SERVER_UNAVAILABLE"}
        else:
            assert failed.value.status == 500 and error["errorCode"] == "UNKNOWN_EXCEPTION"
            assert UNKNOWN_EXCEPTION.match(error["message"])
    with pytest.raises(SalesforceGeneralError):
        sf.restful("composite/sobjects", method="POST", json={"records": contacts(5, name)})
    assert statuses == {500, 503}
    injected = faults(org, "DELETE")["injected"]
    assert injected["server_error_500"] + injected["server_error_503"] == 9
    assert count_named(sf, name) == 0


class TimeoutSession(requests.Session):
    """simple-salesforce takes a requests session but no timeout: this session gives every call one."""

    def __init__(self, timeout_s: float) -> None:
        super().__init__()
        self.timeout_s = timeout_s

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        kwargs.setdefault("timeout", self.timeout_s)
        return super().request(*args, **kwargs)


def test_slow_answer_times_out_but_the_write_lands(org: RunningOrg, sf: Salesforce) -> None:
    impatient = Salesforce(instance_url=org.url, session_id=sf.session_id, version="67.0",
                           session=TimeoutSession(0.5))
    faults(org, "POST", {"slow_rate": 1.0, "slow_seconds": 1.5})
    name = unique("Slow")
    with pytest.raises(requests.exceptions.ReadTimeout):
        impatient.Contact.create({"LastName": name})
    faults(org, "DELETE")
    deadline = time.monotonic() + 5
    while count_named(sf, name) == 0 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert count_named(sf, name) == 1  # the client saw a failure; the record exists all the same


def test_row_locks_in_a_collection_fail_those_records_alone(org: RunningOrg, sf: Salesforce) -> None:
    name = unique("Lockable")
    created = sf.restful("composite/sobjects", method="POST", json={"records": contacts(10, name)})
    ids = [r["id"] for r in created]
    faults(org, "POST", {"seed": 3, "row_lock_rate": 0.5})
    updates = [{"attributes": {"type": "Contact"}, "Id": i, "LastName": f"{name} updated"} for i in ids]
    results = sf.restful("composite/sobjects", method="PATCH", json={"allOrNone": False, "records": updates})
    locked = [i for i, r in zip(ids, results) if not r["success"]]
    assert 0 < len(locked) < len(ids)
    for record_id, result in zip(ids, results):
        assert result == ({"id": None, "success": False, "errors": [{
            "statusCode": "UNABLE_TO_LOCK_ROW",
            "message": f"unable to obtain exclusive access to this record or 1 records: {record_id}",
            "fields": [],
        }]} if record_id in locked else {"id": record_id, "success": True, "errors": []})
    assert faults(org, "DELETE")["injected"]["row_lock"] == len(locked)
    names = {r["Id"]: r["LastName"] for r in sf.query(f"SELECT Id, LastName FROM Contact WHERE LastName LIKE '{name}%'")["records"]}
    assert {i for i, last in names.items() if last == f"{name} updated"} == set(ids) - set(locked)


def test_a_row_lock_under_all_or_none_rolls_everything_back(org: RunningOrg, sf: Salesforce) -> None:
    faults(org, "POST", {"seed": 3, "row_lock_rate": 0.5})
    name = unique("AllOrNone")
    results = sf.restful("composite/sobjects", method="POST", json={"allOrNone": True, "records": contacts(10, name)})
    codes = {r["errors"][0]["statusCode"] for r in results}
    assert codes == {"UNABLE_TO_LOCK_ROW", "ALL_OR_NONE_OPERATION_ROLLED_BACK"}
    assert {"id": None, "success": False, "errors": [{
        "statusCode": "UNABLE_TO_LOCK_ROW", "message": "unable to obtain exclusive access to this record", "fields": [],
    }]} in results  # a new record has no id to name yet
    assert count_named(sf, name) == 0


def test_single_record_write_may_find_its_row_locked(org: RunningOrg, sf: Salesforce) -> None:
    name = unique("Single")
    record_id = sf.Contact.create({"LastName": name})["id"]
    faults(org, "POST", {"row_lock_rate": 1.0})
    with pytest.raises(SalesforceMalformedRequest) as locked:
        sf.Contact.update(record_id, {"LastName": f"{name} changed"})
    assert error_of(locked) == {
        "message": f"unable to obtain exclusive access to this record or 1 records: {record_id}",
        "errorCode": "UNABLE_TO_LOCK_ROW", "fields": [],
    }
    assert sf.Contact.get(record_id)["LastName"] == name  # reads take no lock


def test_request_limit_spell_then_normal_again(org: RunningOrg, sf: Salesforce) -> None:
    faults(org, "POST", {"limit_spell_requests": 3})
    for _ in range(3):
        with pytest.raises(SalesforceRefusedRequest) as refused:
            sf.limits()
        assert error_of(refused) == {"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}
    assert sf.limits()["DailyApiRequests"]["Max"] == 15_000
    assert faults(org)["injected"]["request_limit"] == 3


def test_expired_sessions_until_the_client_refreshes(org: RunningOrg, sf: Salesforce) -> None:
    sf.limits()
    faults(org, "POST", {"expire_sessions": True})
    with pytest.raises(SalesforceExpiredSession) as expired:
        sf.limits()
    assert error_of(expired) == {"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}
    assert org.client().limits()["DailyApiRequests"]["Max"] == 15_000  # a refreshed token works
    assert faults(org)["injected"]["session_expiry"] == 1


def test_the_same_seed_gives_the_same_faults(org: RunningOrg, sf: Salesforce) -> None:
    settings = {"seed": 7, "server_error_rate": 0.3, "row_lock_rate": 0.3}

    def run() -> tuple[list[Any], dict[str, int]]:
        faults(org, "POST", settings)
        name = unique("Seeded")
        seen = [outcome(sf.limits) for _ in range(8)]
        seen += [outcome(lambda: sf.restful("composite/sobjects", method="POST", json={"records": contacts(8, name)}))
                 for _ in range(3)]
        return seen, faults(org, "DELETE")["injected"]

    first, second = run(), run()
    assert first == second
    assert "OK" in first[0] and any(o != "OK" for o in first[0][:8])


def test_cli_switches_faults_on_a_running_org(org: RunningOrg, sf: Salesforce, capsys: pytest.CaptureFixture) -> None:
    cli = ["faults", "--home", str(org.folder.parent), "--name", org.folder.name]
    assert main([*cli, "--set", '{"seed": 7, "limit_spell_requests": 1}']) == 0
    assert json.loads(capsys.readouterr().out)["settings"]["limit_spell_requests"] == 1
    with pytest.raises(SalesforceRefusedRequest):
        sf.limits()
    assert main(cli) == 0
    assert json.loads(capsys.readouterr().out)["injected"]["request_limit"] == 1
    assert main([*cli, "--off"]) == 0
    assert json.loads(capsys.readouterr().out)["settings"] is None
    assert main([*cli, "--set", '{"seed": "seven"}']) == 1
    assert "seed must be of type int" in capsys.readouterr().err
    sf.limits()
