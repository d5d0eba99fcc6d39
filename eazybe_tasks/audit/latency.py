"""Sync latency: from a message's time to the moment Salesforce first acknowledged it (the
outcome's logged_at survives later rewrites of its chat-day, so a message counts once, at its
first write). Messages logged by a backfill count too: their latency is what the backfill took."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Engine

from eazybe_tasks.audit.frames import frame
from eazybe_tasks.audit.period import Period
from eazybe_tasks.store.schema import message_outcomes, messages


def message_latencies(engine: Engine, period: Period) -> pd.DataFrame:
    """One row per message of the period logged at least once: sent_at, logged_at, seconds."""
    logged = frame(engine, (
        select(message_outcomes.c.message_pk, messages.c.sent_at,
               func.min(message_outcomes.c.logged_at).label("logged_at"))
        .join_from(message_outcomes, messages, messages.c.id == message_outcomes.c.message_pk)
        .where(message_outcomes.c.day.between(period.start, period.end), message_outcomes.c.logged_at.is_not(None))
        .group_by(message_outcomes.c.message_pk, messages.c.sent_at)
        .order_by(message_outcomes.c.message_pk)
    ))
    logged["seconds"] = [(done - sent).total_seconds() for sent, done in zip(logged["sent_at"], logged["logged_at"])]
    return logged


def readable_duration(seconds: float) -> str:
    """'42 s', '3 min 05 s', '2 h 07 min', '3 d 04 h': the two largest units a person reads."""
    whole = int(round(seconds))
    for unit, size, smaller, smaller_size in (("d", 86400, "h", 3600), ("h", 3600, "min", 60), ("min", 60, "s", 1)):
        if whole >= size:
            return f"{whole // size} {unit} {whole % size // smaller_size:02d} {smaller}"
    return f"{whole} s"


def latency_summary(latencies: pd.DataFrame) -> pd.DataFrame:
    """Median, 95th percentile and maximum, readable; one row, or no row when nothing was logged."""
    seconds = latencies["seconds"]
    if seconds.empty:
        return pd.DataFrame(columns=["messages", "median", "p95", "max"])
    return pd.DataFrame([{
        "messages": len(seconds),
        "median": readable_duration(seconds.median()),
        "p95": readable_duration(seconds.quantile(0.95)),
        "max": readable_duration(seconds.max()),
    }])
