"""Salesforce record ids: 15-character case-sensitive ids and their 18-character case-safe form.

Clients send either form and compare ids as strings, so the local org issues, stores and returns
the 18-character form, and accepts both on the way in.
"""
from __future__ import annotations

import re
from typing import Mapping

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_ID15 = re.compile(r"[0-9A-Za-z]{15}")
_KEY_PREFIX = re.compile(r"[0-9A-Za-z]{3}")

POD = "5g"  # the two characters real orgs spend on the instance; any fixed pair works locally
_COUNTER_WIDTH = 10  # 15 = 3 (key prefix) + 2 (pod) + 10


def checksum(id15: str) -> str:
    """The 3-character suffix: one bit per uppercase letter in each 5-character chunk."""
    suffix = ""
    for start in (0, 5, 10):
        bits = sum(1 << position for position, char in enumerate(id15[start : start + 5]) if "A" <= char <= "Z")
        suffix += _SUFFIX_ALPHABET[bits]
    return suffix


def to_18(id15: str) -> str:
    """The case-safe form of a 15-character id; raises ValueError for anything else."""
    if not _ID15.fullmatch(id15):
        raise ValueError(f"not a 15-character Salesforce id: {id15!r}")
    return id15 + checksum(id15)


def normalize(any_id: str) -> str | None:
    """The 18-character form of a 15- or 18-character id; None when malformed or the checksum is wrong."""
    if not isinstance(any_id, str):
        return None
    head = any_id[:15]
    if not _ID15.fullmatch(head):
        return None
    if len(any_id) == 15:
        return head + checksum(head)
    if len(any_id) == 18 and any_id[15:] == checksum(head):
        return any_id
    return None


def key_prefix(any_id: str) -> str:
    """The first three characters, which name the sObject type (001 Account, 003 Contact, ...)."""
    return any_id[:3]


def make_id(prefix: str, number: int, pod: str = POD) -> str:
    """The 18-character id numbered `number` under `prefix`: pure, so ids follow from a counter."""
    if not _KEY_PREFIX.fullmatch(prefix):
        raise ValueError(f"not a key prefix: {prefix!r}")
    if number < 0 or number >= 62**_COUNTER_WIDTH:
        raise ValueError(f"id number out of range: {number}")
    digits = ""
    for _ in range(_COUNTER_WIDTH):
        number, remainder = divmod(number, 62)
        digits = BASE62[remainder] + digits
    return to_18(prefix + pod + digits)


class IdGenerator:
    """Issues unique ids per key prefix; the caller persists `counters` so a restarted org never reuses one."""

    def __init__(self, counters: Mapping[str, int] | None = None, pod: str = POD) -> None:
        self._counters = dict(counters or {})
        self._pod = pod

    @property
    def counters(self) -> dict[str, int]:
        """The last number issued per prefix."""
        return dict(self._counters)

    def next(self, prefix: str, n: int = 1) -> list[str]:
        """`n` fresh ids for `prefix`, in issue order."""
        first = self._counters.get(prefix, 0) + 1
        ids = [make_id(prefix, number, self._pod) for number in range(first, first + n)]
        self._counters[prefix] = first + n - 1
        return ids
