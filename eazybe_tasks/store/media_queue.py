"""Attachments whose bytes are still to be fetched (Cloud API media ids), and the outcome of
each try. Media ids expire after 7 days, so the queue is worked soon and failures stay visible.

A download makes its message undecided again, so the next sync rewrites the chat-day with the
File, also when the day was written before the bytes came."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from eazybe_tasks.store.schema import attachments, message_outcomes

MAX_ATTEMPTS = 5


@dataclass(frozen=True)
class PendingMedia:
    attachment_id: int
    media_id: str
    attempts: int


def pending_media(engine: Engine, limit: int = 100) -> list[PendingMedia]:
    query = (
        select(attachments.c.id, attachments.c.media_id, attachments.c.download_attempts)
        .where(
            attachments.c.media_id.is_not(None),
            attachments.c.size.is_(None),
            attachments.c.download_attempts < MAX_ATTEMPTS,
        )
        .order_by(attachments.c.id)
        .limit(limit)
    )
    with engine.connect() as connection:
        return [PendingMedia(*row) for row in connection.execute(query).all()]


def record_download(engine: Engine, attachment_id: int, sha256: str, size: int, mime_type: str | None) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(attachments).where(attachments.c.id == attachment_id).values(
                sha256=sha256, size=size, download_error=None,
                download_attempts=attachments.c.download_attempts + 1,
                **({"mime_type": mime_type} if mime_type else {}),
            )
        )
        connection.execute(delete(message_outcomes).where(message_outcomes.c.message_pk.in_(
            select(attachments.c.message_pk).where(attachments.c.id == attachment_id))))


def record_failure(engine: Engine, attachment_id: int, error: str) -> None:
    with engine.begin() as connection:
        connection.execute(
            update(attachments).where(attachments.c.id == attachment_id).values(
                download_error=error[:2000],
                download_attempts=attachments.c.download_attempts + 1,
            )
        )
