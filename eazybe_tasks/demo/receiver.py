"""The demo's deliveries go the way Meta's do: signed with the app secret and POSTed over HTTP to
the project's webhook receiver (eazybe_tasks.webhook), served by uvicorn on a loopback port for
the length of the replay. The secret is made for the replay and never shown."""
from __future__ import annotations

import secrets
from contextlib import contextmanager
from typing import Iterator

import requests

from eazybe_tasks.background_server import serving
from eazybe_tasks.sources.cloud_api import HEADER
from eazybe_tasks.sources.cloud_api.signature import sign
from eazybe_tasks.store.store import Store
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import WebhookSettings


@contextmanager
def serving_receiver(store: Store, app_secret: str) -> Iterator[str]:
    """Yields the receiver's URL (http://127.0.0.1:PORT/webhook) while it runs."""
    settings = WebhookSettings(verify_token=secrets.token_urlsafe(16), app_secret=app_secret)
    with serving(create_app(store, settings)) as base:
        yield base + PATH


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
