"""The JSONL feed: how other bridges (an SMS gateway, another WhatsApp tool) hand messages to
this toolkit without writing a source of their own. One JSON object per line, documented in
docs/feed.md; every line is checked so that a bad bridge fails loudly, at the line it wrote.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import phonenumbers

from eazybe_tasks.sources.model import (
    FUTURE_LIMIT,
    AttachmentRef,
    Direction,
    Message,
    MessageType,
    Source,
    SourceError,
    utc_now,
)

E164 = re.compile(r"\+[0-9]{8,15}")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
STATUSES = frozenset({"sent", "delivered", "read", "played", "failed"})
REQUIRED = ("id", "account", "chat", "direction", "timestamp", "type")
OPTIONAL = ("group", "chat_name", "sender", "sender_name", "body", "status", "edited", "reply_to",
            "attachments")
ATTACHMENT_REQUIRED = ("file_name", "mime_type", "sha256")
ATTACHMENT_OPTIONAL = ("url",)
Clock = Callable[[], datetime]


class _FieldError(ValueError):
    """A bad field inside one line; parse_line turns it into a SourceError for the line."""


def parse_feed(path: Path, clock: Clock = utc_now) -> Iterator[Message]:
    """Messages of the feed at `path`, read line by line (a feed may be large). Blank lines are
    skipped; the first bad line raises SourceError("<path>:<line>", ...). `clock` is what "now"
    is for the future-time check (tests pass a fixed one)."""
    for where, line in _lines(path):
        yield parse_line(line, where, clock)


def validate_feed(path: Path, clock: Clock = utc_now) -> list[SourceError]:
    """Every bad line of the feed, not just the first: for a bridge author fixing their output."""
    problems = []
    for where, line in _lines(path):
        try:
            parse_line(line, where, clock)
        except SourceError as error:
            problems.append(error)
    return problems


def parse_line(line: bytes, where: str, clock: Clock = utc_now) -> Message:
    try:
        record = json.loads(line.decode("utf-8"))
        json.dumps(record, ensure_ascii=False).encode("utf-8")  # every string must be storable text
        if _holds_nul(record):
            raise SourceError(where, "a string holds NUL (\\u0000), which a database cannot store as text")
    except UnicodeDecodeError as error:
        raise SourceError(where, f"not UTF-8: {error.reason} at byte {error.start}") from None
    except UnicodeEncodeError:
        raise SourceError(where, "a string holds a lone UTF-16 surrogate (half of an escaped character, "
                                 "such as \\ud83d without its pair)") from None
    except json.JSONDecodeError as error:
        raise SourceError(where, f"not a JSON object: {error.msg} at column {error.colno}") from None
    except RecursionError:
        raise SourceError(where, "JSON nested too deeply to be a message") from None
    try:
        return _message(record, clock())
    except _FieldError as error:
        raise SourceError(where, str(error)) from None


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\0" in value
    if isinstance(value, list):
        return any(map(_holds_nul, value))
    if isinstance(value, dict):
        return any(map(_holds_nul, value)) or any(map(_holds_nul, value.values()))
    return False


def _lines(path: Path) -> Iterator[tuple[str, bytes]]:
    with path.open("rb") as feed:
        for number, line in enumerate(feed, start=1):
            if number == 1:
                line = line.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 BOM some editors write
            if line.strip():
                yield f"{path}:{number}", line


def _message(record: Any, now: datetime) -> Message:
    if not isinstance(record, dict):
        raise _FieldError(f"expected a JSON object, got {type(record).__name__}")
    _check_fields(record, REQUIRED, OPTIONAL)
    is_group = _get(record, "group", _boolean, False)
    return Message(
        source=Source.FEED,
        source_id=_get(record, "id", _text),
        account_number=_get(record, "account", _e164),
        chat_id=_get(record, "chat", _text if is_group else _e164),
        is_group=is_group,
        direction=_get(record, "direction", _enum(Direction)),
        type=_get(record, "type", _enum(MessageType)),
        sent_at=_get(record, "timestamp", _timestamp_until(now + FUTURE_LIMIT)),
        body=_get(record, "body", _any_text, ""),
        sender=_get(record, "sender", _e164, None),
        sender_name=_get(record, "sender_name", _text, None),
        chat_name=_get(record, "chat_name", _text, None),
        status=_get(record, "status", _status, None),
        edited=_get(record, "edited", _boolean, False),
        reply_to=_get(record, "reply_to", _text, None),
        attachments=_get(record, "attachments", _attachments, ()),
        raw=record,
    )


_MISSING = object()


def _get(record: dict[str, Any], key: str, check: Callable[[Any], Any], default: Any = _MISSING) -> Any:
    """The checked value of field `key`; null counts as absent for optional fields."""
    value = record.get(key)
    if value is None and default is not _MISSING:
        return default
    try:
        return check(value)
    except _FieldError as error:
        raise _FieldError(f"field '{key}': {error}") from None


def _check_fields(record: dict[str, Any], required: tuple[str, ...], optional: tuple[str, ...]) -> None:
    """Missing required fields and unknown ones (usually typos) are both errors."""
    for key in required:
        if record.get(key) is None:
            raise _FieldError(f"field '{key}': required")
    for key in record:
        if key not in required and key not in optional:
            raise _FieldError(f"field '{key}': unknown field (expected one of "
                              f"{', '.join(required + optional)})")


def _got(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def _any_text(value: Any) -> str:
    if not isinstance(value, str):
        raise _FieldError(f"expected a string, got {_got(value)}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _FieldError(f"expected a non-empty string, got {_got(value)}")
    return value


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise _FieldError(f"expected true or false, got {_got(value)}")
    return value


def _e164(value: Any) -> str:
    if not (isinstance(value, str) and E164.fullmatch(value)):
        raise _FieldError(f"expected an E.164 number ('+' then 8 to 15 digits), got {_got(value)}")
    try:
        phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        raise _FieldError(f"expected an E.164 number starting with a country code, got {_got(value)}") from None
    return value


def _enum(kind: type[Direction] | type[MessageType]) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            choices = ", ".join(member.value for member in kind)
            raise _FieldError(f"expected one of {choices}, got {_got(value)}") from None

    return check


def _status(value: Any) -> str:
    if value not in STATUSES:
        raise _FieldError(f"expected one of {', '.join(sorted(STATUSES))}, got {_got(value)}")
    return value


def _timestamp(value: Any) -> datetime:
    """ISO 8601 with an offset, or unix seconds: a time without an offset is ambiguous."""
    problem = f"expected ISO 8601 with a UTC offset or unix seconds, got {_got(value)}"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=timezone.utc)
        except (OverflowError, OSError, ValueError):
            raise _FieldError(problem) from None
    if not isinstance(value, str):
        raise _FieldError(problem)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise _FieldError(problem) from None
    if moment.tzinfo is None:
        raise _FieldError(problem)
    try:
        return moment.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise _FieldError(problem) from None


def _timestamp_until(latest: datetime) -> Callable[[Any], datetime]:
    """A timestamp (as _timestamp) no later than `latest`."""
    def check(value: Any) -> datetime:
        moment = _timestamp(value)
        if moment > latest:
            raise _FieldError(f"{_got(value)} is {moment:%Y-%m-%d %H:%M} UTC, more than a day after now "
                              f"({latest - FUTURE_LIMIT:%Y-%m-%d %H:%M} UTC)")
        return moment

    return check


def _attachments(value: Any) -> tuple[AttachmentRef, ...]:
    if not isinstance(value, list):
        raise _FieldError(f"expected a list, got {_got(value)}")
    return tuple(_attachment(item, index) for index, item in enumerate(value))


def _attachment(item: Any, index: int) -> AttachmentRef:
    """The model has no url: a url stays in the message's raw record for whoever fetches it."""
    try:
        if not isinstance(item, dict):
            raise _FieldError(f"expected an object, got {_got(item)}")
        _check_fields(item, ATTACHMENT_REQUIRED, ATTACHMENT_OPTIONAL)
        _get(item, "url", _text, None)
        return AttachmentRef(file_name=_get(item, "file_name", _text),
                             mime_type=_get(item, "mime_type", _text),
                             sha256=_get(item, "sha256", _sha256))
    except _FieldError as error:
        raise _FieldError(f"item {index}: {error}") from None


def _sha256(value: Any) -> str:
    if not (isinstance(value, str) and SHA256_HEX.fullmatch(value)):
        raise _FieldError(f"expected 64 lowercase hex digits, got {_got(value)}")
    return value
