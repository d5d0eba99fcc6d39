"""Live mode's latency, end to end: a fresh local org with the project deployed, Contacts for ten
customers, and `cci task run serve_webhook -o live_org local` (the shipped defaults: debounce 1 s,
max delay 5 s) in its own process. Then 100 signed Cloud API text deliveries, one every 0.5 to
1 s (seeded), each timed from the start of its POST to the first SOQL poll (every 0.2 s) that
finds it in its chat-day's transcript in the org.

Run: .venv/bin/python benchmarks/live_mode.py [--messages N] [--seed S]
Prints a table and ends with the JSON line {"messages", "median_s", "p95_s", "max_s"}."""
from __future__ import annotations

import argparse
import json
import math
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from simple_salesforce import Salesforce  # noqa: E402
from sqlalchemy import select  # noqa: E402

from cloud_api_deliveries import post_signed, text_delivery  # noqa: E402
from eazybe_tasks.store.schema import sync_runs  # noqa: E402
from eazybe_tasks.store.store import open_store  # noqa: E402
from eazybe_tasks.webhook.settings import APP_SECRET_VARIABLE, VERIFY_TOKEN_VARIABLE  # noqa: E402
from local_org_fixture import deploy_project, local_org  # noqa: E402
from webhook_process import org_environment, serve_webhook  # noqa: E402

BUSINESS = "+14155550100"
CUSTOMERS = [f"+1415555{200 + n:04d}" for n in range(10)]
POLL_S = 0.2
GIVE_UP_S = 60.0  # after the last delivery


@dataclass
class Sent:
    n: int
    sender: str
    token: str  # unique text that marks the message in a transcript
    posted_at: float  # time.monotonic() when its POST started
    answered_s: float = math.nan  # how long the receiver took to answer 200
    arrived_s: float | None = None  # POST to first seen in the org


class OrgWatcher(threading.Thread):
    """Polls the org's chat-day transcripts and marks each message when it first appears."""

    def __init__(self, sf: Salesforce, sent: list[Sent]) -> None:
        super().__init__(daemon=True)
        self.sf, self.sent, self.stopping = sf, sent, threading.Event()

    def run(self) -> None:
        while not self.stopping.wait(POLL_S):
            records = self.sf.query_all("SELECT WhatsApp_Number__c, Transcript__c FROM WhatsApp_Chat__c")["records"]
            seen_at = time.monotonic()
            transcripts: dict[str, str] = {}
            for record in records:
                transcripts[record["WhatsApp_Number__c"]] = (transcripts.get(record["WhatsApp_Number__c"], "")
                                                            + (record["Transcript__c"] or ""))
            for message in list(self.sent):
                if message.arrived_s is None and message.token in transcripts.get(message.sender, ""):
                    message.arrived_s = seen_at - message.posted_at


def percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least `share` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def send_all(url: str, app_secret: str, count: int, rng: random.Random, sent: list[Sent]) -> None:
    run = secrets.token_hex(3)
    for n in range(count):
        time.sleep(rng.uniform(0.5, 1.0))
        sender = CUSTOMERS[n % len(CUSTOMERS)]
        message = Sent(n, sender, f"[{run}:{n:03d}]", time.monotonic())
        raw = text_delivery(BUSINESS, sender, f"wamid.bench.{run}.{n}", f"live benchmark {message.token}",
                            datetime.now(timezone.utc))
        sent.append(message)
        answer = post_signed(url, raw, app_secret)
        answer.raise_for_status()
        message.answered_s = time.monotonic() - message.posted_at


def wait_for_all(sent: list[Sent]) -> None:
    deadline = time.monotonic() + GIVE_UP_S
    while any(message.arrived_s is None for message in sent) and time.monotonic() < deadline:
        time.sleep(POLL_S)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=100)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()
    sent: list[Sent] = []
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        with local_org(work / "orgs", daily_max=10_000_000) as org:
            print(f"local org at {org.url}; deploying force-app/ with cci ...", flush=True)
            deploy_project(org, work / "home")
            sf = org.client()
            for n, number in enumerate(CUSTOMERS):
                sf.Contact.create({"LastName": f"Customer {n}", "MobilePhone": number})
            app_secret = secrets.token_hex(16)
            environment = {**org_environment(org, work / "home"), VERIFY_TOKEN_VARIABLE: secrets.token_urlsafe(16),
                           APP_SECRET_VARIABLE: app_secret}
            store_url = f"sqlite:///{work / 'store.db'}"
            with serve_webhook(environment, "-o", "store_url", store_url, "-o", "live_org", "local") as served:
                print(f"receiver with live mode at {served.url}; sending {args.messages} messages ...", flush=True)
                watcher = OrgWatcher(sf, sent)
                watcher.start()
                send_all(served.url, app_secret, args.messages, random.Random(args.seed), sent)
                wait_for_all(sent)
                watcher.stopping.set()
                watcher.join()
            with open_store(store_url).engine.connect() as connection:
                runs = connection.execute(select(sync_runs)).all()
    report(sent, runs)


def report(sent: list[Sent], runs: list) -> None:
    print(f"\n{'#':>4} {'customer':<14} {'POST answered':>14} {'in the org after':>17}")
    for message in sent:
        arrived = f"{message.arrived_s:.2f} s" if message.arrived_s is not None else "never"
        print(f"{message.n:>4} {message.sender:<14} {message.answered_s * 1000:>11.0f} ms {arrived:>17}")
    latencies = [message.arrived_s for message in sent if message.arrived_s is not None]
    durations = [(run.finished_at - run.started_at).total_seconds() for run in runs if run.finished_at]
    print(f"\n{len(latencies)} of {len(sent)} messages reached the org; {len(runs)} live sync runs "
          f"(median {statistics.median(durations):.2f} s each, {sum(run.api_calls for run in runs)} API calls)")
    missing = len(sent) - len(latencies)
    if missing:
        raise SystemExit(f"{missing} messages never reached the org within {GIVE_UP_S:.0f} s")
    print(json.dumps({"messages": len(sent), "median_s": round(statistics.median(latencies), 2),
                      "p95_s": round(percentile(latencies, 0.95), 2), "max_s": round(max(latencies), 2)}))


if __name__ == "__main__":
    main()
