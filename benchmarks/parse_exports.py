"""Throughput of parse_export on generated 1,000,000-line exports, next to whatstk's parser: one
whose messages repeat a few texts (as "ok", "<Media omitted>" and stickers do), and one where
nearly every message says something new (the parser's per-text memory does not help there).

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


WORDS = ("price sofa blue delivery tomorrow invoice thanks great when where which colour size order paid "
         "sent photo address street number please sure fine morning evening week month").split()


def varied_body(rng: random.Random) -> list[str]:
    words = [rng.choice(WORDS) for _ in range(rng.randint(2, 12))]
    return [" ".join(words) + f" #{rng.randint(0, 10**6)}"]


def write_export(path: Path, varied: bool) -> None:
    """Android 24h, day first, no system lines (whatstk drops or merges those differently)."""
    rng = random.Random(7)
    moment = datetime(2023, 1, 13, 8, 0)
    written = 0
    with path.open("w", encoding="utf-8") as out:
        while written < LINES:
            body = varied_body(rng) if varied and rng.random() < 0.8 else rng.choice(BODIES)
            out.write(f"{moment:%d/%m/%Y, %H:%M} - {rng.choice(AUTHORS)}: {body[0]}\n")
            for line in body[1:]:
                out.write(line + "\n")
            written += len(body)
            moment += timedelta(minutes=rng.randint(0, 30))


def timed(function):
    """The result, the wall-clock seconds and the CPU seconds of this process (the second is the
    steadier when other work shares the machine: both parsers run on one thread)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - start, time.process_time() - start_cpu


def compare(varied: bool) -> dict[str, float] | None:
    """Both parsers on one generated file; None when they count different messages."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "WhatsApp Chat with Bench.txt"
        write_export(path, varied)
        lines = sum(1 for _ in path.open("rb"))
        ours, our_seconds, our_cpu = timed(
            lambda: sum(1 for _ in parse_export(path, date_order=DateOrder.DMY)))
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # ours: whatstk not even imported
        from whatstk import WhatsAppChat

        theirs, their_seconds, their_cpu = timed(lambda: len(WhatsAppChat.from_source(
            filepath=str(path), hformat="%d/%m/%Y, %H:%M - %name:", max_size=None).df))
    kind = "varied texts" if varied else "repeated texts"
    print(f"{kind}: lines={lines} ours={ours} messages in {our_seconds:.2f}s ({our_cpu:.2f}s CPU), "
          f"whatstk={theirs} in {their_seconds:.2f}s ({their_cpu:.2f}s CPU)", file=sys.stderr)
    if ours != theirs:
        print(f"message counts disagree: ours {ours}, whatstk {theirs}", file=sys.stderr)
        return None
    return {"lines_per_s": lines / our_seconds, "whatstk_lines_per_s": lines / their_seconds,
            "ratio": their_seconds / our_seconds, "cpu_ratio": their_cpu / our_cpu, "peak_rss_mb": peak_rss_mb}


def main() -> int:
    repeated = compare(varied=False)  # first: its peak memory is the parser's alone
    varied = compare(varied=True)
    if repeated is None or varied is None:
        return 1
    print(json.dumps({
        "lines_per_s": round(repeated["lines_per_s"]),
        "whatstk_lines_per_s": round(repeated["whatstk_lines_per_s"]),
        "ratio_vs_whatstk": round(repeated["ratio"], 2),
        "cpu_ratio_vs_whatstk": round(repeated["cpu_ratio"], 2),
        "lines_per_s_varied_text": round(varied["lines_per_s"]),
        "ratio_vs_whatstk_varied_text": round(varied["ratio"], 2),
        "cpu_ratio_vs_whatstk_varied_text": round(varied["cpu_ratio"], 2),
        "peak_rss_mb": round(repeated["peak_rss_mb"], 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
