"""Checks that a webhook delivery really comes from Meta.

Meta signs the raw request body with the app secret (HMAC-SHA256) and sends the hex digest in
`X-Hub-Signature-256: sha256=<hex>`. The check must run on the exact bytes received: re-serialized
JSON differs in spacing and escaping, so it never verifies.
"""
from __future__ import annotations

import hashlib
import hmac
import re

from eazybe_tasks.sources.model import SourceError

HEADER = "X-Hub-Signature-256"
PREFIX = "sha256="
_DIGEST_HEX_LENGTH = hashlib.sha256().digest_size * 2
_HEX = re.compile(r"[0-9a-fA-F]*")


class SignatureError(SourceError):
    """The delivery is not signed (`forged` False: HTTP 401), or signed with another secret or for
    another body (`forged` True: HTTP 403). Either way it is rejected before it is read."""

    def __init__(self, problem: str, forged: bool = False):
        super().__init__(f"{HEADER} header", problem)
        self.forged = forged


def sign(raw_body: bytes, app_secret: str) -> str:
    """The header value Meta would send for `raw_body`: for tests and fake senders."""
    return PREFIX + _digest(raw_body, app_secret).hex()


def verify_signature(raw_body: bytes, header: str | None, app_secret: str) -> None:
    """Returns if `header` is the signature of `raw_body` under `app_secret`, else raises
    SignatureError saying what is wrong with it."""
    if not app_secret:
        raise ValueError("the app secret is empty: the webhook receiver is misconfigured")
    if header is None or header == "":
        raise SignatureError("missing")
    if not header.startswith(PREFIX):
        raise SignatureError(f"expected it to start with {PREFIX!r}")
    hex_digest = header[len(PREFIX):]
    if not (hex_digest.isascii() and _HEX.fullmatch(hex_digest)):
        raise SignatureError("the digest is not hexadecimal")
    if len(hex_digest) != _DIGEST_HEX_LENGTH:
        raise SignatureError(
            f"the digest has {len(hex_digest)} hex digits, expected {_DIGEST_HEX_LENGTH}"
        )
    if not hmac.compare_digest(bytes.fromhex(hex_digest), _digest(raw_body, app_secret)):
        raise SignatureError("does not match the body: not signed with this app's secret", forged=True)


def _digest(raw_body: bytes, app_secret: str) -> bytes:
    return hmac.new(app_secret.encode("utf-8"), raw_body, hashlib.sha256).digest()
