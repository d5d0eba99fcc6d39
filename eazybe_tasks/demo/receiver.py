"""The demo's deliveries go the way Meta's do: signed with the app secret and POSTed over HTTP to
the project's webhook receiver (eazybe_tasks.webhook), served by uvicorn on a loopback port for
the length of the replay. The secret is made for the replay and never shown."""
from __future__ import annotations

import secrets
import socket
import threading
import time
from contextlib import contextmanager
from typing import Iterator

import requests
import uvicorn

from eazybe_tasks.sources.cloud_api import HEADER
from eazybe_tasks.sources.cloud_api.signature import sign
from eazybe_tasks.store.store import Store
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import WebhookSettings

START_TIMEOUT_S = 15


@contextmanager
def serving_receiver(store: Store, app_secret: str) -> Iterator[str]:
    """Yields the receiver's URL (http://127.0.0.1:PORT/webhook) while it runs."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    settings = WebhookSettings(verify_token=secrets.token_urlsafe(16), app_secret=app_secret)
    server = uvicorn.Server(uvicorn.Config(create_app(store, settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_TIMEOUT_S
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the webhook receiver did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}{PATH}"
    finally:
        server.should_exit = True
        thread.join(timeout=START_TIMEOUT_S)
        listener.close()


def post_delivery(url: str, body: bytes, app_secret: str) -> dict:
    """POSTs one delivery as Meta does; the receiver's answer (what it stored), or an HTTPError."""
    answer = requests.post(url, data=body, timeout=30, headers={
        "Content-Type": "application/json", HEADER: sign(body, app_secret),
    })
    answer.raise_for_status()
    return answer.json()


def replay(store: Store, bodies: list[bytes]) -> list[dict]:
    """Every delivery through a receiver started for them; the receiver's answers, in order."""
    app_secret = secrets.token_hex(32)
    with serving_receiver(store, app_secret) as url:
        return [post_delivery(url, body, app_secret) for body in bodies]
