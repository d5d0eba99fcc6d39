"""What the webhook receiver refused, and why: one row per refused delivery (or one it failed to
store), so that `store_status` shows an operator what Meta keeps retrying.

Anyone can send a refused request, so what is kept is bounded: the reason is cut to REASON_CHARS
and only the newest KEEP rows stay. Never the body, a signature or a secret: the receiver hands
over its own words and the body's size."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import case, delete, func, select, type_coerce
from sqlalchemy.engine import Connection, Engine

from eazybe_tasks.store.schema import UtcDateTime, webhook_refusals

REASON_CHARS = 500
KEEP = 100_000  # rows; at most about 60 MB
RECENT = timedelta(hours=24)
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")  # what no database keeps as text


@dataclass(frozen=True)
class Refusal:
    status: int  # the HTTP status answered
    code: str  # the error code answered, e.g. "bad_signature"
    reason: str
    size: int | None  # body bytes read, or declared by Content-Length when refused unread


@dataclass(frozen=True)
class RefusalCount:
    """The refusals of one status and code."""

    status: int
    code: str
    recent: int  # within RECENT of the summary
    total: int  # of the rows kept
    last_at: datetime
    last_reason: str  # the newest one's


def _reason(text: str) -> str:
    text = _UNSTORABLE.sub("\ufffd", text)
    return text if len(text) <= REASON_CHARS else text[:REASON_CHARS - 1] + "…"


def record_refusal(engine: Engine, refusal: Refusal, at: datetime | None = None) -> None:
    """One row, in a transaction of its own; rows past the newest KEEP go in the same one."""
    with engine.begin() as connection:
        new_id = connection.execute(webhook_refusals.insert().values(
            at=at or datetime.now(timezone.utc), status=refusal.status, code=refusal.code[:32],
            reason=_reason(refusal.reason), size=refusal.size,
        )).inserted_primary_key[0]
        if new_id > KEEP:
            connection.execute(delete(webhook_refusals).where(webhook_refusals.c.id <= new_id - KEEP))


def count_refusals(connection: Connection, now: datetime | None = None) -> tuple[RefusalCount, ...]:
    """Per status and code (the most frequent first within a status), with the newest reason."""
    since = (now or datetime.now(timezone.utc)) - RECENT
    recent = func.sum(case((webhook_refusals.c.at >= since, 1), else_=0))
    total = func.count()
    rows = connection.execute(
        select(webhook_refusals.c.status, webhook_refusals.c.code, recent.label("recent"), total.label("total"),
               # Aggregates lose the column type; coerce so SQLite's text comes back as UTC.
               type_coerce(func.max(webhook_refusals.c.at), UtcDateTime()).label("last_at"),
               func.max(webhook_refusals.c.id).label("last_id"))
        .group_by(webhook_refusals.c.status, webhook_refusals.c.code)
        .order_by(webhook_refusals.c.status, total.desc(), webhook_refusals.c.code)
    ).all()
    reasons = dict(connection.execute(select(webhook_refusals.c.id, webhook_refusals.c.reason)
                                      .where(webhook_refusals.c.id.in_([row.last_id for row in rows]))).all())
    return tuple(RefusalCount(row.status, row.code, int(row.recent or 0), row.total, row.last_at,
                              reasons.get(row.last_id, "")) for row in rows)
