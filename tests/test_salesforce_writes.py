"""Resilient calls (logic, with scripted failures) and sObject Collections upserts through a real
local deployed_org."""
from __future__ import annotations


import pytest
import requests
from simple_salesforce.exceptions import SalesforceExpiredSession, SalesforceGeneralError, SalesforceRefusedRequest

from eazybe_tasks.salesforce.collections_writer import upsert
from eazybe_tasks.salesforce.resilient_calls import ApiLimitReached, RetryPolicy, call
from local_org_fixture import RunningOrg

NO_WAIT = RetryPolicy(attempts=4, first_wait_s=0)


def scripted(*outcomes: object):  # type: ignore[no-untyped-def]
    """An operation that raises or returns the given outcomes in turn; counts its calls."""
    remaining = list(outcomes)

    def operation() -> object:
        operation.calls += 1  # type: ignore[attr-defined]
        outcome = remaining.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    operation.calls = 0  # type: ignore[attr-defined]
    return operation


def server_error(status: int) -> SalesforceGeneralError:
    return SalesforceGeneralError("https://x", status, "r", [{"errorCode": "SERVER_UNAVAILABLE", "message": "x"}])


def test_5xx_and_timeouts_are_retried() -> None:
    operation = scripted(server_error(503), requests.Timeout(), server_error(500), "done")
    assert call(operation, policy=NO_WAIT, sleep=lambda s: None) == "done"
    assert operation.calls == 4


def test_retries_end() -> None:
    operation = scripted(*[server_error(503)] * 4)
    with pytest.raises(SalesforceGeneralError):
        call(operation, policy=NO_WAIT, sleep=lambda s: None)


def test_expired_session_is_refreshed_once() -> None:
    refreshed = []
    expired = SalesforceExpiredSession("https://x", 401, "r", [{"errorCode": "INVALID_SESSION_ID"}])
    assert call(scripted(expired, "ok"), refresh_session=lambda: refreshed.append(1), policy=NO_WAIT) == "ok"
    with pytest.raises(SalesforceExpiredSession):
        call(scripted(expired, expired), refresh_session=lambda: refreshed.append(1), policy=NO_WAIT)
    assert len(refreshed) == 2


def test_request_limit_stops_at_once() -> None:
    refused = SalesforceRefusedRequest("https://x", 403, "r", [{"errorCode": "REQUEST_LIMIT_EXCEEDED", "message": "x"}])
    operation = scripted(refused, "never")
    with pytest.raises(ApiLimitReached):
        call(operation, policy=NO_WAIT)
    assert operation.calls == 1


def test_other_client_errors_are_not_retried() -> None:
    operation = scripted(server_error(400), "never")
    with pytest.raises(SalesforceGeneralError):
        call(operation, policy=NO_WAIT)
    assert operation.calls == 1


def test_upsert_in_batches_with_per_record_outcomes(deployed_org: RunningOrg) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    contact = sf.Contact.create({"LastName": "Batch"})["id"]
    records = [{"Chat_Key__c": f"k{n}", "Name": f"chat {n}", "Contact__c": contact} for n in range(450)]
    records[7]["Source__c"] = "Carrier pigeon"  # refused: restricted picklist
    first = upsert(org, "WhatsApp_Chat__c", "Chat_Key__c", records)
    assert [o.key for o in first] == [r["Chat_Key__c"] for r in records]
    assert first[7].error_code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" and not first[7].ok
    assert sum(o.ok and o.created for o in first) == 449
    second = upsert(org, "WhatsApp_Chat__c", "Chat_Key__c", [r for r in records if r is not records[7]])
    assert all(o.ok and o.created is False for o in second)
    assert sf.query("SELECT COUNT() FROM WhatsApp_Chat__c")["totalSize"] == 449
