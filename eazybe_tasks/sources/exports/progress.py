"""Progress bar on stderr for long exports, counted in bytes read so the total is known upfront."""
from __future__ import annotations

import sys
from typing import Callable, Iterable, Iterator


def with_progress(chunks: Iterable[bytes], total: int, label: str) -> Iterator[bytes]:
    """The same chunks, advancing a bar (tqdm if installed, else rich) as they are read."""
    advance, close = _bar(total, label)
    try:
        for chunk in chunks:
            advance(len(chunk))
            yield chunk
    finally:
        close()


def _bar(total: int, label: str) -> tuple[Callable[[int], object], Callable[[], object]]:
    try:
        from tqdm import tqdm
    except ImportError:
        from rich.console import Console
        from rich.progress import Progress

        progress = Progress(console=Console(stderr=True))
        task = progress.add_task(label, total=total)
        progress.start()
        return (lambda n: progress.advance(task, n)), progress.stop
    bar = tqdm(total=total, unit="B", unit_scale=True, desc=label, file=sys.stderr)
    return bar.update, bar.close
