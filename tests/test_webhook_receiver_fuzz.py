"""Hypothesis against the running receiver over HTTP: whatever the body and headers, the answer is
a deliberate 2xx/4xx (never a 500 or a dropped connection), and only a correctly signed, valid
delivery stores anything."""
from __future__ import annotations

import json
from typing import Iterator

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from asgi_server import serving
from eazybe_tasks.sources.cloud_api import HEADER, sign
from eazybe_tasks.store.schema import ingests
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import WebhookSettings
from fuzz_counts import tried
from repo_paths import CORPUS_WEBHOOKS

SECRET = "fuzz-secret"
SUITE = "webhook receiver over HTTP"
TEXT_CASE = json.loads((CORPUS_WEBHOOKS / "pywa__message.json").read_text())["text"]


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'store.db'}")
    settings_ = WebhookSettings(verify_token="t", app_secret=SECRET, max_body_bytes=16 * 1024)
    with serving(create_app(store, settings_)) as base:
        yield base + PATH, store


def ingest_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(ingests)).scalar_one()


# Any text, lone surrogates and NUL included: JSON carries both, and the receiver must store them.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(st.characters(exclude_categories=()), max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def mutated_envelope(data: st.DataObject) -> dict:
    envelope = json.loads(json.dumps(TEXT_CASE))
    message = envelope["entry"][0]["changes"][0]["value"]["messages"][0]
    key = data.draw(st.sampled_from(sorted(message)))
    message[key] = data.draw(json_values)
    return envelope


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Header values as HTTP allows them (visible ASCII); control characters never reach the app.
@given(body=st.binary(max_size=2048),
       header=st.none() | st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=80)
       | st.builds(lambda h: "sha256=" + h, st.text(alphabet="0123456789abcdefABCDEF", max_size=70)))
def test_unsigned_or_forged_requests_store_nothing(receiver: tuple[str, Store], body: bytes, header: str | None) -> None:
    url, store = receiver
    before = ingest_count(store)
    headers = {} if header is None else {HEADER: header}
    answer = requests.post(url, data=body, headers=headers, timeout=10)
    tried(SUITE, "unsigned or forged")
    assert answer.status_code in (401, 403)
    assert ingest_count(store) == before


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_signed_mutated_deliveries_are_stored_whole_or_refused(receiver: tuple[str, Store], data: st.DataObject) -> None:
    url, store = receiver
    raw = json.dumps(mutated_envelope(data)).encode()
    before = ingest_count(store)
    answer = requests.post(url, data=raw, headers={HEADER: sign(raw, SECRET)}, timeout=10)
    tried(SUITE, "signed, stored" if answer.status_code == 200 else "signed, refused")
    assert answer.status_code in (200, 400), answer.text
    if answer.status_code == 400:
        assert answer.json()["error"]["code"] in ("malformed_payload", "malformed_json")
        assert ingest_count(store) == before
    else:
        assert ingest_count(store) in (before, before + 1)  # a replay of an earlier body stores nothing new
