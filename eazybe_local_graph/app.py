"""The HTTP face of the stand-in: `POST /{version}/{phone_number_id}/smb_app_data`, answered as
the Graph API answers it (token check, parameter checks, one request per sync type), with the
webhooks it triggers sent only after the answer has gone out."""
from __future__ import annotations

import hmac
import json
import re
import threading
from datetime import datetime, timezone
from typing import Any

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from eazybe_local_graph.coexistence import SYNC_TYPES, Coexistence
from eazybe_local_graph.graph_errors import GraphError, invalid_parameter, invalid_token, unknown_path
from eazybe_local_graph.requests_log import RequestsLog, SmbAppDataRequest

_VERSION = re.compile(r"v\d+\.\d+")
_SYNC_TYPES_TEXT = "{" + ", ".join(SYNC_TYPES) + "}"


def _authorized(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(given) and hmac.compare_digest(given.strip().encode(), token.encode())


def _sync_type(raw: bytes) -> str:
    """The body's sync_type, if the body is what the endpoint takes; else the Graph error."""
    try:
        body: Any = json.loads(raw) if raw else {}
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise invalid_parameter("body", "must be a JSON object") from None
    if not isinstance(body, dict):
        raise invalid_parameter("body", "must be a JSON object")
    if body.get("messaging_product") != "whatsapp":
        raise invalid_parameter("messaging_product", f"must be 'whatsapp', got {body.get('messaging_product')!r}")
    sync_type = body.get("sync_type")
    if sync_type not in SYNC_TYPES:
        raise invalid_parameter("sync_type", f"must be one of {_SYNC_TYPES_TEXT}, got {sync_type!r}")
    return sync_type


def create_app(coexistence: Coexistence, token: str, log: RequestsLog) -> Starlette:
    """The Starlette app; `token` is the only access token it accepts."""
    if not token:
        raise ValueError("the access token is empty")

    async def smb_app_data(request: Request) -> JSONResponse:
        version = request.path_params["version"]
        phone_number_id = request.path_params["phone_number_id"]
        raw = await request.body()
        try:
            given: Any = json.loads(raw).get("sync_type")
        except Exception:
            given = None
        record = dict(received_at=datetime.now(timezone.utc), version=version, phone_number_id=phone_number_id,
                      sync_type=given if isinstance(given, str) else None)
        try:
            if not _VERSION.fullmatch(version):
                raise unknown_path(request.url.path)
            if not _authorized(request, token):
                raise invalid_token()
            coexistence.number(phone_number_id)
            sync_type = _sync_type(raw)
            answered = threading.Event()
            request_id = coexistence.request_sync(phone_number_id, sync_type, after=answered)  # type: ignore[arg-type]
        except GraphError as refused:
            log.add(SmbAppDataRequest(**record, status_code=refused.status, error_code=refused.code))
            return JSONResponse(refused.body, status_code=refused.status)
        log.add(SmbAppDataRequest(**record, status_code=200, request_id=request_id))
        return JSONResponse({"messaging_product": "whatsapp", "request_id": request_id},
                            background=BackgroundTask(answered.set))

    return Starlette(routes=[Route("/{version}/{phone_number_id}/smb_app_data", smb_app_data, methods=["POST"])])
