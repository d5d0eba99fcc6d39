"""Throughput of parse_export on generated 1,000,000-line exports, next to whatstk's parser: one
whose messages repeat a few texts (as "ok", "<Media omitted>" and stickers do), and one where
nearly every message says something new (the parser's per-text memory does not help there).

Exits 1 if the two parsers count different messages. Last line printed: one JSON object.
"""
from __future__ import annotations

import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

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


ENDINGS = ["", "", "", "?", "!", ".", " 👍", " 🙂"]


def varied_body(rng: random.Random) -> list[str]:
    """A new text: words, a number among them (an order, a price), sometimes a question mark or
    an emoji at the end, as people write."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(2, 12))]
    words.insert(rng.randrange(len(words)), str(rng.randint(0, 10**6)))
    return [" ".join(words).capitalize() + rng.choice(ENDINGS)]


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


def parse(parser: str, path: Path) -> dict[str, float]:
    """One parser on one file, in this process: messages, wall and CPU seconds (its imports not
    counted), peak memory. (The CPU time is the steadier figure when other work shares the
    machine: both parsers run on one thread.)"""
    if parser == "ours":
        from eazybe_tasks.sources.exports import DateOrder, parse_export
        from eazybe_tasks.sources.exports.header_split import COMPILED

        if not COMPILED:
            print("warning: the parser's compiled part is not built (pip install -e .)", file=sys.stderr)

        def count() -> int:
            return sum(1 for _ in parse_export(path, date_order=DateOrder.DMY))
    else:
        from whatstk import WhatsAppChat

        def count() -> int:
            return len(WhatsAppChat.from_source(
                filepath=str(path), hformat="%d/%m/%Y, %H:%M - %name:", max_size=None).df)
    start, start_cpu = time.perf_counter(), time.process_time()
    messages = count()
    return {"messages": messages, "seconds": time.perf_counter() - start,
            "cpu_seconds": time.process_time() - start_cpu,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def parse_apart(parser: str, path: Path) -> dict[str, float]:
    """`parse` in a new Python process, so that neither parser runs in a heap the other (or the
    file's generation) left behind, and the peak memory is the parser's own."""
    done = subprocess.run([sys.executable, __file__, "--parse", parser, str(path)],
                          check=True, capture_output=True, text=True)
    return json.loads(done.stdout.splitlines()[-1])


def compare(varied: bool) -> dict[str, float] | None:
    """Both parsers on one generated file; None when they count different messages."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "WhatsApp Chat with Bench.txt"
        write_export(path, varied)
        lines = sum(1 for _ in path.open("rb"))
        ours, theirs = parse_apart("ours", path), parse_apart("whatstk", path)
    kind = "varied texts" if varied else "repeated texts"
    print(f"{kind}: lines={lines} ours={ours['messages']} messages in {ours['seconds']:.2f}s "
          f"({ours['cpu_seconds']:.2f}s CPU, {ours['peak_rss_mb']:.1f} MB), whatstk={theirs['messages']} in "
          f"{theirs['seconds']:.2f}s ({theirs['cpu_seconds']:.2f}s CPU, {theirs['peak_rss_mb']:.1f} MB)",
          file=sys.stderr)
    if ours["messages"] != theirs["messages"]:
        print(f"message counts disagree: ours {ours['messages']}, whatstk {theirs['messages']}", file=sys.stderr)
        return None
    return {"lines_per_s": lines / ours["seconds"], "whatstk_lines_per_s": lines / theirs["seconds"],
            "ratio": theirs["seconds"] / ours["seconds"], "cpu_ratio": theirs["cpu_seconds"] / ours["cpu_seconds"],
            "peak_rss_mb": ours["peak_rss_mb"]}


def main() -> int:
    if sys.argv[1:2] == ["--parse"]:
        print(json.dumps(parse(sys.argv[2], Path(sys.argv[3]))))
        return 0
    repeated = compare(varied=False)
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
        "peak_rss_mb": round(max(repeated["peak_rss_mb"], varied["peak_rss_mb"]), 1),
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
