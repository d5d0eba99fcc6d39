"""The demo's coexistence number: Vendas Brasil also chats from the WhatsApp Business app. The
local Graph API stand-in (`python -m eazybe_local_graph`, its own process, reached over HTTP as
Meta is) holds the app's contacts and three weeks of its chats; `connect_business_app` asks for
them and the stand-in delivers them, signed and chunked, to the project's receiver. Then the
seller answers from the app (an echo), and the customer, who adopted a username, writes with no
phone: all of it lands in the same chat, linked to the same Contact."""
from __future__ import annotations

import json
import os
import re
import secrets
import select
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator

from eazybe_tasks.demo.cast import BRAZIL
from eazybe_tasks.demo.moments import Moment, ago, at
from eazybe_tasks.demo.receiver import post_delivery, serving_receiver
from eazybe_tasks.imports.business_app import AlreadyConnected, connect_business_app
from eazybe_tasks.sources.cloud_api.business_app_sync import request_sync
from eazybe_tasks.store.accounts import find_account
from eazybe_tasks.store.business_app import history_progress
from eazybe_tasks.store.store import Store

NUMBER_ID, WABA = "551134560001", "551134560002"
CUSTOMER, CUSTOMER_ID, USERNAME = "5511912345678", "BR.16427393018824710023", "@ana.lima"
HISTORY_DAYS = 30
STARTUP_S, HISTORY_WAIT_S = 30.0, 60.0
APP_CHATS = [  # (when, from the seller, text): the Business app's history with the customer
    (at(20, "10:12:00"), False, "Oi! Vocês entregam em Campinas?"),
    (at(20, "10:20:00"), True, "Entregamos sim, frete grátis acima de R$ 200."),
    (at(6, "16:40:00"), False, "Chegou o pedido, obrigada!"),
    (at(6, "16:45:00"), True, "Que bom! Qualquer coisa é só chamar."),
]


def _config(now: datetime) -> dict[str, Any]:
    messages = [{"from_business": mine, "text": text, "sent_at": when.utc(now, BRAZIL.time_zone).isoformat()}
                for when, mine, text in APP_CHATS]
    return {"numbers": [{
        "display_phone_number": BRAZIL.number.lstrip("+"), "phone_number_id": NUMBER_ID, "waba_id": WABA,
        "contacts": [{"full_name": "Ana Lima", "first_name": "Ana", "phone_number": CUSTOMER}],
        "threads": [{"user": CUSTOMER, "messages": messages}]}]}


def _envelope(field: str, value: dict[str, Any]) -> bytes:
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": BRAZIL.number.lstrip("+"), "phone_number_id": NUMBER_ID}, **value}
    body = {"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": [{"field": field, "value": value}]}]}
    return json.dumps(body, ensure_ascii=False).encode()


def _customer_writes(when: Moment, now: datetime, text: str, *, with_phone: bool) -> bytes:
    at = when.utc(now, BRAZIL.time_zone)
    contact: dict[str, Any] = {"profile": {"name": "Ana", "username": USERNAME}, "user_id": CUSTOMER_ID}
    message: dict[str, Any] = {"from_user_id": CUSTOMER_ID, "id": f"wamid.demo.ana.{int(at.timestamp())}",
                               "timestamp": str(int(at.timestamp())), "type": "text", "text": {"body": text}}
    if with_phone:
        contact["wa_id"] = message["from"] = CUSTOMER
    return _envelope("messages", {"contacts": [contact], "messages": [message]})


def _echo(when: Moment, now: datetime, text: str) -> bytes:
    at = when.utc(now, BRAZIL.time_zone)
    return _envelope("smb_message_echoes", {"message_echoes": [{
        "from": BRAZIL.number.lstrip("+"), "to": CUSTOMER, "to_user_id": CUSTOMER_ID,
        "id": f"wamid.demo.echo.{int(at.timestamp())}", "timestamp": str(int(at.timestamp())), "type": "text",
        "text": {"body": text}}]})


@contextmanager
def _graph_stand_in(config: Path, webhook_url: str, app_secret: str, token: str) -> Iterator[str]:
    """Runs the stand-in in its own process on a free port; yields the base URL it announces."""
    env = {**os.environ, "EAZYBE_APP_SECRET": app_secret, "EAZYBE_WHATSAPP_TOKEN": token}
    process = subprocess.Popen([sys.executable, "-m", "eazybe_local_graph", "--config", str(config), "--webhook-url",
                                webhook_url, "--port", "0", "--retry-base-s", "0.2"],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], STARTUP_S)
        announced = re.search(r"https?://\S+", process.stdout.readline() if ready else "")
        if announced is None:
            raise RuntimeError("the local Graph API stand-in did not start")
        yield announced.group(0)
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for_history(store: Store) -> str:
    deadline = time.monotonic() + HISTORY_WAIT_S
    while time.monotonic() < deadline:
        with store.engine.connect() as connection:
            account = find_account(connection, BRAZIL.number)
            progress = history_progress(connection, account.id) if account else None
        if progress is not None and progress.progress == 100:
            return progress.describe()
        time.sleep(0.2)
    raise RuntimeError(f"the Business app's history did not arrive within {HISTORY_WAIT_S:g} s")


def load_business_app(store: Store, now: datetime) -> list[str]:
    """What happened, one line each."""
    app_secret, token = secrets.token_hex(32), secrets.token_urlsafe(24)
    said: list[str] = []
    with tempfile.TemporaryDirectory() as work, serving_receiver(store, app_secret) as url:
        config = Path(work) / "business_app.json"
        config.write_text(json.dumps(_config(now)))
        first = _customer_writes(ago(3), now, "Oi, ainda tem o vestido azul?", with_phone=True)
        answer = post_delivery(url, first, app_secret)
        said.append(f"{BRAZIL.label}: a customer message names the number: {answer['stored']} new")
        with _graph_stand_in(config, url, app_secret, token) as graph_url:
            try:
                connected = connect_business_app(store, lambda number_id, kind: request_sync(
                    graph_url, token, number_id, kind), BRAZIL.number, HISTORY_DAYS)
                said.append(f"connect_business_app asked for {' and '.join(connected.requested)}")
                said.append(_wait_for_history(store))
            except AlreadyConnected as already:
                said.append(str(already))
        for body, what in ((_echo(ago(2), now, "Tem sim! Separei um M para você."),
                            "the seller answers from the Business app (an echo)"),
                           (_customer_writes(ago(1), now, "Perfeito, passo aí amanhã.", with_phone=False),
                            f"the customer, now {USERNAME}, writes with no phone")):
            said.append(f"{what}: {post_delivery(url, body, app_secret)['stored']} new")
    return said
