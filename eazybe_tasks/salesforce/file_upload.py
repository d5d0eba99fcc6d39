"""Uploading a file as a ContentVersion the way Salesforce takes its size: base64 inside JSON up
to 37.5 MB of base64 (a 50 MB request), a multipart request beyond (up to 2 GB), since WhatsApp
documents and videos may be larger than the JSON path allows."""
from __future__ import annotations

import base64
import json
from typing import Any, Callable

from simple_salesforce import Salesforce
from simple_salesforce.util import exception_handler

from eazybe_tasks.salesforce.resilient_calls import RetryPolicy, call

MAX_JSON_FILE_BYTES = 26_000_000  # 34.7 MB once base64-encoded, inside Salesforce's 37.5 MB


def _multipart(sf: Salesforce, fields: dict[str, Any], content: bytes) -> dict[str, Any]:
    answer = sf.session.request(
        "POST", f"{sf.base_url}sobjects/ContentVersion/",
        headers={"Authorization": f"Bearer {sf.session_id}", "Accept": "application/json"},
        files={"entity_content": (None, json.dumps(fields), "application/json"),
               "VersionData": (fields.get("PathOnClient") or "file", content, "application/octet-stream")},
    )
    if answer.status_code >= 300:
        exception_handler(answer, "ContentVersion")
    return answer.json()


def upload_file(sf: Salesforce, fields: dict[str, Any], content: bytes,
                refresh_session: Callable[[], None] | None = None) -> str:
    """The new ContentVersion's id. Sent once (a lost answer is for the caller to look for, by
    checksum), so no retry policy beyond the session refresh."""
    if len(content) <= MAX_JSON_FILE_BYTES:
        operation = lambda: sf.ContentVersion.create({**fields, "VersionData": base64.b64encode(content).decode()})  # noqa: E731
    else:
        operation = lambda: _multipart(sf, fields, content)  # noqa: E731
    return call(operation, refresh_session=refresh_session, policy=RetryPolicy(attempts=1))["id"]
