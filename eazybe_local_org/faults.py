"""Fault injection: the failures Salesforce produces on a bad day, on demand and reproducibly.

Off by default. When switched on for an org (with a seed, so a failing test reproduces), the
server consults it before each API request (5xx answers, slow answers, a REQUEST_LIMIT_EXCEEDED
spell, an expired session) and for each record written in sObject Collections and Bulk API rows
(UNABLE_TO_LOCK_ROW). A faulted write is applied whole or not at all."""
from __future__ import annotations

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class FaultSettings:
    seed: int = 0
    server_error_rate: float = 0.0  # share of API requests answered 500/503
    slow_rate: float = 0.0  # share of API requests answered only after `slow_seconds`
    slow_seconds: float = 0.0
    row_lock_rate: float = 0.0  # share of written records failing with UNABLE_TO_LOCK_ROW
    limit_spell_requests: int = 0  # the next N API requests get REQUEST_LIMIT_EXCEEDED
    expire_sessions: bool = False  # every current session expires now


class Faults:
    def __init__(self) -> None:
        self.settings: FaultSettings | None = None
        self._random = random.Random(0)

    @property
    def enabled(self) -> bool:
        return self.settings is not None

    def row_locked(self) -> bool:
        """Whether the record being written fails with UNABLE_TO_LOCK_ROW."""
        return self.settings is not None and self._random.random() < self.settings.row_lock_rate
