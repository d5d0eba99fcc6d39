"""Fault injection over HTTP: the endpoint that switches it, `/services/data/vXX.X/eazybe/faults`
(a path no real Salesforce has), the answers a faulted API request gets, and the CLI's client
for the endpoint."""
from __future__ import annotations

import asyncio
import uuid
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import requests
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from eazybe_local_org.api_errors import ApiError, invalid_session, limit_exceeded, malformed_json
from eazybe_local_org.faults import SESSION_EXPIRY, Faults, FaultSettings, RequestFault, row_lock_error
from eazybe_local_org.ids import normalize
from eazybe_local_org.org_home import OrgHome
from eazybe_local_org.tls import ensure_tls
from eazybe_local_org.web.errors import error_response
from eazybe_local_org.web.requests_json import read_json

if TYPE_CHECKING:
    from eazybe_local_org.org import LocalOrg


def faults_path(version: str) -> str:
    return f"/services/data/v{version}/eazybe/faults"


# -- the endpoint ------------------------------------------------------------------------------
def faults_state(faults: Faults) -> dict[str, Any]:
    return {"settings": asdict(faults.settings) if faults.settings else None, "injected": dict(faults.injected)}


async def faults_endpoint(org: "LocalOrg", request: Request) -> Response:
    """GET shows the settings and the faults injected so far, POST switches faults on with the
    JSON settings, DELETE switches them off. It takes the org's bearer token like any API call
    but is neither counted nor faulted: a limit spell must never lock the tester out of ending it."""
    if org.authenticated_user(request) is None:
        return error_response(invalid_session())
    if request.method == "POST":
        try:
            settings = FaultSettings.from_json(await read_json(request))
        except ApiError as error:
            return error_response(error)
        except ValueError as error:
            return error_response(malformed_json(str(error)))
        org.faults.configure(settings)
        if settings.expire_sessions:
            with org.lock:
                org.sessions.expire_all()
            org.faults.count(SESSION_EXPIRY)
    elif request.method == "DELETE":
        org.faults.configure(None)
    return JSONResponse(faults_state(org.faults))


# -- what a faulted request gets ---------------------------------------------------------------
def new_error_id() -> int:
    return uuid.uuid4().int % 10**10


def unknown_exception(error_id: int) -> ApiError:
    """Salesforce's answer to its own bugs: 500 UNKNOWN_EXCEPTION with an error id, no trace."""
    return ApiError(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId "
                    f"if you contact support: {error_id}-{error_id % 997} ({error_id})")


def server_unavailable() -> ApiError:
    return ApiError(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable. Please try again later.")


def writes_one_record(method: str, parts: list[str]) -> bool:
    """A single-record REST write: create, update or delete by id, or upsert by external id."""
    if parts[:1] != ["sobjects"]:
        return False
    return (method, len(parts)) in {("POST", 2), ("PATCH", 3), ("DELETE", 3), ("PATCH", 4)}


async def apply_request_fault(org: "LocalOrg", request: Request, parts: list[str]) -> None:
    """Raises the error an API request is answered with instead of being handled (so nothing of
    it is applied), or waits first for a slow answer; returns when the request may go on.

    A slow request's body is received before the wait, as Salesforce has it once the client sent
    it: the request then completes even when the client has given up and disconnected."""
    fault = org.faults.before_request(writes_one_record(request.method, parts))
    if fault is RequestFault.SLOW:
        await request.body()
        await asyncio.sleep(org.faults.slow_seconds)
    elif fault is RequestFault.ROW_LOCK:
        raise row_lock_error(normalize(parts[2]) if len(parts) == 3 else None)
    elif fault is RequestFault.REQUEST_LIMIT:
        raise limit_exceeded()
    elif fault is RequestFault.SERVER_UNAVAILABLE:
        raise server_unavailable()
    elif fault is RequestFault.UNKNOWN_EXCEPTION:
        raise unknown_exception(new_error_id())


# -- the CLI's client --------------------------------------------------------------------------
def call_faults_endpoint(home: OrgHome, url: str, version: str, method: str, settings: str | None = None) -> dict[str, Any]:
    """Calls a running org's endpoint the way any client would: a token from the OAuth refresh
    grant with the org's credentials, over HTTPS trusting the org's CA bundle. The settings go
    as given, so the endpoint alone judges them; RuntimeError carries its refusal."""
    credentials = home.credentials()
    verify = str(ensure_tls(home.tls_folder).ca_bundle)
    token = requests.post(f"{url}/services/oauth2/token", data={
        "grant_type": "refresh_token", "client_id": credentials.client_id,
        "client_secret": credentials.client_secret, "refresh_token": credentials.refresh_token,
    }, verify=verify, timeout=30)
    token.raise_for_status()
    answer = requests.request(
        method, f"{url}{faults_path(version)}", data=settings, verify=verify, timeout=30,
        headers={"Authorization": f"Bearer {token.json()['access_token']}", "Content-Type": "application/json"},
    )
    if not answer.ok:
        raise RuntimeError(f"{answer.status_code}: {answer.text}")
    return answer.json()
