"""The receiver as an ASGI app: `GET /webhook` answers Meta's verification handshake, `POST
/webhook` takes deliveries.

Order of work on a delivery, each step refusing before the next: a free slot among the
max_pending_bodies bodies being read (503 with Retry-After, nothing read), size cap (413), the
whole body within body_timeout_s (408), signature on the raw bytes (401 missing or malformed, 403
wrong), JSON (400; text no database can store is repaired, see text_repair), payload structure
(400 naming the payload path), then one store transaction (400 if the store refuses a value,
500 with the same JSON shape if the store fails, a full disk say); only then 200. Meta retries
anything but a 200, so a delivery refused or failed to store comes back. `on_stored` hears of
every stored delivery once its transaction has committed (live mode starts a sync from it).

Every answer but a 200 (the handshake's 403 too) is logged with its status, code, reason and the
body's size in bytes, never the body, a signature or a secret, and recorded in the store's
webhook_refusals once the answer is sent (`store_status` counts them): a store failing to record
it changes nothing of the answer. The values a payload error quotes are left out of both."""
from __future__ import annotations

import hmac
import json
import logging
import re
from dataclasses import dataclass
from typing import Callable, Mapping

import anyio
from sqlalchemy.exc import DBAPIError
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from eazybe_tasks.sources.cloud_api import HEADER, SignatureError, parse_delivery, verify_signature
from eazybe_tasks.sources.model import Source, SourceError
from eazybe_tasks.store.ingest import Batch, IngestResult
from eazybe_tasks.store.refusals import Refusal, record_refusal
from eazybe_tasks.store.store import Store
from eazybe_tasks.webhook.pending_bodies import Busy, PendingBodies
from eazybe_tasks.webhook.settings import WebhookSettings
from eazybe_tasks.webhook.text_repair import repaired

log = logging.getLogger(__name__)
PATH = "/webhook"
RETRY_AFTER_S = 5  # a slot frees as soon as any body is read, at the latest after body_timeout_s
# Refusals that leave a body unread: closing the connection drops whatever of it was buffered.
CLOSE = {"Connection": "close"}
# How the log names a refusal, by its code, when it is not a delivery refused.
REFUSED_AS = {"verification_failed": "verification handshake refused", "client_disconnect": "webhook delivery dropped",
              "store_failed": "webhook delivery not stored"}
# The bad value a payload error ends with (", got 'x'"): a piece of the body, kept out of logs.
_QUOTED_VALUE = re.compile(r"\bgot .*", re.DOTALL)


class BodyTooLarge(Exception):
    pass


@dataclass(frozen=True)
class StoredDelivery:
    """What `on_stored` hears of a delivery the receiver stored."""

    result: IngestResult
    accounts: frozenset[str]  # the business numbers (E.164) it was for


def _error(status: int, code: str, message: str, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _declared_size(request: Request) -> int | None:
    declared = request.headers.get("content-length", "")
    return int(declared) if declared.isascii() and declared.isdigit() else None


async def _read_capped(request: Request, limit: int, timeout_s: float, body: bytearray) -> None:
    """Reads the body into `body`; raises TimeoutError when it has not arrived whole within
    `timeout_s`, BodyTooLarge past `limit` (what was read stays in `body`)."""
    declared = _declared_size(request)
    if declared is not None and declared > limit:
        raise BodyTooLarge()
    with anyio.fail_after(timeout_s):
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise BodyTooLarge()


def _valueless(error: SourceError) -> str:
    """A payload error as logged: where and what was expected, without the value found there."""
    return f"{error.where}: {_QUOTED_VALUE.sub('got a value not shown here', error.problem)}"


def create_app(store: Store, settings: WebhookSettings,
               on_stored: Callable[[StoredDelivery], None] | None = None) -> Starlette:
    pending = PendingBodies(settings.max_pending_bodies)

    def record(refusal: Refusal) -> None:
        """Runs once the answer is sent (in a thread of Starlette's pool): nothing here changes it."""
        try:
            record_refusal(store.engine, refusal)
        except Exception as error:  # noqa: BLE001 - whatever the store does, it only costs the row
            words = (str(getattr(error, "orig", None) or error).splitlines() or [""])[0][:200]  # no statement
            log.error("webhook refusal not recorded: the store failed: %s: %s", type(error).__name__, words)

    def refuse(status: int, code: str, message: str, size: int | None, headers: Mapping[str, str] | None = None,
               reason: str | None = None) -> JSONResponse:
        """The answer `message`, logged and recorded with `reason` (the message unless given)."""
        reason = message if reason is None else reason
        level = logging.ERROR if status == 500 else logging.WARNING
        log.log(level, "%s: %d %s, %s bytes: %s", REFUSED_AS.get(code, "webhook delivery refused"), status, code,
                "unknown" if size is None else size, reason)
        response = _error(status, code, message, headers)
        response.background = BackgroundTask(record, Refusal(status, code, reason, size))
        return response

    async def verify(request: Request) -> Response:
        query = request.query_params
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(
            token.encode(), settings.verify_token.encode()
        ):
            return refuse(403, "verification_failed", "hub.mode must be subscribe and hub.verify_token must match",
                          None)
        log.info("verification handshake answered")
        return PlainTextResponse(query.get("hub.challenge", ""))

    async def receive(request: Request) -> Response:
        body = bytearray()

        def read() -> int | None:
            """The body's size as far as known: the bytes read, else what Content-Length declared."""
            return len(body) or _declared_size(request)

        try:
            with pending.slot():
                await _read_capped(request, settings.max_body_bytes, settings.body_timeout_s, body)
        except Busy:
            return refuse(503, "busy", f"{pending.limit} deliveries are being read; retry in {RETRY_AFTER_S} s",
                          read(), {**CLOSE, "Retry-After": str(RETRY_AFTER_S)})
        except BodyTooLarge:
            return refuse(413, "body_too_large", f"the body is over {settings.max_body_bytes} bytes", read())
        except TimeoutError:
            return refuse(408, "body_timeout", f"the body did not arrive within {settings.body_timeout_s:g} s",
                          read(), CLOSE)
        except ClientDisconnect:  # nobody is left to answer; the sender retries if it was Meta
            return refuse(400, "client_disconnect", "the sender left before its body was read", read(), CLOSE)
        raw = bytes(body)
        try:
            verify_signature(raw, request.headers.get(HEADER), settings.app_secret)
        except SignatureError as error:
            return refuse(403 if error.forged else 401, "bad_signature", str(error), len(raw))
        try:
            decoded = repaired(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            return refuse(400, "malformed_json", f"the body is not UTF-8 JSON: {error}", len(raw))
        except RecursionError:
            return refuse(400, "malformed_json", "the body's JSON is nested too deeply", len(raw))
        try:
            delivery = parse_delivery(decoded)
        except SourceError as error:
            return refuse(400, "malformed_payload", str(error), len(raw), reason=_valueless(error))
        batch = Batch.of_delivery(
            Source.CLOUD_API, f"webhook from {request.client.host if request.client else 'unknown'}",
            raw, delivery.messages, delivery.statuses, delivery.facts,
        )
        try:
            result = await run_in_threadpool(store.ingest, batch)
        except SourceError as error:  # what the store refuses, e.g. a business number of no country
            return refuse(400, "malformed_payload", str(error), len(raw), reason=_valueless(error))
        except DBAPIError as error:  # nothing was stored (one transaction); Meta retries the 500
            reason = str(error.orig).splitlines()[0][:200]  # the database's words: no statement, no values
            return refuse(500, "store_failed", f"the store could not keep the delivery ({reason}); it will be retried",
                          len(raw), reason=f"the store failed: {reason}")
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
