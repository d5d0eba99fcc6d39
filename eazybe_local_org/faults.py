"""Fault injection: the failures Salesforce produces on a bad day, on demand and reproducibly.

Off by default. When switched on for an org (with a seed, so a failing test reproduces), the
server consults it before each API request (5xx answers, slow answers, a REQUEST_LIMIT_EXCEEDED
spell, UNABLE_TO_LOCK_ROW on single-record writes) and for each record written in sObject
Collections and Bulk API rows (UNABLE_TO_LOCK_ROW). Switching it on may also expire every
session. A faulted write is applied whole or not at all.

A slow answer is the one fault that is not a refusal: the request waits, then completes. A
client whose timeout is shorter gives up while its write may still be applied afterwards, the
ambiguity a real Salesforce timeout leaves a client with (retrying may write twice)."""
from __future__ import annotations

import dataclasses
import random
import threading
from dataclasses import dataclass
from enum import Enum
from typing import Any

from eazybe_local_org.records.errors import RecordError

RATES = ("server_error_rate", "slow_rate", "row_lock_rate")


@dataclass(frozen=True)
class FaultSettings:
    seed: int = 0
    server_error_rate: float = 0.0  # share of API requests answered 500/503
    slow_rate: float = 0.0  # share of API requests answered only after `slow_seconds`
    slow_seconds: float = 0.0
    row_lock_rate: float = 0.0  # share of written records failing with UNABLE_TO_LOCK_ROW
    limit_spell_requests: int = 0  # the next N API requests get REQUEST_LIMIT_EXCEEDED
    expire_sessions: bool = False  # every current session expires now

    @classmethod
    def from_json(cls, body: Any) -> "FaultSettings":
        """Settings as a client sends them; ValueError says what is wrong, so a typo never
        silently leaves a fault off."""
        if not isinstance(body, dict):
            raise ValueError("fault settings must be a JSON object")
        known = {field.name: field.type for field in dataclasses.fields(cls)}
        unknown = sorted(set(body) - set(known))
        if unknown:
            raise ValueError(f"unknown fault settings: {', '.join(unknown)}; known: {', '.join(known)}")
        settings = cls(**body)
        for name, value in dataclasses.asdict(settings).items():
            expected = {"bool": bool, "int": int, "float": (int, float)}[known[name]]
            if not isinstance(value, expected) or (known[name] != "bool" and isinstance(value, bool)):
                raise ValueError(f"{name} must be of type {known[name]}")
        if any(not 0 <= getattr(settings, name) <= 1 for name in RATES):
            raise ValueError(f"{', '.join(RATES)} must be between 0 and 1")
        if settings.slow_seconds < 0 or settings.limit_spell_requests < 0:
            raise ValueError("slow_seconds and limit_spell_requests must not be negative")
        return settings


class RequestFault(Enum):
    """What an API request gets instead of (or before) its normal handling."""

    UNKNOWN_EXCEPTION = "server_error_500"
    SERVER_UNAVAILABLE = "server_error_503"
    REQUEST_LIMIT = "request_limit"
    ROW_LOCK = "row_lock"
    SLOW = "slow"


SESSION_EXPIRY = "session_expiry"


def zero_counters() -> dict[str, int]:
    return {kind.value: 0 for kind in RequestFault} | {SESSION_EXPIRY: 0}


def row_lock_error(record_id: str | None) -> RecordError:
    """Salesforce's words for a record another transaction holds; without an id (a new record)
    it names none."""
    message = "unable to obtain exclusive access to this record"
    return RecordError("UNABLE_TO_LOCK_ROW", f"{message} or 1 records: {record_id}" if record_id else message, [])


class Faults:
    """One org's fault injector. Decisions draw from one seeded generator, so the same settings
    and the same sequence of calls give the same faults. Thread-safe: Bulk API rows may be
    decided outside the request's task."""

    def __init__(self) -> None:
        self.settings: FaultSettings | None = None
        self._random = random.Random(0)
        self._spell_left = 0
        self._lock = threading.Lock()
        self.injected = zero_counters()

    @property
    def enabled(self) -> bool:
        return self.settings is not None

    @property
    def slow_seconds(self) -> float:
        settings = self.settings
        return settings.slow_seconds if settings else 0.0

    def configure(self, settings: FaultSettings | None) -> None:
        """Switches faults on (a fresh run: generator re-seeded, counters zeroed) or off (None;
        the counters stay readable). Expiring sessions is the caller's part: it owns them."""
        with self._lock:
            self.settings = settings
            self._spell_left = settings.limit_spell_requests if settings else 0
            if settings is not None:
                self._random = random.Random(settings.seed)
                self.injected = zero_counters()

    def count(self, kind: str) -> None:
        with self._lock:
            self.injected[kind] += 1

    def before_request(self, writes_one_record: bool) -> RequestFault | None:
        """The fault an API request gets, if any: at most one, the spell first."""
        with self._lock:
            fault = self._decide(writes_one_record)
        if fault is not None:
            self.count(fault.value)
        return fault

    def _decide(self, writes_one_record: bool) -> RequestFault | None:
        settings = self.settings
        if settings is None:
            return None
        if self._spell_left > 0:
            self._spell_left -= 1
            return RequestFault.REQUEST_LIMIT
        if self._random.random() < settings.server_error_rate:
            return self._random.choice([RequestFault.UNKNOWN_EXCEPTION, RequestFault.SERVER_UNAVAILABLE])
        if writes_one_record and self._random.random() < settings.row_lock_rate:
            return RequestFault.ROW_LOCK
        if self._random.random() < settings.slow_rate:
            return RequestFault.SLOW
        return None

    def row_locked(self) -> bool:
        """Whether the record being written fails with UNABLE_TO_LOCK_ROW."""
        with self._lock:
            locked = self.settings is not None and self._random.random() < self.settings.row_lock_rate
        if locked:
            self.count(RequestFault.ROW_LOCK.value)
        return locked
