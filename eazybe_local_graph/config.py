"""Reads the numbers the stand-in serves from a JSON file, for `python -m eazybe_local_graph`.

{"numbers": [{"display_phone_number": "15550783881", "phone_number_id": "106540352242922",
              "waba_id": "102290129340398", "owner_business_id": "...",            (optional)
              "decline_history": false, "chunk_messages": 500, "shuffle_chunks": false,  (optional)
              "contacts": [{"full_name": "Ana Lima", "first_name": "Ana", "phone_number": "5511987654321"}],
              "threads": [{"user": "5511987654321", "messages": [
                  {"from_business": false, "text": "Hi", "sent_at": "2025-01-31T09:00:00Z",
                   "id": "wamid...", "status": "READ"},                                  (id, status optional)
                  {"from_business": true, "text": "Hello!", "days_ago": 2.5}]}]}]}

A message gives either `sent_at` (ISO 8601 with a UTC offset) or `days_ago` (relative to when the
file is read), so a demo file keeps meaning "the last few days" whenever it is run."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from eazybe_local_graph.business_app import AppContact, BusinessNumber, HistoryMessage, Thread

_NUMBER_KEYS = {"display_phone_number", "phone_number_id", "waba_id", "owner_business_id", "decline_history",
                "chunk_messages", "shuffle_chunks", "contacts", "threads"}
_MESSAGE_KEYS = {"from_business", "text", "sent_at", "days_ago", "id", "status"}


class ConfigError(ValueError):
    """The config file does not describe numbers as expected; says where."""


def _check_keys(item: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected an object")
    unknown = set(item) - allowed
    if unknown:
        raise ConfigError(f"{where}: unknown keys {sorted(unknown)}")
    return item


def _sent_at(message: dict[str, Any], now: datetime, where: str) -> datetime:
    if ("sent_at" in message) == ("days_ago" in message):
        raise ConfigError(f"{where}: give exactly one of sent_at and days_ago")
    if "days_ago" in message:
        return now - timedelta(days=float(message["days_ago"]))
    moment = datetime.fromisoformat(str(message["sent_at"]).replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ConfigError(f"{where}: sent_at needs a UTC offset")
    return moment.astimezone(timezone.utc)


def _message(item: Any, now: datetime, where: str) -> HistoryMessage:
    message = _check_keys(item, _MESSAGE_KEYS, where)
    return HistoryMessage(from_business=bool(message["from_business"]), text=str(message["text"]),
                          sent_at=_sent_at(message, now, where), id=message.get("id"),
                          status=message.get("status", "READ"))


def _number(item: Any, now: datetime, where: str) -> BusinessNumber:
    number = _check_keys(item, _NUMBER_KEYS, where)
    contacts = [AppContact(**_check_keys(c, {"full_name", "first_name", "phone_number"}, f"{where}.contacts[{i}]"))
                for i, c in enumerate(number.get("contacts", []))]
    threads = []
    for t, thread in enumerate(number.get("threads", [])):
        thread = _check_keys(thread, {"user", "messages"}, f"{where}.threads[{t}]")
        threads.append(Thread(str(thread["user"]), [
            _message(m, now, f"{where}.threads[{t}].messages[{i}]") for i, m in enumerate(thread.get("messages", []))
        ]))
    return BusinessNumber(
        display_phone_number=str(number["display_phone_number"]), phone_number_id=str(number["phone_number_id"]),
        waba_id=str(number["waba_id"]), contacts=contacts, threads=threads,
        decline_history=bool(number.get("decline_history", False)),
        chunk_messages=int(number.get("chunk_messages", 500)), shuffle_chunks=bool(number.get("shuffle_chunks", False)),
        owner_business_id=number.get("owner_business_id"),
    )


def numbers_from_config(data: Any, now: datetime | None = None) -> list[BusinessNumber]:
    """The numbers a parsed config describes; raises ConfigError (or ValueError) if it is wrong."""
    now = now or datetime.now(timezone.utc)
    config = _check_keys(data, {"numbers"}, "config")
    numbers = config.get("numbers")
    if not isinstance(numbers, list) or not numbers:
        raise ConfigError("config: 'numbers' must be a non-empty list")
    try:
        return [_number(item, now, f"numbers[{i}]") for i, item in enumerate(numbers)]
    except KeyError as missing:
        raise ConfigError(f"config: missing key {missing}") from None


def load_numbers(path: Path, now: datetime | None = None) -> list[BusinessNumber]:
    return numbers_from_config(json.loads(path.read_text(encoding="utf-8")), now)
