"""The sync runs of the period (or one run) and the API calls they spent against the org's daily allowance."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select
from sqlalchemy.engine import Engine

from eazybe_tasks.audit.frames import frame
from eazybe_tasks.audit.period import Period
from eazybe_tasks.store.schema import sync_runs

RUN_COLUMNS = ("id", "started_at", "finished_at", "mode", "status", "messages", "chat_days_written",
               "chat_days_unchanged", "chat_days_failed", "unmatched", "skipped_do_not_log", "quarantined",
               "notes_written", "files_written", "api_calls", "api_used", "api_limit", "stop_reason", "error")


def sync_runs_in(engine: Engine, period: Period) -> pd.DataFrame:
    """Every run that started on a day of the period (UTC), oldest first."""
    first, after_last = period.utc_bounds()
    return frame(engine, select(*(sync_runs.c[name] for name in RUN_COLUMNS))
                 .where(sync_runs.c.started_at >= first, sync_runs.c.started_at < after_last)
                 .order_by(sync_runs.c.started_at, sync_runs.c.id)).rename(columns={"id": "run"})


def run_overview(runs: pd.DataFrame) -> pd.DataFrame:
    """The columns a reader scans first: what each run wrote, failed and spent, and why it ended."""
    return runs[["run", "started_at", "mode", "status", "messages", "chat_days_written", "chat_days_unchanged",
                 "chat_days_failed", "notes_written", "files_written", "api_calls", "stop_reason", "error"]]


def api_usage(runs: pd.DataFrame) -> pd.DataFrame:
    """Per run: the calls it made, the org's daily usage after it and the share of the allowance
    that usage is (Sforce-Limit-Info), and why it stopped early if it did."""
    usage = runs[["run", "started_at", "mode", "api_calls", "api_used", "api_limit", "stop_reason"]].copy()
    usage["used_share"] = (usage["api_used"] / usage["api_limit"]).astype(float).round(4)
    return usage


def run_record(engine: Engine, run_id: int) -> pd.DataFrame:
    return frame(engine, select(*(sync_runs.c[name] for name in RUN_COLUMNS)).where(sync_runs.c.id == run_id))
