"""The ledger against the org: every chat-day record the ledger says Salesforce acknowledged in
the period is read back by Chat_Key__c and compared, and the org's records of the period that
the ledger does not know are listed.

What is compared: presence; the record Id (a record deleted and created again by hand has
another); and, where the chat-day can be rebuilt exactly as written (expected_records), every
field the sync writes: the transcript (shown by its SHA-256 and the first line that differs),
the message, inbound, outbound and attachment counts, and the rest (name, person, numbers,
dates, source). Last_Synced_At__c is the sync's own stamp and is not compared."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from typing import Any, Iterable

import pandas as pd
from sqlalchemy.engine import Engine

from eazybe_tasks.audit.expected_records import Expected, expected_records
from eazybe_tasks.audit.ledger_queries import known_keys, written_in
from eazybe_tasks.audit.period import Period
from eazybe_tasks.audit.soql_batches import in_batches
from eazybe_tasks.chat_days.messages import ChatDay
from eazybe_tasks.matching.refresh import QueryClient
from eazybe_tasks.store.store import Store

MISSING = "missing in org"
EXTRA = "extra in org"
RECORD_ID = "record id differs"
TRANSCRIPT = "transcript differs"
COUNT = "count differs"
FIELD = "field differs"
DIFFERENCE_COLUMNS = ["chat_key", "day", "difference", "detail", "record_id"]


@dataclass(frozen=True)
class Reconciliation:
    checked: int  # chat-day records the ledger says were written in the period
    compared: int  # of those, rebuilt from the store and compared field by field
    differences: pd.DataFrame  # DIFFERENCE_COLUMNS, one row per difference
    not_compared: pd.DataFrame  # chat_key, day, reason: written records whose fields cannot be known

    def summary(self) -> str:
        return (f"{self.checked} chat-day records written in the period, {self.compared} compared field by field: "
                f"{len(self.differences)} difference{'' if len(self.differences) == 1 else 's'}")


def _sha(text: str | None) -> str:
    return hashlib.sha256((text or "").encode()).hexdigest()[:12]


def _transcript_detail(expected: str, found: str | None) -> str:
    ours, theirs = expected.splitlines(), (found or "").splitlines()
    line = next((n for n, (a, b) in enumerate(zip(ours, theirs), 1) if a != b), min(len(ours), len(theirs)) + 1)
    return f"sha256 org {_sha(found)}, expected {_sha(expected)}; first difference on line {line}"


def _same(expected: Any, found: Any) -> bool:
    """Equal as Salesforce keeps values: numbers come back as floats, empty text as null."""
    if isinstance(expected, bool) or isinstance(found, bool):
        return bool(expected) == bool(found)
    if isinstance(expected, (int, float)):
        return found is not None and float(found) == float(expected)
    return (expected or None) == (found or None)


def field_differences(expected: dict[str, Any], found: dict[str, Any]) -> Iterable[tuple[str, str]]:
    """(kind, detail) for every field whose value in the org is not the one written."""
    for name, value in expected.items():
        if _same(value, found.get(name)):
            continue
        if name == "Transcript__c":
            yield TRANSCRIPT, _transcript_detail(value, found.get(name))
        else:
            kind = COUNT if name.endswith("_Count__c") else FIELD
            yield kind, f"{name}: org {str(found.get(name))[:80]!r}, expected {str(value)[:80]!r}"


def _read_back(client: QueryClient, fields: list[str], keys: list[str]) -> dict[str, dict[str, Any]]:
    template = f"SELECT {', '.join(fields)} FROM WhatsApp_Chat__c WHERE Chat_Key__c IN ({{values}})"
    return {record["Chat_Key__c"]: record for query in in_batches(template, keys)
            for record in client.query_all(query)["records"]}


def _extras(engine: Engine, client: QueryClient, period: Period) -> list[dict[str, Any]]:
    """The org's records dated in the period whose Chat_Key__c the ledger has never seen
    (made by hand, by another store, or with the key emptied)."""
    records = client.query_all(
        f"SELECT Id, Chat_Key__c, Chat_Date__c FROM WhatsApp_Chat__c "
        f"WHERE Chat_Date__c >= {period.start.isoformat()} AND Chat_Date__c <= {period.end.isoformat()} "
        f"ORDER BY Chat_Date__c, Chat_Key__c")["records"]
    known = known_keys(engine, [r["Chat_Key__c"] for r in records if r["Chat_Key__c"]])
    return [{"chat_key": r["Chat_Key__c"], "day": date.fromisoformat(r["Chat_Date__c"]), "difference": EXTRA,
             "detail": "the ledger has no chat-day with this key", "record_id": r["Id"]}
            for r in records if r["Chat_Key__c"] not in known]


def _compared_fields(expected: dict[str, Expected]) -> list[str]:
    names = {"Id", "Chat_Key__c"}.union(*(e.fields for e in expected.values() if e.fields))
    return sorted(names)


def _record_differences(record_id: str, found: dict[str, Any] | None, expected: Expected) -> list[tuple[str, str]]:
    """(kind, detail) of one written record against what the org returned for its key."""
    if found is None:
        return [(MISSING, "no WhatsApp_Chat__c has this Chat_Key__c")]
    moved = [(RECORD_ID, f"org {found['Id']}, ledger {record_id}")] if found["Id"] != record_id else []
    return moved + list(field_differences(expected.fields, found) if expected.fields else [])


def reconcile(store: Store, client: QueryClient, period: Period) -> Reconciliation:
    """Reads the org (a few SOQL queries: the written keys in batches, then the period's records)
    and writes nothing, to the org or to the store's ledger."""
    written = written_in(store.engine, period)
    expected = expected_records(store, {
        row.chat_key: (ChatDay(row.account_id, row.chat_pk, row.day), row.content_hash)
        for row in written.itertuples()})
    in_org = _read_back(client, _compared_fields(expected), list(written["chat_key"]))
    differences = [{"chat_key": row.chat_key, "day": row.day, "difference": kind, "detail": detail,
                    "record_id": row.record_id}
                   for row in written.itertuples()
                   for kind, detail in _record_differences(row.record_id, in_org.get(row.chat_key),
                                                           expected[row.chat_key])]
    differences += _extras(store.engine, client, period)
    not_compared = pd.DataFrame(
        [{"chat_key": row.chat_key, "day": row.day, "reason": expected[row.chat_key].reason}
         for row in written.itertuples() if expected[row.chat_key].reason],
        columns=["chat_key", "day", "reason"])
    return Reconciliation(len(written), len(written) - len(not_compared),
                          pd.DataFrame(differences, columns=DIFFERENCE_COLUMNS), not_compared)
