"""Inserting a record with a binary field as a multipart request, the way Salesforce takes files
too large for base64 in JSON (up to 2 GB): a part named `entity_content` holds the record's JSON,
another part holds the bytes, named after the blob field (`VersionData`)."""
from __future__ import annotations

import base64
import json
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request

from eazybe_local_org.api_errors import ApiError


MAX_MULTIPART_BYTES = 2 * 1024**3
ENTITY_PART = "entity_content"


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


async def read_multipart_record(request: Request) -> dict[str, Any]:
    """The record's fields, with each binary part as base64 under its field name, as the JSON
    path carries it (the record writer takes one shape)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_MULTIPART_BYTES:
        raise ApiError(413, "REQUEST_ENTITY_TOO_LARGE", "Request body is too large; the limit is 2 GB")
    form = await request.form(max_part_size=MAX_MULTIPART_BYTES)
    entity = form.get(ENTITY_PART)
    if entity is None:
        raise ApiError(400, "INVALID_MULTIPART_REQUEST", f"The multipart request has no part named {ENTITY_PART}")
    text = (await entity.read()).decode("utf-8") if isinstance(entity, UploadFile) else entity
    try:
        record = json.loads(text)
    except json.JSONDecodeError as error:
        raise ApiError(400, "JSON_PARSER_ERROR", f"{ENTITY_PART}: {error.msg}") from error
    if not isinstance(record, dict):
        raise ApiError(400, "JSON_PARSER_ERROR", f"{ENTITY_PART} must be a JSON object")
    for name, part in form.multi_items():
        if name != ENTITY_PART and isinstance(part, UploadFile):
            record[name] = base64.b64encode(await part.read()).decode()
    return record
