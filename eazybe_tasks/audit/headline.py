"""The report's first table: the period's numbers a reader checks before reading on."""
from __future__ import annotations

import pandas as pd

from eazybe_tasks.audit.reconciliation import Reconciliation


def headline(per_day: pd.DataFrame, chat_days: pd.DataFrame, unmatched: pd.DataFrame, skips: pd.DataFrame,
             runs: pd.DataFrame, reconciliation: Reconciliation | None) -> pd.DataFrame:
    """One row per measure, from the section tables (unmatched: every number, not a top list)."""
    measures: list[tuple[str, object]] = [
        ("messages logged", per_day["logged"].sum()),
        ("messages waiting for a retry", per_day["pending"].sum()),
        ("messages quarantined", per_day["quarantined"].sum()),
        ("messages from numbers that match no Contact or Lead", per_day["unmatched"].sum()),
        ("numbers that match no Contact or Lead", len(unmatched)),
        ("messages not logged: person marked do-not-log", per_day["do_not_log"].sum()),
        ("people marked do-not-log who wrote", len(skips)),
        ("chat-day records written", chat_days["written"].sum()),
        ("chat-day records failing, to be retried", chat_days["retrying"].sum()),
        ("chat-day records quarantined", chat_days["quarantined"].sum()),
        ("sync runs", len(runs)),
        ("sync runs failed or stopped early", int(runs["status"].isin(["failed", "stopped", "abandoned"]).sum())),
        ("API calls made by sync runs", runs["api_calls"].sum()),
        ("reconciliation differences with the org",
         len(reconciliation.differences) if reconciliation else "not run"),
    ]
    return pd.DataFrame([(name, str(value)) for name, value in measures], columns=["measure", "value"]).set_index("measure")
