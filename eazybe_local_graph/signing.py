"""Meta's webhook signature: HMAC-SHA256 of the exact body bytes with the app secret, sent as
`X-Hub-Signature-256: sha256=<hex>`. And the body bytes themselves, serialized as Meta does
(compact, non-ASCII and '/' escaped), so receivers are exercised on realistic raw bytes."""
from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

SIGNATURE_HEADER = "X-Hub-Signature-256"


def encode_body(body: dict[str, Any]) -> bytes:
    """The bytes sent for `body`. '/' only occurs inside JSON strings, so escaping it is safe."""
    return json.dumps(body, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/").encode("ascii")


def signature(raw_body: bytes, app_secret: str) -> str:
    """The X-Hub-Signature-256 header value for `raw_body`."""
    if not app_secret:
        raise ValueError("the app secret is empty")
    return "sha256=" + hmac.new(app_secret.encode("utf-8"), raw_body, hashlib.sha256).hexdigest()
