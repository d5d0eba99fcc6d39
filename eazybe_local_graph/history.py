"""How Meta splits a number's chat history into webhooks: by age into phases (0: the last day,
1: 1 to 90 days, 2: 90 to 180 days; older is never shared), each phase into chunks of at most
`chunk_messages` messages numbered by `chunk_order`, with `progress` saying how much has been sent.

Kept apart from the payload shapes so the splitting can be reasoned about (and tested) alone."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from eazybe_local_graph.business_app import BusinessNumber, HistoryMessage

# The oldest message each phase holds, by age at onboarding; phases are delivered in this order.
PHASE_AGES = (timedelta(days=1), timedelta(days=90), timedelta(days=180))


@dataclass(frozen=True)
class ThreadPart:
    """The messages of one thread that a chunk carries (a thread may span several chunks)."""

    user: str
    messages: tuple[HistoryMessage, ...]


@dataclass(frozen=True)
class HistoryChunk:
    """One history webhook: its phase, its place in that phase, and the overall progress
    (percentage of all shared messages delivered once this chunk is, in delivery order)."""

    phase: int
    chunk_order: int
    progress: int
    threads: tuple[ThreadPart, ...]

    @property
    def message_count(self) -> int:
        return sum(len(part.messages) for part in self.threads)


def phase_of(sent_at: datetime, onboarded_at: datetime) -> int | None:
    """The phase a message sent at `sent_at` is shared in, or None if it is too old to be shared.
    A message dated after onboarding (a skewed clock) counts as the last day's."""
    age = onboarded_at - sent_at
    for phase, oldest in enumerate(PHASE_AGES):
        if age <= oldest:
            return phase
    return None


def _chunk_phase(parts: list[ThreadPart], size: int) -> list[list[ThreadPart]]:
    """Fills chunks of at most `size` messages walking the threads in order, splitting a thread
    where a chunk is full."""
    chunks: list[list[ThreadPart]] = []
    current: list[ThreadPart] = []
    room = size
    for part in parts:
        messages = part.messages
        while messages:
            taken, messages = messages[:room], messages[room:]
            current.append(ThreadPart(part.user, taken))
            room -= len(taken)
            if room == 0:
                chunks.append(current)
                current, room = [], size
    if current:
        chunks.append(current)
    return chunks


def _out_of_order(items: list[list[ThreadPart]], rng: random.Random) -> list[int]:
    """A shuffled delivery order of `items`' indexes, never the original one when there are two or more."""
    order = list(range(len(items)))
    rng.shuffle(order)
    if len(order) > 1 and order == sorted(order):
        order[0], order[1] = order[1], order[0]
    return order


def plan_history(number: BusinessNumber, onboarded_at: datetime) -> list[HistoryChunk]:
    """The history chunks for `number`, in delivery order: phase 0, then 1, then 2; within a phase
    by chunk_order unless `number.shuffle_chunks` (then out of order, the same way every run).
    A phase without messages has no chunk; with no history at all, one empty chunk of phase 0
    says progress 100."""
    by_phase: list[list[ThreadPart]] = [[] for _ in PHASE_AGES]
    for thread in number.threads:
        per_phase: list[list[HistoryMessage]] = [[] for _ in PHASE_AGES]
        for message in sorted(thread.messages, key=lambda m: m.sent_at):
            phase = phase_of(message.sent_at, onboarded_at)
            if phase is not None:
                per_phase[phase].append(message)
        for phase, messages in enumerate(per_phase):
            if messages:
                by_phase[phase].append(ThreadPart(thread.user, tuple(messages)))

    rng = random.Random(f"shuffle|{number.phone_number_id}")
    planned: list[tuple[int, int, list[ThreadPart]]] = []  # (phase, chunk_order, parts) in delivery order
    for phase, parts in enumerate(by_phase):
        chunks = _chunk_phase(parts, number.chunk_messages)
        order = _out_of_order(chunks, rng) if number.shuffle_chunks else list(range(len(chunks)))
        planned.extend((phase, index + 1, chunks[index]) for index in order)

    total = sum(len(part.messages) for _, _, parts in planned for part in parts)
    if total == 0:
        return [HistoryChunk(phase=0, chunk_order=1, progress=100, threads=())]
    result: list[HistoryChunk] = []
    delivered = 0
    for phase, chunk_order, parts in planned:
        delivered += sum(len(part.messages) for part in parts)
        result.append(HistoryChunk(phase, chunk_order, delivered * 100 // total, tuple(parts)))
    return result
