"""The webhook receiver over real HTTP: Meta's handshake, signed deliveries of every corpus payload
stored before the 200, and every kind of bad request refused with nothing stored."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

import pytest
import requests
from sqlalchemy import func, select

from asgi_server import serving
from cloud_api_deliveries import text_delivery
from eazybe_tasks.sources.cloud_api import HEADER, sign
from eazybe_tasks.store.schema import ingests, messages, statuses
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import WebhookSettings
from repo_paths import CORPUS_WEBHOOK_FILES

SECRET = "test-app-secret-0123456789"
TOKEN = "test-verify-token"
BUSINESS = "+14155550100"
CASES = [
    (path.name, name, envelope)
    for path in CORPUS_WEBHOOK_FILES
    for name, envelope in json.loads(path.read_text()).items()
]


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


@pytest.fixture
def url(store: Store) -> Iterator[str]:
    settings = WebhookSettings(verify_token=TOKEN, app_secret=SECRET, max_body_bytes=64 * 1024)
    with serving(create_app(store, settings)) as base:
        yield base + PATH


def post(url: str, raw: bytes, signature: str | None = "sign") -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature == "sign":
        headers[HEADER] = sign(raw, SECRET)
    elif signature is not None:
        headers[HEADER] = signature
    return requests.post(url, data=raw, headers=headers, timeout=10)


def count(store: Store, table) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_verification_handshake(url: str) -> None:
    good = {"hub.mode": "subscribe", "hub.verify_token": TOKEN, "hub.challenge": "1158201444"}
    answer = requests.get(url, params=good, timeout=10)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    assert requests.get(url, params={**good, "hub.verify_token": "nope"}, timeout=10).status_code == 403
    assert requests.get(url, params={**good, "hub.mode": "unsubscribe"}, timeout=10).status_code == 403


def _is_template(envelope: dict) -> bool:
    """Two corpus cases are Meta's reference templates, with "<BUSINESS_DISPLAY_PHONE_NUMBER>" where
    the business number goes: no real delivery carries them."""
    return "<BUSINESS_DISPLAY_PHONE_NUMBER>" in json.dumps(envelope)


@pytest.mark.parametrize(("file", "case", "envelope"), CASES, ids=[f"{f}:{c}" for f, c, _ in CASES])
def test_every_corpus_delivery_is_stored(url: str, store: Store, file: str, case: str, envelope: dict) -> None:
    raw = json.dumps(envelope).encode()
    answer = post(url, raw)
    if _is_template(envelope):
        assert answer.status_code == 400
        assert "value.metadata.display_phone_number" in answer.json()["error"]["message"]
        assert count(store, ingests) == 0
        return
    assert answer.status_code == 200, answer.text
    values = [c["value"] for e in envelope["entry"] for c in e["changes"] if c.get("field") == "messages"]
    expected_messages = sum(len(v.get("messages", [])) for v in values)
    assert count(store, messages) == expected_messages
    assert count(store, statuses) == len({(s["id"], s["status"]) for v in values for s in v.get("statuses", [])})
    assert count(store, ingests) == 1


def test_the_same_delivery_twice_is_stored_once(url: str, store: Store) -> None:
    raw = json.dumps(CASES[0][2]).encode()
    assert post(url, raw).status_code == 200
    assert post(url, raw).status_code == 200
    assert count(store, ingests) == 1
    assert count(store, messages) >= 1


@pytest.mark.parametrize(
    ("signature", "status"),
    [
        (None, 401),
        ("", 401),
        ("sha1=abcdef", 401),
        ("sha256=" + "ab" * 16, 401),  # truncated digest
        ("sha256=" + "zz" * 32, 401),
        ("sha256=" + "00" * 32, 403),  # well-formed, forged
    ],
)
def test_bad_signatures_store_nothing(url: str, store: Store, signature: str | None, status: int) -> None:
    raw = json.dumps(CASES[0][2]).encode()
    answer = post(url, raw, signature)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == "bad_signature"
    assert count(store, ingests) == 0


def test_body_changed_after_signing_is_refused(url: str, store: Store) -> None:
    raw = json.dumps(CASES[0][2]).encode()
    answer = post(url, raw + b" ", sign(raw, SECRET))
    assert answer.status_code == 403 and count(store, ingests) == 0


def test_malformed_json_is_400(url: str, store: Store) -> None:
    answer = post(url, b'{"object": "whatsapp_business_account", "entry": [')
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed_json"
    assert count(store, ingests) == 0


def test_malformed_payload_names_the_path(url: str, store: Store) -> None:
    envelope = json.loads(json.dumps(CASES[0][2]))
    envelope["entry"][0]["changes"][0]["value"]["messages"][0]["timestamp"] = "yesterday"
    answer = post(url, json.dumps(envelope).encode())
    assert answer.status_code == 400
    assert "entry[0].changes[0].value.messages[0].timestamp" in answer.json()["error"]["message"]
    assert count(store, ingests) == 0


def test_body_over_the_cap_is_413(url: str, store: Store) -> None:
    raw = b'{"pad": "' + b"x" * (64 * 1024) + b'"}'
    assert post(url, raw).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap holds while streaming
        for _ in range(100):
            yield b"x" * 1024

    answer = requests.post(url, data=chunks(), headers={HEADER: sign(b"", SECRET)}, timeout=10)
    assert answer.status_code == 413
    assert count(store, ingests) == 0


@pytest.mark.parametrize("text", ["NUL \x00 inside", "half an emoji \ud83d alone"], ids=["nul", "lone surrogate"])
def test_text_no_database_stores_is_repaired_not_refused(any_store: Store, text: str) -> None:
    """JSON can carry both; PostgreSQL refuses NUL and no database takes a lone surrogate. Meta
    would retry a failed delivery forever, so it is stored with U+FFFD in their place."""
    raw = text_delivery(BUSINESS, "+14155550134", "wamid.repair", text, datetime.now(timezone.utc))
    with serving(create_app(any_store, WebhookSettings(verify_token=TOKEN, app_secret=SECRET))) as base:
        answer = post(base + PATH, raw)
    assert answer.status_code == 200, answer.text
    with any_store.engine.connect() as connection:
        assert connection.execute(select(messages.c.body)).scalar_one() == text.replace(
            "\x00", "\ufffd").replace("\ud83d", "\ufffd")


def test_what_the_store_refuses_is_400(url: str, store: Store) -> None:
    raw = text_delivery("+80100000", "+14155550134", "wamid.nowhere", "hi", datetime.now(timezone.utc))
    answer = post(url, raw)
    assert answer.status_code == 400 and "+80100000" in answer.json()["error"]["message"]
    assert count(store, ingests) == 0


def test_json_nested_too_deeply_is_400(url: str, store: Store) -> None:
    answer = post(url, b"[" * 5000 + b"]" * 5000)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "malformed_json"
    assert count(store, ingests) == 0


def test_a_full_disk_is_a_json_500_with_no_text_logged_and_the_retry_is_stored(
        store: Store, url: str, caplog: pytest.LogCaptureFixture) -> None:
    """SQLite itself runs out of room (max_page_count), as on a full disk."""
    from sqlalchemy import event

    with store.engine.connect() as connection:
        pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()

    def no_room(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    event.listen(store.engine, "connect", no_room)
    store.engine.dispose()
    secret_text = "private-quote-4471 " + "x" * 60_000
    raw = text_delivery(BUSINESS, "+14155550123", "wamid.full.1", secret_text,
                        datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc))
    with caplog.at_level("INFO"):
        full = post(url, raw)
    assert full.status_code == 500
    assert full.json()["error"]["code"] == "store_failed" and "full" in full.json()["error"]["message"]
    assert "private-quote" not in caplog.text + full.text and "store failed" in caplog.text
    assert count(store, messages) == 0

    event.remove(store.engine, "connect", no_room)
    store.engine.dispose()
    assert post(url, raw).status_code == 200
    assert count(store, messages) == 1
