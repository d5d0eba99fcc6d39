"""Progress bar for long exports, counted in bytes read so the total is known upfront.

It is drawn on rich's shared console, the one CumulusCI's log handler writes to, so log lines
print above the bar instead of through it; where the output is not a terminal (a log file, CI)
the bar is not redrawn, and only its final state is written, once."""
from __future__ import annotations

from typing import Iterable, Iterator

from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn


def with_progress(chunks: Iterable[bytes], total: int, label: str) -> Iterator[bytes]:
    """The same chunks, advancing a bar as they are read."""
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns) as progress:
        task = progress.add_task(label, total=total)
        for chunk in chunks:
            progress.advance(task, len(chunk))
            yield chunk
