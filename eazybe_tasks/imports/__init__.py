"""Files into the store: a WhatsApp chat export, or a JSONL feed, each as one batch.

The file is read as a stream, so a large file never sits in memory, and its batch commits whole
or not at all: a bad line anywhere leaves the store as it was."""
from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """Identifies the imported file in the ingest log."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1024 * 1024), b""):
            digest.update(block)
    return digest.hexdigest()
