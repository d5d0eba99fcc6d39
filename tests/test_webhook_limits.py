"""What a caller without the app secret can make the receiver hold, over real HTTP: a body that
stalls or trickles is answered 408 after body_timeout_s and its connection closed; beyond
max_pending_bodies bodies being read, a POST is answered 503 with Retry-After before its body is
read, and deliveries go through again once the held ones time out; `cci task run serve_webhook`
passes both options and bounds headers and connections."""
from __future__ import annotations

import http.client
import json
import secrets
import select
import socket
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, ContextManager
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select as sql_select

from asgi_server import serving
from cloud_api_deliveries import post_signed, text_delivery
from eazybe_tasks.store.schema import ingests, messages, statuses, webhook_refusals
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.tasks.serve_webhook import MAX_CONNECTIONS, MAX_HEADER_BYTES
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import (
    APP_SECRET_VARIABLE,
    DEFAULT_MAX_PENDING_BODIES,
    VERIFY_TOKEN_VARIABLE,
    WebhookSettings,
)
from tools import tool_env
from webhook_process import serve_webhook

SECRET = secrets.token_hex(16)  # made per session: no secret-shaped literal in the repository
TOKEN = secrets.token_urlsafe(16)
TIMEOUT_S = 1.0
DECLARED = 1000  # the Content-Length a stalled sender promises
SENT = b'{"object":'  # the 10 bytes of it that it sends
NOTHING = (0, 0, 0)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


def receiving(store: Store, body_timeout_s: float = TIMEOUT_S,
              max_pending_bodies: int = DEFAULT_MAX_PENDING_BODIES) -> ContextManager[str]:
    """The receiver with these limits served over HTTP: a context manager of its base URL."""
    settings = WebhookSettings(verify_token=TOKEN, app_secret=SECRET, body_timeout_s=body_timeout_s,
                               max_pending_bodies=max_pending_bodies)
    return serving(create_app(store, settings))


def stored(store: Store) -> tuple[int, ...]:
    with store.engine.connect() as connection:
        return tuple(connection.execute(sql_select(func.count()).select_from(table)).scalar_one()
                     for table in (ingests, messages, statuses))


def refusals(store: Store, done: Callable[[list[tuple]], bool] = bool,
             timeout_s: float = 10) -> list[tuple[int, str, int | None]]:
    """(status, code, size) of the refusals recorded, once `done` of them (each is written just
    after its answer is sent)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with store.engine.connect() as connection:
            rows = [tuple(row) for row in connection.execute(sql_select(
                webhook_refusals.c.status, webhook_refusals.c.code, webhook_refusals.c.size
            ).order_by(webhook_refusals.c.id))]
        if done(rows) or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def delivery() -> bytes:
    return text_delivery("+14155550100", "+14155550134", "wamid.limits.1", "after the stalled ones",
                         datetime.now(timezone.utc))


def stalled(url: str, body: bytes = SENT) -> socket.socket:
    """A POST whose headers promise DECLARED bytes of body, of which only `body` is sent."""
    parts = urlsplit(url)
    connection = socket.create_connection((parts.hostname, parts.port), timeout=30)
    connection.sendall(f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nContent-Type: application/json\r\n"
                       f"Content-Length: {DECLARED}\r\n\r\n".encode() + body)
    return connection


@dataclass
class Answer:
    status: int
    body: bytes
    closed: bool  # the receiver closed the connection after answering

    def error_code(self) -> str:
        return json.loads(self.body)["error"]["code"]


def answer_of(connection: socket.socket) -> Answer:
    with connection:
        response = http.client.HTTPResponse(connection)
        response.begin()
        body = response.read()
        connection.settimeout(2)  # under uvicorn's 5 s keep-alive: only a closing receiver answers EOF
        try:
            closed = connection.recv(1) == b""
        except ConnectionResetError:  # closed with bytes of ours unread (a trickling sender): a reset
            closed = True
        except TimeoutError:
            closed = False
        return Answer(response.status, body, closed)


def until_busy(url: str, deadline_s: float) -> requests.Response:
    """POSTs until the receiver answers 503: the stalled senders are in before they time out."""
    deadline = time.monotonic() + deadline_s
    while True:
        answer = requests.post(url, data=b"{}", timeout=30)
        if answer.status_code == 503 or time.monotonic() > deadline:
            return answer
        time.sleep(0.02)


def retried_while_busy(url: str, deadline_s: float) -> requests.Response:
    """A signed delivery, POSTed again while answered 503 (as Meta retries, only sooner)."""
    deadline = time.monotonic() + deadline_s
    while True:
        answer = post_signed(url, delivery(), SECRET)
        if answer.status_code != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(0.05)


def test_a_stalled_body_is_408_after_the_timeout_and_unstored(store: Store) -> None:
    with receiving(store) as base:
        started = time.monotonic()
        answer = answer_of(stalled(base + PATH))
        waited = time.monotonic() - started
    assert (answer.status, answer.error_code()) == (408, "body_timeout")
    assert TIMEOUT_S <= waited < TIMEOUT_S + 3
    assert answer.closed  # the connection goes with what was buffered of the body
    assert stored(store) == NOTHING
    assert refusals(store) == [(408, "body_timeout", len(SENT))]


def test_a_trickling_body_is_408_too(store: Store) -> None:
    """A byte every 0.1 s never lets the socket idle: the timeout is on the whole body."""
    with receiving(store) as base:
        connection = stalled(base + PATH, body=b"")
        started = time.monotonic()
        while not select.select([connection], [], [], 0.1)[0]:
            connection.sendall(b" ")
        answer = answer_of(connection)
        waited = time.monotonic() - started
    assert (answer.status, answer.error_code()) == (408, "body_timeout")
    assert TIMEOUT_S <= waited < TIMEOUT_S + 3
    assert stored(store) == NOTHING
    [(status, code, size)] = refusals(store)
    assert (status, code) == (408, "body_timeout") and 0 < size < DECLARED  # the bytes that came


def test_beyond_max_pending_bodies_is_503_unread_then_deliveries_resume(store: Store) -> None:
    with receiving(store, body_timeout_s=3.0, max_pending_bodies=2) as base:
        url = base + PATH
        held = [stalled(url), stalled(url)]
        busy = until_busy(url, deadline_s=1.5)
        assert (busy.status_code, busy.json()["error"]["code"]) == (503, "busy")
        assert busy.headers["Retry-After"].isdigit() and int(busy.headers["Retry-After"]) > 0

        started = time.monotonic()
        unread = answer_of(stalled(url, body=b""))  # answered although none of its body ever comes
        assert (unread.status, unread.error_code(), unread.closed) == (503, "busy", True)
        assert time.monotonic() - started < 1
        unread_refusal = (503, "busy", DECLARED)  # unread: the size it declared
        assert unread_refusal in refusals(store, lambda rows: unread_refusal in rows)

        assert [answer_of(connection).status for connection in held] == [408, 408]
        assert stored(store) == NOTHING
        answer = post_signed(url, delivery(), SECRET)  # as Meta's retry of a refused delivery
        assert (answer.status_code, answer.json()) == (200, {"stored": 1, "statuses": 0})
    assert stored(store) == (1, 1, 0)


def test_cci_serve_webhook_bounds_bodies_headers_and_connections(tmp_path: Path, store: Store) -> None:
    """The task's options reach the receiver, and uvicorn runs with its header and connection limits."""
    env = {**tool_env(), "HOME": str(tmp_path / "home"), "CUMULUSCI_KEY": secrets.token_hex(8),
           "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring", VERIFY_TOKEN_VARIABLE: TOKEN,
           APP_SECRET_VARIABLE: SECRET}
    with serve_webhook(env, "-o", "store_url", str(store.engine.url), "-o", "body_timeout_s", "2",
                       "-o", "max_pending_bodies", "1") as served:
        held = stalled(served.url)
        assert until_busy(served.url, deadline_s=1).status_code == 503
        assert answer_of(held).status == 408

        parts = urlsplit(served.url)
        huge = socket.create_connection((parts.hostname, parts.port), timeout=30)
        huge.sendall(f"POST {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n"  # headers that never end
                     f"X-Pad: {'x' * MAX_HEADER_BYTES}".encode())
        refused = answer_of(huge)
        assert (refused.status, refused.closed) == (400, True)

        idle = [socket.create_connection((parts.hostname, parts.port), timeout=30) for _ in range(MAX_CONNECTIONS)]
        try:
            assert until_busy(served.url, deadline_s=5).status_code == 503
        finally:
            for connection in idle:
                connection.close()
        assert retried_while_busy(served.url, deadline_s=5).status_code == 200
    assert stored(store)[1] == 1
    assert "408 body_timeout" in served.output and "Exceeded concurrency limit" in served.output
