"""The coexistence side of each business account for the audit report: how far the WhatsApp
Business app's history sync has come, and whether the number was offboarded (and so not synced)."""
from __future__ import annotations

import pandas as pd

from eazybe_tasks.store.store import Store


def business_app_status(store: Store) -> pd.DataFrame:
    """One row per account with a history sync or an offboarding; none for the others."""
    return pd.DataFrame([
        {"account": account.number, "label": account.label or "",
         "history": account.history.describe() if account.history else "not requested or not arrived",
         "status": f"offboarded {account.offboarded.at:%Y-%m-%d} ({account.offboarded.event}): not synced"
         if account.offboarded else "synced"}
        for account in store.summary().accounts if account.history or account.offboarded
    ], columns=["account", "label", "history", "status"])
