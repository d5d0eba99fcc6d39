"""A JSONL feed file (docs/feed.md) into the store, as one batch."""
from __future__ import annotations

from pathlib import Path

from eazybe_tasks.imports import file_sha256
from eazybe_tasks.sources.feed import parse_feed
from eazybe_tasks.sources.model import Source
from eazybe_tasks.store.ingest import Batch, IngestResult
from eazybe_tasks.store.store import Store


def import_feed(store: Store, path: Path) -> IngestResult:
    return store.ingest(
        Batch(source=Source.FEED, origin=str(path), raw_sha256=file_sha256(path), messages=parse_feed(path))
    )
