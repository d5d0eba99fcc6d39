"""The receiver as an ASGI app: `GET /webhook` answers Meta's verification handshake, `POST
/webhook` takes deliveries.

Order of work on a delivery, each step refusing before the next: a free slot among the
max_pending_bodies bodies being read (503 with Retry-After, nothing read), size cap (413), the
whole body within body_timeout_s (408), signature on the raw bytes (401 missing or malformed, 403
wrong), JSON (400; text no database can store is repaired, see text_repair), payload structure
(400 naming the payload path), then one store transaction (400 if the store refuses a value,
500 with the same JSON shape if the store fails, a full disk say); only then 200. Meta retries
anything but a 200, so a delivery refused or failed to store comes back. `on_stored` hears of
every stored delivery once its transaction has committed (live mode starts a sync from it)."""
from __future__ import annotations

import hmac
import json
import logging
from dataclasses import dataclass
from typing import Callable, Mapping

import anyio
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from eazybe_tasks.sources.cloud_api import HEADER, SignatureError, parse_delivery, verify_signature
from eazybe_tasks.sources.model import Source, SourceError
from eazybe_tasks.store.ingest import Batch, IngestResult
from eazybe_tasks.store.store import Store
from eazybe_tasks.webhook.pending_bodies import Busy, PendingBodies
from eazybe_tasks.webhook.settings import WebhookSettings
from eazybe_tasks.webhook.text_repair import repaired

log = logging.getLogger(__name__)
PATH = "/webhook"
RETRY_AFTER_S = 5  # a slot frees as soon as any body is read, at the latest after body_timeout_s
# Refusals that leave a body unread: closing the connection drops whatever of it was buffered.
CLOSE = {"Connection": "close"}


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class StoredDelivery:
    """What `on_stored` hears of a delivery the receiver stored."""

    result: IngestResult
    accounts: frozenset[str]  # the business numbers (E.164) it was for


def _error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


async def _read_capped(request: Request, limit: int, timeout_s: float) -> bytes:
    """Raises TimeoutError when the whole body has not arrived within `timeout_s`."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge()
    body = bytearray()
    with anyio.fail_after(timeout_s):
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise BodyTooLarge()
    return bytes(body)


def create_app(store: Store, settings: WebhookSettings,
               on_stored: Callable[[StoredDelivery], None] | None = None) -> Starlette:
    pending = PendingBodies(settings.max_pending_bodies)

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
            with pending.slot():
                raw = await _read_capped(request, settings.max_body_bytes, settings.body_timeout_s)
        except Busy:
            log.warning("webhook delivery refused: %d bodies are being read", pending.limit)
            return _error(503, "busy", f"{pending.limit} deliveries are being read; retry in {RETRY_AFTER_S} s",
                          {**CLOSE, "Retry-After": str(RETRY_AFTER_S)})
        except BodyTooLarge:
            return _error(413, "body_too_large", f"the body is over {settings.max_body_bytes} bytes")
        except TimeoutError:
            log.warning("webhook delivery refused: its body took over %g s", settings.body_timeout_s)
            return _error(408, "body_timeout", f"the body did not arrive within {settings.body_timeout_s:g} s", CLOSE)
        except ClientDisconnect:  # nobody is left to answer; the sender retries if it was Meta
            log.warning("webhook delivery dropped: the sender left before its body was read")
            return _error(400, "client_disconnect", "the sender left before its body was read", CLOSE)
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
            raw, delivery.messages, delivery.statuses, delivery.facts,
        )
        try:
            result = await run_in_threadpool(store.ingest, batch)
        except SourceError as error:  # what the store refuses, e.g. a business number of no country
            return _error(400, "malformed_payload", str(error))
        except DBAPIError as error:  # nothing was stored (one transaction); Meta retries the 500
            reason = str(error.orig).splitlines()[0][:200]  # the database's words: no statement, no values
            log.error("webhook delivery not stored: the store failed: %s", reason)
            return _error(500, "store_failed", f"the store could not keep the delivery ({reason}); it will be retried")
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
