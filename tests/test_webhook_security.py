"""Webhook security: forged, missing, truncated and replayed signatures store nothing; both secret
comparisons are hmac.compare_digest's; the size cap answers 413 without reading the body past it;
the secrets come from the environment or CumulusCI's keychain and never appear in output, logs or
the repository."""
from __future__ import annotations

import hmac
import re
import secrets
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from sqlalchemy import func, select

from asgi_server import serving
from cloud_api_deliveries import post_signed, text_delivery
from eazybe_tasks.sources.cloud_api import HEADER, sign
from eazybe_tasks.store.schema import ingests, messages, statuses
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import APP_SECRET_VARIABLE, SERVICE_TYPE, VERIFY_TOKEN_VARIABLE, WebhookSettings
from repo_paths import REPO, VENV_BIN
from tools import tool_env
from webhook_process import serve_webhook

SECRET = secrets.token_hex(16)  # made per session: no secret-shaped literal in the repository
TOKEN = secrets.token_urlsafe(16)
CAP = 16 * 1024
STREAMED = 1024 * 1024
BUSINESS = "+14155550100"


def genuine(n: int = 1) -> bytes:
    return text_delivery(BUSINESS, "+14155550134", f"wamid.security.{n}", f"message {n}", datetime.now(timezone.utc))


class BodyCounter:
    """Wraps the receiver to count the body bytes it took from the server."""

    def __init__(self, app: Any) -> None:
        self.app, self.read = app, 0

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        async def counted() -> dict:
            message = await receive()
            self.read += len(message.get("body", b""))
            return message

        await self.app(scope, counted, send)


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


@pytest.fixture
def receiver(store: Store) -> Iterator[tuple[str, BodyCounter]]:
    counter = BodyCounter(create_app(store, WebhookSettings(verify_token=TOKEN, app_secret=SECRET, max_body_bytes=CAP)))
    with serving(counter) as base:
        yield base + PATH, counter


@pytest.fixture
def url(receiver: tuple[str, BodyCounter]) -> str:
    return receiver[0]


def stored(store: Store) -> tuple[int, int, int]:
    with store.engine.connect() as connection:
        return tuple(connection.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[return-value]
                     for table in (ingests, messages, statuses))


NOTHING = (0, 0, 0)


def _signatures() -> list[tuple[str, Any]]:
    """(case, a function of the body giving the header value, None for no header)."""
    return [
        ("missing", lambda raw: None),
        ("empty", lambda raw: ""),
        ("prefix only", lambda raw: "sha256="),
        ("truncated to 63 hex digits", lambda raw: sign(raw, SECRET)[:-1]),
        ("one hex digit too many", lambda raw: sign(raw, SECRET) + "0"),
        ("sha1 instead of sha256", lambda raw: "sha1=" + hmac.new(SECRET.encode(), raw, "sha1").hexdigest()),
        ("not hexadecimal", lambda raw: "sha256=" + "zz" * 32),
        ("signed with another secret", lambda raw: sign(raw, SECRET + "x")),
        ("forged all zeros", lambda raw: "sha256=" + "00" * 32),
        ("a genuine signature of another body", lambda raw: sign(genuine(2), SECRET)),
    ]


@pytest.mark.parametrize(("case", "header_of"), _signatures(), ids=[case for case, _ in _signatures()])
def test_bad_signatures_are_refused_and_store_nothing(url: str, store: Store, case: str, header_of: Any) -> None:
    raw = genuine()
    header = header_of(raw)
    answer = requests.post(url, data=raw, headers={} if header is None else {HEADER: header}, timeout=30)
    assert answer.status_code in (401, 403) and answer.json()["error"]["code"] == "bad_signature"
    assert stored(store) == NOTHING


def test_a_replayed_delivery_is_answered_but_stores_nothing_new(url: str, store: Store) -> None:
    raw = genuine()
    first = post_signed(url, raw, SECRET)
    assert (first.status_code, first.json()) == (200, {"stored": 1, "statuses": 0})
    after_first = stored(store)
    for _ in range(3):  # Meta retries, or someone replays what they captured: 200, so retries stop
        again = post_signed(url, raw, SECRET)
        assert (again.status_code, again.json()) == (200, {"stored": 0, "statuses": 0})
    assert stored(store) == after_first == (1, 1, 0)
    changed = raw.replace(b"message 1", b"message 9")  # the captured signature on another body
    assert post_signed(url, changed, SECRET, signature=sign(raw, SECRET)).status_code == 403
    assert stored(store) == after_first


@pytest.mark.parametrize("verdict", [True, False])
def test_both_secrets_are_compared_by_hmac_compare_digest_alone(url: str, store: Store, verdict: bool,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """With compare_digest's answer forced, the receiver follows it: no other comparison decides."""
    calls: list[tuple[type, type]] = []

    def forced(a: Any, b: Any) -> bool:
        calls.append((type(a), type(b)))
        return verdict

    monkeypatch.setattr(hmac, "compare_digest", forced)
    raw = genuine()
    signature = sign(raw, SECRET) if not verdict else "sha256=" + "00" * 32  # the opposite of the verdict
    assert post_signed(url, raw, SECRET, signature=signature).status_code == (200 if verdict else 403)
    token = TOKEN if not verdict else "not-the-token"
    handshake = requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": token, "hub.challenge": "7"},
                             timeout=30)
    assert handshake.status_code == (200 if verdict else 403)
    assert calls == [(bytes, bytes), (bytes, bytes)]
    assert stored(store)[0] == (1 if verdict else 0)


def test_a_body_over_the_cap_is_413_unread_and_unstored(receiver: tuple[str, BodyCounter], store: Store) -> None:
    url, counter = receiver
    padded = genuine()
    at_cap = padded + b" " * (CAP - len(padded))  # JSON allows trailing whitespace
    assert post_signed(url, at_cap, SECRET).status_code == 200
    before, counter.read = stored(store), 0

    over = at_cap + b" "
    answer = post_signed(url, over, SECRET)
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "body_too_large"
    assert counter.read == 0  # Content-Length said it all: not a byte was read

    def chunks() -> Iterator[bytes]:  # no Content-Length: the reading stops at the cap
        for _ in range(STREAMED // 4096):
            yield b" " * 4096

    answer = requests.post(url, data=chunks(), headers={HEADER: sign(b" " * STREAMED, SECRET)}, timeout=30)
    assert answer.status_code == 413
    # uvicorn hands the body over in pieces of up to its 64 KiB buffer (plus one socket read); the
    # receiver takes none after the first piece past the cap
    assert counter.read < STREAMED // 4
    assert stored(store) == before


# Where the secrets come from


def test_secrets_from_the_environment_else_the_keychain_service(monkeypatch: pytest.MonkeyPatch) -> None:
    service = {"verify_token": "token-from-keychain", "app_secret": "secret-from-keychain"}
    monkeypatch.delenv(VERIFY_TOKEN_VARIABLE, raising=False)
    monkeypatch.delenv(APP_SECRET_VARIABLE, raising=False)
    from_keychain = WebhookSettings.resolve(service)
    assert (from_keychain.verify_token, from_keychain.app_secret) == ("token-from-keychain", "secret-from-keychain")
    monkeypatch.setenv(APP_SECRET_VARIABLE, "secret-from-environment")
    mixed = WebhookSettings.resolve(service)
    assert (mixed.verify_token, mixed.app_secret) == ("token-from-keychain", "secret-from-environment")
    assert "secret-from-environment" not in repr(mixed) and "token-from-keychain" not in repr(mixed)
    with pytest.raises(RuntimeError) as missing:
        WebhookSettings.resolve(None)
    assert str(missing.value) == (f"set {VERIFY_TOKEN_VARIABLE}, or connect the {SERVICE_TYPE} service with its "
                                  f"verify_token (cci service connect {SERVICE_TYPE}), before serving the webhook")


def test_cci_serve_webhook_with_secrets_from_the_keychain(tmp_path: Path, store: Store) -> None:
    """`cci service connect whatsapp_webhook` (values typed at its prompts), then `cci task run
    serve_webhook` with no secret in the environment: the handshake and a signed delivery work,
    and neither secret is in the output, cci's logs or anywhere in plain text under HOME."""
    home = tmp_path / "home"
    env = {key: value for key, value in tool_env().items() if key not in (VERIFY_TOKEN_VARIABLE, APP_SECRET_VARIABLE)}
    env.update(HOME=str(home), CUMULUSCI_KEY=secrets.token_hex(8),  # the keychain's encryption key
               PYTHON_KEYRING_BACKEND="keyring.backends.null.Keyring")  # never the developer's own keyring
    connect = subprocess.run([str(VENV_BIN / "cci"), "service", "connect", SERVICE_TYPE], input=f"{TOKEN}\n{SECRET}\n",
                             cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert connect.returncode == 0, connect.stdout + connect.stderr
    with serve_webhook(env, "-o", "store_url", str(store.engine.url)) as served:
        handshake = requests.get(served.url, params={"hub.mode": "subscribe", "hub.verify_token": TOKEN,
                                                     "hub.challenge": "1158201444"}, timeout=30)
        assert (handshake.status_code, handshake.text) == (200, "1158201444")
        assert post_signed(served.url, genuine(), SECRET).status_code == 200
    assert stored(store)[1] == 1
    for text in (connect.stdout + connect.stderr, served.output):
        assert SECRET not in text and TOKEN not in text
    for path in home.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert SECRET.encode() not in content and TOKEN.encode() not in content, path


# Nothing secret in the repository

SECRET_SHAPES = {
    "private key": r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----",
    "hex value of a secret-named key": r"(?i)(?:secret|token|password|passwd|api_?key)[\w.-]*[\"']?\s*[:=]\s*[\"']?"
                                       r"[0-9a-f]{32,}\b",
    "random-looking value of a secret-named key": r"(?i)(?:secret|token|password|passwd|api_?key)[\w.-]*[\"']?\s*[:=]"
                                                  r"\s*[\"'](?=[^\"']*\d)(?=[^\"']*[a-z])(?=[^\"']*[A-Z])"
                                                  r"[A-Za-z0-9+/_=]{24,}[\"']",
    "Meta access token": r"\bEAA[A-Za-z0-9]{60,}",
    "Salesforce session id": r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9_.]{40,}",
    "Salesforce refresh token": r"\b5Aep861[A-Za-z0-9_.]{40,}",
    "GitHub token": r"\bgh[pousr]_[A-Za-z0-9]{36,}",
    "AWS access key id": r"\bAKIA[0-9A-Z]{16}\b",
    "Slack token": r"\bxox[abprs]-[A-Za-z0-9-]{10,}",
    "JSON web token": r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
    "password in a URL": r"\b[a-z][a-z0-9+.-]*://[^/\s:@'\"]+:[^/\s@'\"]+@",
}
# Fake values that tests use on purpose, by file (split here, or this file would hold them too).
ALLOWED = {
    ("tests/test_scheduler.py", "postgresql://u:" + "s3cret@"),  # a store URL whose password must not leak
}


def secret_shapes_in(text: str) -> list[tuple[str, str]]:
    return [(name, found.group(0)) for name, shape in SECRET_SHAPES.items() for found in re.finditer(shape, text)]


@pytest.mark.parametrize("sample", [
    "-----BEGIN " + "RSA PRIVATE KEY-----",
    'app_secret: "' + "0123456789abcdef" * 2 + '"',
    "TOKEN = '" + "aB3" * 10 + "'",
    "EAA" + "Bx7" * 30,
    "00D" + "x" * 12 + "!" + "AQ" * 30,
    "gh" + "p_" + "a1" * 20,
    "AKIA" + "ABCDEFGH12345678",
    "postgresql://sync:" + "hunter2@db",
])
def test_the_scan_finds_each_shape(sample: str) -> None:
    assert secret_shapes_in(sample)


def test_no_secret_in_the_repository() -> None:
    """Every file git tracks, or would track (untracked but not ignored)."""
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    found = []
    for name in filter(None, listed):
        path = REPO / name
        if not path.is_file() or path.stat().st_size > 5_000_000:
            continue
        content = path.read_bytes()
        if b"\0" in content[:8192]:  # binary
            continue
        found += [f"{name}: {kind}: {match[:12]}..." for kind, match in secret_shapes_in(content.decode("utf-8", "replace"))
                  if (name, match) not in ALLOWED]
    assert found == []
