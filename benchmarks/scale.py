"""The scale benchmark: a generated WhatsApp history (chat exports and Cloud API webhook
deliveries, see scale_history.py) imported into a SQLite store and backfilled into a local org
through the Bulk API 2.0 path, at each size in a process of its own (so peak memory is per size).

    .venv/bin/python benchmarks/scale.py                        # 100,000 then 1,000,000 messages
    .venv/bin/python benchmarks/scale.py --sizes 10000,100000   # a quick run

Stages, each timed: generate (write the history's files), import (every export through
import_export, every delivery through the receiver's own steps: signature, JSON, parse_delivery,
store.ingest), load people (the Contacts and Leads, through sObject Collections), sync (one
sync_once backfill of the whole history). `total_s` is import + sync, the work the toolkit does;
peak memory is the benchmark process's high-water RSS (the local org is a process of its own and
is reported beside it). The machine is shared: the load average before and after each size, and
the CPU seconds each process spent, show how much others took.

Last line: {"total_s_1m", "msgs_per_s_1m", "peak_rss_mb_1m", "peak_mem_ratio_1m_vs_100k", "api_calls_1m"}
(named after the largest size and the one before it when --sizes says other sizes)."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from scale_run import run_size  # noqa: E402

DEFAULT_SIZES = (100_000, 1_000_000)
STAGES = ("generate", "import", "load_people", "sync")


def label(size: int) -> str:
    """1_000_000 -> 1m, 100_000 -> 100k."""
    for unit, factor in (("m", 1_000_000), ("k", 1_000)):
        if size % factor == 0:
            return f"{size // factor}{unit}"
    return str(size)


def child(size: int, synchronous: str | None) -> dict:
    """One size in a fresh process and a fresh temporary folder; its result is its last line."""
    options = ["--synchronous", synchronous] if synchronous else []
    process = subprocess.run([sys.executable, __file__, "--one", str(size), *options], stdout=subprocess.PIPE,
                             text=True, check=True)
    return json.loads(process.stdout.strip().splitlines()[-1])


def table(results: list[dict]) -> str:
    rows = [("messages", *(f"{r['messages']:,}" for r in results))]
    rows += [(f"{stage} s", *(f"{r['seconds'][stage]:.1f}" for r in results)) for stage in STAGES]
    rows += [
        ("import + sync s", *(f"{r['total_s']:.1f}" for r in results)),
        ("messages/s (import + sync)", *(f"{r['msgs_per_s']:,.0f}" for r in results)),
        ("peak RSS MB, benchmark", *(f"{r['peak_rss_mb']:.0f}" for r in results)),
        *((f"  RSS MB after {stage}", *(f"{r['rss_after_mb'][stage]:.0f}" for r in results)) for stage in STAGES),
        ("peak RSS MB, local org", *(f"{r['org_peak_rss_mb']:.0f}" for r in results)),
        ("API calls (sync)", *(f"{r['api_calls']:,}" for r in results)),
        ("chat-days / written / failed", *(f"{r['chat_days']:,} / {r['written']:,} / {r['failed']:,}" for r in results)),
        ("notes written", *(f"{r['notes_written']:,}" for r in results)),
        ("CPU s: benchmark / local org", *(f"{r['cpu_s']:.0f} / {r['org_cpu_s']:.0f}" for r in results)),
        ("load average before / after", *(f"{r['load_before']:.1f} / {r['load_after']:.1f}" for r in results)),
        ("SQLite synchronous", *(r["synchronous"] for r in results)),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    header = ("size", *(label(r["size"]) for r in results))
    lines = [header, *rows]
    return "\n".join("  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(line, widths)))
                     for line in lines)


def verdict(results: list[dict]) -> dict:
    largest = results[-1]
    name = label(largest["size"])
    line = {f"total_s_{name}": round(largest["total_s"], 1), f"msgs_per_s_{name}": round(largest["msgs_per_s"]),
            f"peak_rss_mb_{name}": round(largest["peak_rss_mb"], 1)}
    if len(results) > 1:
        reference = results[-2]
        line[f"peak_mem_ratio_{name}_vs_{label(reference['size'])}"] = round(
            largest["peak_rss_mb"] / reference["peak_rss_mb"], 2)
    line[f"api_calls_{name}"] = largest["api_calls"]
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="message counts, comma-separated, smallest first (default: %(default)s)")
    parser.add_argument("--synchronous", choices=("normal", "full"),
                        help="what-if: the SQLite store's synchronous setting (default: the store's own, full). "
                             "normal does not flush each commit to disk: faster, but not durable across a power loss")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process of one size
    arguments = parser.parse_args()
    if arguments.one:
        with tempfile.TemporaryDirectory(prefix=f"eazybe-scale-{label(arguments.one)}-") as folder:
            result = run_size(arguments.one, Path(folder), arguments.synchronous,
                              log=lambda text: print(text, file=sys.stderr, flush=True))
        print(json.dumps(result))
        return
    sizes = sorted(int(size) for size in arguments.sizes.split(","))
    results = []
    for size in sizes:
        print(f"== {size:,} messages (load average {os.getloadavg()[0]:.1f})", file=sys.stderr, flush=True)
        results.append(child(size, arguments.synchronous))
    print(table(results))
    print(json.dumps(verdict(results)))


if __name__ == "__main__":
    main()
