"""Identifiers shaped like Meta's: message ids (wamid) derived from content, so fixtures replay
identically, and random ids for request_id and fbtrace_id, which Meta never repeats."""
from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import datetime


def wamid(business: str, user: str, key: str) -> str:
    """A wamid for a message between `business` and `user`: like Meta's, base64 of a small
    structure holding the user's number and a 20-hex-digit key, here a digest of `key`."""
    digest = hashlib.sha256(f"{business}|{user}|{key}".encode("utf-8")).hexdigest()[:20].upper()
    user_bytes = user.encode("ascii")
    raw = (b"\x1c\x18" + bytes([len(user_bytes) & 0xFF]) + user_bytes
           + b"\x15\x02\x00\x12\x18\x14" + digest.encode() + b"\x00")
    return "wamid." + base64.b64encode(raw).decode("ascii")


def history_message_id(business: str, user: str, from_business: bool, sent_at: datetime, text: str) -> str:
    """The wamid of a history message that has none: the same content always gives the same id."""
    return wamid(business, user, f"{'out' if from_business else 'in'}|{sent_at.isoformat()}|{text}")


def random_id(length: int = 16) -> str:
    """A random decimal id (request_id): Meta's are long decimal strings."""
    return str(secrets.randbelow(9 * 10 ** (length - 1)) + 10 ** (length - 1))


def fbtrace_id() -> str:
    """A random fbtrace_id, which Graph errors carry for Meta's support."""
    return secrets.token_urlsafe(8)[:11]
