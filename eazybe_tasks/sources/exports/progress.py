"""Progress bar on stderr for long exports, counted in bytes read so the total is known upfront."""
from __future__ import annotations

import sys
from typing import Callable, Iterable, Iterator

_UPDATE_EVERY = 1 << 20  # bytes; updating the bar per line would cost more than parsing it


def with_progress(raw_lines: Iterable[bytes], total: int, label: str) -> Iterator[bytes]:
    """The same lines, advancing a bar (tqdm if installed, else rich) as they are read."""
    advance, close = _bar(total, label)
    pending = 0
    try:
        for raw in raw_lines:
            pending += len(raw)
            if pending >= _UPDATE_EVERY:
                advance(pending)
                pending = 0
            yield raw
        advance(pending)
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
