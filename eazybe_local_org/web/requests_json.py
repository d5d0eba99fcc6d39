"""Reading a JSON request body as Salesforce does: a wrong content type or malformed JSON gets
Salesforce's error, never a traceback."""
from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from eazybe_local_org.api_errors import ApiError


MAX_BODY_BYTES = 50 * 1024 * 1024  # Salesforce refuses REST bodies over 50 MB


async def read_json(request: Request) -> Any:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ApiError(413, "REQUEST_ENTITY_TOO_LARGE", "Request body is too large; the limit is 50 MB")
    content_type = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if content_type not in ("application/json", "text/json", ""):
        raise ApiError(415, "UNSUPPORTED_MEDIA_TYPE", f"Content type '{content_type}' is not supported, use application/json")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise ApiError(413, "REQUEST_ENTITY_TOO_LARGE", "Request body is too large; the limit is 50 MB")
    try:
        return json.loads(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        line, column = getattr(error, "lineno", 1), getattr(error, "colno", 1)
        raise ApiError(400, "JSON_PARSER_ERROR", f"{error.args[0] if error.args else error} at [line:{line}, column:{column}]") from None
