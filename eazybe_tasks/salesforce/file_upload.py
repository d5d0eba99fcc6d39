"""Uploading a file as a ContentVersion the way Salesforce takes its size: base64 inside JSON up
to 37.5 MB of base64 (a 50 MB request), a multipart request beyond (up to 2 GB), since WhatsApp
documents and videos may be larger than the JSON path allows."""
from __future__ import annotations

import base64
from typing import Any

from eazybe_tasks.salesforce import transport
from eazybe_tasks.salesforce.org_client import OrgClient

MAX_JSON_FILE_BYTES = 26_000_000  # 34.7 MB once base64-encoded, inside Salesforce's 37.5 MB


def upload_file(org: OrgClient, fields: dict[str, Any], content: bytes) -> str:
    """The new ContentVersion's id. Sent once (a lost answer is for the caller to look for, by
    checksum), so no retry beyond the session refresh."""
    sf = org.sf
    if len(content) <= MAX_JSON_FILE_BYTES:
        return org.call(lambda: sf.ContentVersion.create({**fields, "VersionData": base64.b64encode(content).decode()}),
                        once=True)["id"]
    files = {"entity_content": transport.multipart_entity(fields),
             "VersionData": (fields.get("PathOnClient") or "file", content, "application/octet-stream")}
    return org.call(lambda: transport.send_multipart(sf, "sobjects/ContentVersion/", files), once=True)["id"]
