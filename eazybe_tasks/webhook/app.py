"""The receiver as an ASGI app: `GET /webhook` answers Meta's verification handshake, `POST
/webhook` takes deliveries.

Order of work on a delivery, each step refusing before the next: size cap (413), signature on
the raw bytes (401 missing or malformed, 403 wrong), JSON (400; text no database can store is
repaired, see text_repair), payload structure (400 naming the payload path), then one store
transaction (400 if the store refuses a value); only then 200. Meta retries anything but a 200,
so a delivery that failed to store comes back. `on_stored` hears of every stored delivery once
its transaction has committed (live mode starts a sync from it)."""
from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from typing import Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from eazybe_tasks.sources.cloud_api import HEADER, SignatureError, parse_delivery, verify_signature
from eazybe_tasks.sources.model import Source, SourceError
from eazybe_tasks.store.ingest import Batch, IngestResult
from eazybe_tasks.store.store import Store
from eazybe_tasks.webhook.settings import WebhookSettings
from eazybe_tasks.webhook.text_repair import repaired

log = logging.getLogger(__name__)
PATH = "/webhook"


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class StoredDelivery:
    """What `on_stored` hears of a delivery the receiver stored."""

    result: IngestResult
    accounts: frozenset[str]  # the business numbers (E.164) it was for


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


async def _read_capped(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise BodyTooLarge()
    return bytes(body)


def create_app(store: Store, settings: WebhookSettings,
               on_stored: Callable[[StoredDelivery], None] | None = None) -> Starlette:
    async def verify(request: Request) -> Response:
        query = request.query_params
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            token.encode(), settings.verify_token.encode()
        ):
            log.warning("verification handshake refused")
            return _error(403, "verification_failed", "hub.mode must be subscribe and hub.verify_token must match")
        log.info("verification handshake answered")
        return PlainTextResponse(query.get("hub.challenge", ""))

    async def receive(request: Request) -> Response:
        try:
            raw = await _read_capped(request, settings.max_body_bytes)
        except BodyTooLarge:
            return _error(413, "body_too_large", f"the body is over {settings.max_body_bytes} bytes")
        try:
            verify_signature(raw, request.headers.get(HEADER), settings.app_secret)
        except SignatureError as error:
            log.warning("webhook delivery refused: %s", error)
            return _error(403 if error.forged else 401, "bad_signature", str(error))
        try:
            body = repaired(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return _error(400, "malformed_json", f"the body is not UTF-8 JSON: {error}")
        except RecursionError:
            return _error(400, "malformed_json", "the body's JSON is nested too deeply")
        try:
            delivery = parse_delivery(body)
        except SourceError as error:
            return _error(400, "malformed_payload", str(error))
        batch = Batch.of_delivery(
            Source.CLOUD_API, f"webhook from {request.client.host if request.client else 'unknown'}",
            raw, delivery.messages, delivery.statuses,
        )
        try:
            result = await run_in_threadpool(store.ingest, batch)
        except SourceError as error:  # what the store refuses, e.g. a business number of no country
            return _error(400, "malformed_payload", str(error))
        log.info(
            "webhook delivery stored: %d messages (%d new), %d statuses new",
            result.messages_seen, result.messages_added, result.statuses_added,
        )
        if on_stored is not None:
            numbers = {m.account_number for m in delivery.messages} | {s.account_number for s in delivery.statuses}
            on_stored(StoredDelivery(result, frozenset(numbers)))
        return JSONResponse({"stored": result.messages_added, "statuses": result.statuses_added})

    return Starlette(
        routes=[
            Route(PATH, verify, methods=["GET"]),
            Route(PATH, receive, methods=["POST"]),
        ]
    )
