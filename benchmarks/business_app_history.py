"""A coexistence number's 180-day WhatsApp Business app history into the store: 200,000 messages
in 2,000 chats, as the local Graph API stand-in delivers them after `smb_app_data` (chunks of
2,000 messages, out of order within each phase, signed) to the real webhook receiver over HTTP,
which stores each chunk in one transaction before answering 200.

Run: .venv/bin/python benchmarks/business_app_history.py [--messages N] [--chunk N]
Prints a table and ends with the JSON line {"messages", "chunks", "seconds", "messages_per_s"}."""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select

from eazybe_local_graph import BusinessNumber, HistoryMessage, LocalGraph, Thread
from eazybe_tasks.background_server import serving
from eazybe_tasks.sources.cloud_api.business_app_sync import HISTORY, request_sync
from eazybe_tasks.store.business_app import history_progress
from eazybe_tasks.store.schema import messages
from eazybe_tasks.store.store import open_store
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import WebhookSettings

SECRET, TOKEN = "benchmark-app-secret", "benchmark-graph-token"
BUSINESS, NUMBER_ID, WABA = "15550783881", "106540352242922", "102290129340398"


def history(total: int, chats: int, now: datetime) -> list[Thread]:
    """`total` messages spread evenly over 179 days, the business answering every third."""
    step = timedelta(days=179) / total
    threads = [Thread(f"55119{n:08d}", []) for n in range(chats)]
    for i in range(total):
        threads[i % chats].messages.append(
            HistoryMessage(i % 3 == 2, f"history message {i}: a question about order {i % 977}", now - step * (total - i)))
    return threads


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=200_000)
    parser.add_argument("--chats", type=int, default=2_000)
    parser.add_argument("--chunk", type=int, default=2_000)
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    number = BusinessNumber(BUSINESS, NUMBER_ID, WABA, threads=history(args.messages, args.chats, now),
                            chunk_messages=args.chunk, shuffle_chunks=True)
    with tempfile.TemporaryDirectory() as work:
        store = open_store(f"sqlite:///{Path(work) / 'store.db'}")
        store.register_account("+" + BUSINESS, time_zone="UTC")
        settings = WebhookSettings(verify_token="verify", app_secret=SECRET, max_body_bytes=16 * 1024 * 1024)
        with serving(create_app(store, settings)) as base:
            with LocalGraph([number], base + PATH, SECRET, TOKEN, retry_base_s=0.05) as graph:
                started = time.perf_counter()
                request_sync(graph.base_url, TOKEN, NUMBER_ID, HISTORY)
                if not graph.wait_idle(3_600):
                    raise SystemExit("the history was not delivered within an hour")
                seconds = time.perf_counter() - started
                deliveries = graph.deliveries
        with store.engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(messages)).scalar_one()
            progress = history_progress(connection, 1)
    if stored != args.messages or any(not d.delivered for d in deliveries):
        raise SystemExit(f"stored {stored} of {args.messages} messages")
    retries = sum(d.attempts - 1 for d in deliveries)
    table = Table(title="Business app history into the store")
    for column in ("messages", "chunks", "retried", "seconds", "messages/s", "progress"):
        table.add_column(column, justify="right")
    table.add_row(f"{stored:,}", str(len(deliveries)), str(retries), f"{seconds:.1f}", f"{stored / seconds:,.0f}",
                  progress.describe() if progress else "")
    Console(width=160).print(table)
    print(json.dumps({"messages": stored, "chunks": len(deliveries), "seconds": round(seconds, 1),
                      "messages_per_s": round(stored / seconds)}))


if __name__ == "__main__":
    main()
