"""The export parser on over-long input: a 1,000,000-character line (under the 1 MiB limit, parsed),
a 16 MiB line (over it, refused with its line number) and a 16 MiB message of 1.3 million short
lines (parsed: one entry over thousands of blocks). Each is timed best of 3, in this process, on a
generated file; the refusal's peak memory (tracemalloc) shows that the line is never held whole.

Exits 1 if a parse gives other entries than expected or the long line is not refused.
Last line printed: one JSON object.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from eazybe_tasks.sources.exports import DateOrder, parse_export
from eazybe_tasks.sources.exports.header_split import COMPILED
from eazybe_tasks.sources.exports.lines import MAX_LINE_CHARS
from eazybe_tasks.sources.model import SourceError

HEADER = "20/11/2026, 09:{:02d} - Maya: "
RUNS = 3


def write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def best_of(runs: int, work: Callable[[], object]) -> float:
    """The shortest of `runs` timings of `work()`, in seconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def entries(path: Path) -> list:
    return list(parse_export(path, date_order=DateOrder.DMY))


def refusal(path: Path) -> SourceError | None:
    try:
        entries(path)
    except SourceError as error:
        return error
    return None


def main() -> int:
    if not COMPILED:
        print("warning: the parser's compiled part is not built (pip install -e .)", file=sys.stderr)
    ok = True
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        text = ("word " * 200_000)[:1_000_000 - len(HEADER.format(2))]
        one_million = write(folder / "1m.txt", HEADER.format(1) + "hi", HEADER.format(2) + text,
                            HEADER.format(3) + "ok")
        parsed = entries(one_million)
        ok &= [entry.text for entry in parsed] == ["hi", text, "ok"]
        parse_1m = best_of(RUNS, lambda: entries(one_million))

        over = write(folder / "16mib.txt", HEADER.format(1) + "hi", HEADER.format(2) + "x" * (16 << 20))
        error = refusal(over)
        ok &= error is not None and error.where == f"{over}:2"
        print(f"16 MiB line: {error}", file=sys.stderr)
        refuse_16mib = best_of(RUNS, lambda: refusal(over))
        tracemalloc.start()
        refusal(over)
        refuse_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

        continuation = ["- item %07d" % n for n in range(16 * MAX_LINE_CHARS // 13)]
        many_lines = write(folder / "16mib-message.txt", HEADER.format(1) + "Order:", *continuation,
                           HEADER.format(2) + "ok")
        parsed = entries(many_lines)
        ok &= [entry.line_number for entry in parsed] == [1, len(continuation) + 2]
        parse_16mib_message = best_of(RUNS, lambda: entries(many_lines))
    print(f"1,000,000-character line parsed in {parse_1m:.3f}s; 16 MiB line refused in {refuse_16mib:.3f}s "
          f"(peak {refuse_peak / 2**20:.1f} MiB traced); 16 MiB message of {len(continuation):,} lines parsed "
          f"in {parse_16mib_message:.3f}s", file=sys.stderr)
    if not ok:
        print("unexpected entries, or the long line was not refused at line 2", file=sys.stderr)
        return 1
    print(json.dumps({
        "parse_1m_chars_s": round(parse_1m, 4),
        "refuse_16mib_line_s": round(refuse_16mib, 4),
        "refuse_16mib_line_peak_mib": round(refuse_peak / 2**20, 2),
        "parse_16mib_message_of_lines_s": round(parse_16mib_message, 4),
        "max_line_chars": MAX_LINE_CHARS,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
