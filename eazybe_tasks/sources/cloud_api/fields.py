"""Typed reads from decoded webhook JSON, each failing with the payload path of the bad value.

Webhook JSON is untrusted input: every read goes through these so that a malformed delivery
always ends in one SourceError saying where and what, never a KeyError or TypeError.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Callable, Iterator

from eazybe_tasks.sources.model import FUTURE_LIMIT, SourceError, utc_now

_WA_ID = re.compile(r"[0-9]{7,15}")
_PHONE_FORMATTING = re.compile(r"[\s+()\-.]")
_LAST_UNIX_SECOND = 253402300799  # 9999-12-31T23:59:59Z, the largest a datetime holds
_clock: ContextVar[Callable[[], datetime]] = ContextVar("cloud_api_clock", default=utc_now)


@contextmanager
def clock(now: Callable[[], datetime]) -> Iterator[None]:
    """Reads of the payloads parsed inside take `now()` as the current time (tests); the real
    clock is back after the block, whatever happens in it, and other threads never see it."""
    token = _clock.set(now)
    try:
        yield
    finally:
        _clock.reset(token)


def current_time() -> datetime:
    """The current time as payload reads see it (aware, UTC)."""
    return _clock.get()()


def describe(value: Any) -> str:
    """A short rendering of a bad value for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def child(where: str, key: str | int) -> str:
    """The path of a member (`key`) or an item (`index`) of the value at `where`."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return f"{where}.{key}" if where else key


def as_object(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise SourceError(where, f"expected an object, got {describe(value)}")
    return value


def as_list(value: Any, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise SourceError(where, f"expected a list, got {describe(value)}")
    return value


def as_str(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise SourceError(where, f"expected a string, got {describe(value)}")
    return value


def as_id(value: Any, where: str) -> str:
    """An identifier: a non-empty string."""
    if not isinstance(value, str) or not value:
        raise SourceError(where, f"expected a non-empty id string, got {describe(value)}")
    return value


def as_number(value: Any, where: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise SourceError(where, f"expected a number, got {describe(value)}")
    return value


def as_bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise SourceError(where, f"expected true or false, got {describe(value)}")
    return value


def required(mapping: dict[str, Any], key: str, where: str) -> Any:
    if key not in mapping:
        raise SourceError(child(where, key), "required field is missing")
    return mapping[key]


def optional_str(mapping: dict[str, Any], key: str, where: str) -> str | None:
    value = mapping.get(key)
    return None if value is None else as_str(value, child(where, key))


def optional_object(mapping: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = mapping.get(key)
    return {} if value is None else as_object(value, child(where, key))


def optional_list(mapping: dict[str, Any], key: str, where: str) -> list[Any]:
    value = mapping.get(key)
    return [] if value is None else as_list(value, child(where, key))


def objects(mapping: dict[str, Any], key: str, where: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Each object of the optional list `mapping[key]`, with its path."""
    list_where = child(where, key)
    for index, item in enumerate(optional_list(mapping, key, where)):
        item_where = child(list_where, index)
        yield as_object(item, item_where), item_where


def unix_time(value: Any, where: str) -> datetime:
    """Cloud API timestamps are unix seconds as a decimal string, at most FUTURE_LIMIT ahead of now."""
    if not (isinstance(value, str) and value.isascii() and value.isdigit()):
        raise SourceError(where, f"expected a unix timestamp string, got {describe(value)}")
    digits = value.lstrip("0") or "0"  # int() refuses over 4300 digits; over 12 is past 9999 anyway
    if len(digits) > len(str(_LAST_UNIX_SECOND)) or int(digits) > _LAST_UNIX_SECOND:
        raise SourceError(where, f"unix timestamp {describe(value)} is past the year 9999")
    moment = datetime.fromtimestamp(int(digits), tz=timezone.utc)
    now = current_time()
    if moment > now + FUTURE_LIMIT:
        raise SourceError(where, f"unix timestamp {describe(value)} is {moment:%Y-%m-%d %H:%M} UTC, more than "
                                 f"a day after now ({now:%Y-%m-%d %H:%M} UTC)")
    return moment


def wa_number(value: Any, where: str) -> str:
    """A WhatsApp id (digits, no "+") as E.164. Never parsed with a default region: that would
    turn e.g. 972... into a local number of the wrong country."""
    if not (isinstance(value, str) and _WA_ID.fullmatch(value)):
        raise SourceError(where, f"expected a WhatsApp number (7-15 digits), got {describe(value)}")
    return "+" + value


def display_number(value: Any, where: str) -> str:
    """The business number as shown by Meta ("15550783881", maybe "+1 555-078-3881") as E.164."""
    digits = _PHONE_FORMATTING.sub("", as_str(value, where))
    if not _WA_ID.fullmatch(digits):
        raise SourceError(where, f"expected the business phone number, got {describe(value)}")
    return "+" + digits
