"""Throughput of parse_export on a generated 1,000,000-line export, next to whatstk's parser.

Exits 1 if the two parsers count different messages. Last line printed: one JSON object.
"""
from __future__ import annotations

import json
import random
import resource
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from eazybe_tasks.sources.exports import DateOrder, parse_export

LINES = 1_000_000
AUTHORS = ["Maya Patel", "+1 415 555 0142", "Oliver Grant", "+44 7700 900123", "Acme Furniture"]
BODIES = [
    ["Hi, is the blue sofa still available?"], ["<Media omitted>"], ["<Media omitted>", "Front view"],
    ["This message was deleted"], ["location: https://maps.google.com/?q=37.7749,-122.4194"],
    ["IMG-20240115-WA0003.jpg (file attached)"], ["Order summary:", "- 2x chair", "", "Total: $340"],
    ["Sure, 12:30 works <This message was edited>"], ["ok 👍"],
]


def write_export(path: Path) -> None:
    """Android 24h, day first, no system lines (whatstk drops or merges those differently)."""
    rng = random.Random(7)
    moment = datetime(2023, 1, 13, 8, 0)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        while written < LINES:
            body = rng.choice(BODIES)
            out.write(f"{moment:%d/%m/%Y, %H:%M} - {rng.choice(AUTHORS)}: {body[0]}\n")
            for line in body[1:]:
                out.write(line + "\n")
            written += len(body)
            moment += timedelta(minutes=rng.randint(0, 30))


def timed(function):
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "WhatsApp Chat with Bench.txt"
        write_export(path)
        lines = sum(1 for _ in path.open("rb"))
        ours, our_seconds = timed(lambda: sum(1 for _ in parse_export(path, date_order=DateOrder.DMY)))
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        from whatstk import WhatsAppChat

        theirs, their_seconds = timed(lambda: len(WhatsAppChat.from_source(
            filepath=str(path), hformat="%d/%m/%Y, %H:%M - %name:").df))
    print(f"lines={lines} ours={ours} messages in {our_seconds:.2f}s, whatstk={theirs} in {their_seconds:.2f}s",
          file=sys.stderr)
    if ours != theirs:
        print(f"message counts disagree: ours {ours}, whatstk {theirs}", file=sys.stderr)
        return 1
    print(json.dumps({
        "lines_per_s": round(lines / our_seconds),
        "whatstk_lines_per_s": round(lines / their_seconds),
        "ratio_vs_whatstk": round(their_seconds / our_seconds, 2),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
