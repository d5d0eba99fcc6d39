"""The one module that reaches past simple-salesforce's documented API, for the three things it
has no public call for: a REST call on any path with the client's own request handling (its
headers, its error classes, `sf.api_usage` from each answer), a multipart upload, and putting a
refreshed token on the client. Everything else uses the library's public methods. The names used
here are checked against the installed version by a test, so an upgrade that moves them fails
there, not mid-run."""
from __future__ import annotations

import json
from typing import Any

import requests
from simple_salesforce import Salesforce
from simple_salesforce.util import exception_handler

SUPPORTED_VERSIONS = ("1.12.",)  # the releases these internals were read from


def send(sf: Salesforce, method: str, path: str, **kwargs: Any) -> requests.Response:
    """A call on `path` under the client's REST base URL (e.g. "jobs/ingest"), raising the
    library's exceptions for error answers as its own calls do."""
    return sf._call_salesforce(method, sf.base_url + path, name=path, **kwargs)


def send_multipart(sf: Salesforce, path: str, files: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
    """A multipart/form-data POST on `path` (the client's JSON headers would break the boundary)."""
    answer = sf.session.request(
        "POST", sf.base_url + path, files=files,
        headers={"Authorization": f"Bearer {sf.session_id}", "Accept": "application/json"},
    )
    if answer.status_code >= 300:
        exception_handler(answer, path)
    result: dict[str, Any] = answer.json()
    return result


def use_token(sf: Salesforce, access_token: str) -> None:
    """Later calls carry this access token."""
    sf.session_id = access_token
    sf.headers["Authorization"] = f"Bearer {access_token}"


def multipart_entity(fields: dict[str, Any]) -> tuple[None, str, str]:
    """The JSON part of an sObject multipart insert."""
    return (None, json.dumps(fields), "application/json")
