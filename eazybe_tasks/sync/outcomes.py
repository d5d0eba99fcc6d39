"""Every message's outcome, for the audit: logged (to which record), unmatched (which number),
skipped because the person asked not to be logged, pending (its chat-day's write failed and will
be retried) or quarantined (it kept failing).

A chat-day is decided as a whole each time a run plans it, so its messages' rows are replaced
together; the first time a message was acknowledged (`logged_at`) survives rewrites, since it is
what the audit's sync latency measures. Unmatched and skipped chat-days are where late linking
looks: when the directory changes, the next run plans them again."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from typing import Any, Iterable

from sqlalchemy import delete, select
from sqlalchemy.engine import Connection

from eazybe_tasks.chat_days.messages import ChatDay
from eazybe_tasks.chat_days.planning import Planned
from eazybe_tasks.sources.model import Direction
from eazybe_tasks.store.schema import message_outcomes

LOGGED, UNMATCHED, DO_NOT_LOG, PENDING, QUARANTINED = "logged", "unmatched", "do_not_log", "pending", "quarantined"
WAITING = (UNMATCHED, DO_NOT_LOG)  # outcomes a directory change can turn into logged


@dataclass(frozen=True)
class Outcome:
    person_id: str  # '' when the number matched nobody
    outcome: str
    chat_key: str | None = None
    record_id: str | None = None
    error_code: str | None = None


def left_out(plan: Planned) -> list[Outcome]:
    """What a planned chat-day's messages come to besides its records: skipped for each person
    who asked not to be logged, or unmatched when it has neither records nor such people."""
    skipped = [Outcome(link.person.record_id, DO_NOT_LOG) for link in plan.not_logged]
    return skipped if plan.records or skipped else [Outcome("", UNMATCHED)]


def customer_number(chat, row) -> str | None:  # type: ignore[no-untyped-def]
    """The outside party of a message: the chat's number, or a group member's for an inbound group message."""
    if not chat.is_group:
        return chat.chat_id
    return row.sender if row.direction == Direction.INBOUND.value else None


@dataclass(frozen=True)
class Decision:
    """What one planned chat-day's messages come to."""

    chat_day: ChatDay
    chat: Any  # its chats row
    rows: list  # its messages
    decided: list[Outcome]  # each message gets every one of these


REPLACED_AT_ONCE = 5_000  # messages whose rows one read, one delete and one insert replace


def replace(connection: Connection, decisions: Iterable[Decision], run_id: int, now: datetime) -> None:
    """Each chat-day's messages get exactly their decision's outcomes (one row per message and
    outcome), a few thousand messages a statement."""
    pairs = ((decision, row) for decision in decisions for row in decision.rows)
    while chunk := list(islice(pairs, REPLACED_AT_ONCE)):
        pks = [row.id for _, row in chunk]
        first_logged = dict(
            ((found.message_pk, found.person_id), found.logged_at)
            for found in connection.execute(
                select(message_outcomes.c.message_pk, message_outcomes.c.person_id, message_outcomes.c.logged_at)
                .where(message_outcomes.c.message_pk.in_(pks), message_outcomes.c.logged_at.is_not(None))
            ).all()
        )
        connection.execute(delete(message_outcomes).where(message_outcomes.c.message_pk.in_(pks)))
        values = [
            {
                "message_pk": row.id, "person_id": outcome.person_id, "account_id": decision.chat_day.account_id,
                "chat_pk": decision.chat_day.chat_pk, "day": decision.chat_day.day, "outcome": outcome.outcome,
                "number": customer_number(decision.chat, row), "chat_key": outcome.chat_key,
                "record_id": outcome.record_id, "error_code": outcome.error_code, "run_id": run_id, "decided_at": now,
                "logged_at": first_logged.get((row.id, outcome.person_id),
                                              now if outcome.outcome == LOGGED else None),
            }
            for decision, row in chunk for outcome in decision.decided
        ]
        if values:
            connection.execute(message_outcomes.insert(), values)


def waiting_chat_days(connection: Connection, account_ids: list[int], since: date) -> set[ChatDay]:
    """Chat-days from `since` on that matched nobody or only people not to be logged."""
    rows = connection.execute(
        select(message_outcomes.c.account_id, message_outcomes.c.chat_pk, message_outcomes.c.day).distinct()
        .where(message_outcomes.c.outcome.in_(WAITING), message_outcomes.c.day >= since,
               message_outcomes.c.account_id.in_(account_ids))
    ).all()
    return {ChatDay(row.account_id, row.chat_pk, row.day) for row in rows}
