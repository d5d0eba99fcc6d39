"""A full disk under `cci task run import_feed`: a clear error that carries no customer text (the
terminal and CumulusCI's log file), nothing half-stored, and the next run stores everything once.
The disk fills through RLIMIT_FSIZE on the task's process: SQLite's writes past it fail with
EFBIG, which SQLite reports as a full disk or an I/O error, as on a real full disk."""
from __future__ import annotations

import json
import resource
import sqlite3
import subprocess
from pathlib import Path

from repo_paths import REPO, VENV_BIN
from tools import tool_env

MARKER = "confidential-offer-7781"


def write_feed(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as feed:
        for n in range(count):
            feed.write(json.dumps({
                "id": f"disk-{n}", "account": "+4930901820", "chat": "+491701234567", "direction": "inbound",
                "timestamp": 1709627100 + n, "type": "text", "sender": "+491701234567",
                "body": f"{MARKER} {n} " + "x" * 300,
            }) + "\n")


def import_feed(feed: Path, store: str, home: Path, file_size_limit: int | None) -> subprocess.CompletedProcess[str]:
    def limit() -> None:
        if file_size_limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size_limit, file_size_limit))

    return subprocess.run([str(VENV_BIN / "cci"), "task", "run", "import_feed", "-o", "path", str(feed),
                           "-o", "store_url", store], cwd=REPO, env={**tool_env(), "HOME": str(home)},
                          capture_output=True, text=True, timeout=300, preexec_fn=limit)


def stored_count(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM messages").fetchone()[0]


def test_a_full_disk_prints_no_message_text_and_loses_nothing(tmp_path: Path) -> None:
    home, database = tmp_path / "home", tmp_path / "store.db"
    store = f"sqlite:///{database}"
    feed = tmp_path / "feed.jsonl"
    write_feed(feed, 3000)
    warm = tmp_path / "warm.jsonl"
    write_feed(warm, 1)
    first = import_feed(warm, store, home, None)  # the schema and the account exist before the disk fills
    assert first.returncode == 0, first.stdout + first.stderr
    files = [database, database.with_name("store.db-wal")]
    full = import_feed(feed, store, home, max(f.stat().st_size for f in files if f.exists()) + 64 * 1024)
    printed = full.stdout + full.stderr
    assert full.returncode != 0, printed
    assert "full" in printed or "disk I/O error" in printed, printed
    logs = "".join(log.read_text(encoding="utf-8", errors="replace") for log in home.glob(".cumulusci/logs/*"))
    assert MARKER not in printed and MARKER not in logs
    assert "parameters hidden" in printed + logs
    assert stored_count(database) == 1
    again = import_feed(feed, store, home, None)
    assert again.returncode == 0, again.stdout + again.stderr
    assert stored_count(database) == 3000
