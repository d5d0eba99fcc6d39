"""API calls of one scheduled sync run, counted by the local org itself, beside a per-message logger.

A fresh local org with the project deployed and 200 people in it (150 Contacts, 50 Leads), each
with their own WhatsApp chat. A first sync (nothing new) fills the phone directory, as the
3-minute schedule has by then. Then, each run timed and counted on its own:

- **text run**: 1,000 new text messages, 5 on each of 200 chat-days (one per person, yesterday);
- **attachment run**: the next 1,000 messages, 5 on each of the 200 chat-days of two days ago, 50
  of them pictures (50 distinct files), so what attachments cost is counted apart;
- **baseline**: a per-message logger against the same org: one record create per message, 1,000
  calls for the 1,000 messages of the text run.

Calls are the org's own count (`DailyApiRequests` from `/limits`, read by a separate client before
and after, the reading call itself taken off); the sync's requests are also sorted by what they are
from its client's session, and both counts are printed.

Run: .venv/bin/python benchmarks/api_calls.py
The last line: {"messages", "chat_days", "calls_per_run", "baseline_calls", ...}."""
from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from simple_salesforce import Salesforce  # noqa: E402

from eazybe_tasks.salesforce.collections_writer import create  # noqa: E402
from eazybe_tasks.salesforce.org_client import OrgClient  # noqa: E402
from eazybe_tasks.sources.model import AttachmentRef, Direction, Message, MessageType, Source  # noqa: E402
from eazybe_tasks.store.ingest import Batch  # noqa: E402
from eazybe_tasks.store.store import Store, open_store  # noqa: E402
from eazybe_tasks.sync.run import sync_once  # noqa: E402
from eazybe_tasks.sync.run_records import RunReport  # noqa: E402
from local_org_fixture import RunningOrg, deploy_project, local_org  # noqa: E402

BUSINESS = "+14155550100"
CONTACTS, LEADS = 150, 50
PER_CHAT_DAY = 5
PICTURES = 50
DAILY_API_CALLS = 1_000_000  # the benchmark counts calls, it does not ration them
GOAL_CALLS, GOAL_RATIO = 6, 150


def number(n: int) -> str:
    return f"+1415556{n:04d}"


def load_people(client: OrgClient) -> None:
    contacts = [{"LastName": f"Customer {n}", "MobilePhone": number(n)} for n in range(CONTACTS)]
    leads = [{"LastName": f"Prospect {n}", "Company": "Acme", "Phone": number(n)}
             for n in range(CONTACTS, CONTACTS + LEADS)]
    for object_name, records in (("Contact", contacts), ("Lead", leads)):
        refused = [outcome for outcome in create(client, object_name, records) if not outcome.ok]
        assert not refused, refused[:1]


def chat_day_messages(day: datetime, first_id: int) -> list[Message]:
    """PER_CHAT_DAY messages on `day` in each person's chat, inbound and outbound by turns."""
    found = []
    for person in range(CONTACTS + LEADS):
        chat = number(person)
        for k in range(PER_CHAT_DAY):
            direction = Direction.INBOUND if k % 2 == 0 else Direction.OUTBOUND
            found.append(Message(
                source=Source.CLOUD_API, source_id=f"wamid.bench.{first_id + len(found)}", account_number=BUSINESS,
                chat_id=chat, is_group=False, direction=direction, type=MessageType.TEXT,
                sent_at=day + timedelta(minutes=person, seconds=k), body=f"message {k} of the day for {person}",
                sender=chat if direction is Direction.INBOUND else BUSINESS, sender_name=f"Customer {person}"))
    return found


def with_pictures(found: list[Message], count: int) -> list[Message]:
    """The first message of `count` chat-days made a picture, each a file of its own."""
    step = len(found) // count
    for n in range(count):
        at = n * step - (n * step) % PER_CHAT_DAY
        picture = AttachmentRef(file_name=f"photo-{n}.jpg", mime_type="image/jpeg", content=b"\xff\xd8" + bytes([n]) * 2048)
        found[at] = replace(found[at], type=MessageType.IMAGE, body="", attachments=(picture,))
    return found


def ingest(store: Store, found: list[Message]) -> None:
    for start in range(0, len(found), 200):
        chunk = found[start:start + 200]
        digest = hashlib.sha256(chunk[0].source_id.encode()).hexdigest()  # one input, once
        store.ingest(Batch(source=Source.CLOUD_API, origin="benchmark", raw_sha256=digest, messages=chunk))


def kind_of(method: str, path: str) -> str:
    """What a request of the sync is, from its method and REST path."""
    tail = path.split("/services/data/", 1)[-1].split("/", 1)[-1]
    if tail.startswith("query"):
        return "query"
    if tail.startswith("composite/sobjects"):
        return f"collections {method}"
    if tail.startswith(("sobjects/ContentVersion", "sobjects/ContentDocumentLink")):
        return f"attachment {method} {tail.split('/')[1]}"
    if tail.startswith("jobs/ingest"):
        return "bulk"
    return f"{method} {tail.split('?')[0]}"


class OrgCounter:
    """The org's own count of API calls, read through a client of its own."""

    def __init__(self, org: RunningOrg) -> None:
        self.sf = org.client()

    def used(self) -> int:
        limits = self.sf.limits()["DailyApiRequests"]
        return limits["Max"] - limits["Remaining"]

    def calls_of(self, work: Callable[[], Any]) -> tuple[int, Any, float]:
        """Calls made by `work` (this counter's own second reading taken off), its result, seconds."""
        before = self.used()
        started = time.perf_counter()
        result = work()
        seconds = time.perf_counter() - started
        return self.used() - before - 1, result, seconds


def traced_client(org: RunningOrg, seen: Counter) -> OrgClient:
    """A client whose every answered request is tallied by kind in `seen`."""
    client = org.org_client()
    client.sf.session.hooks["response"].append(
        lambda answer, *_, **__: seen.update([kind_of(answer.request.method, answer.request.path_url)]))
    return client


def per_message_logger(sf: Salesforce, found: list[Message]) -> None:
    """The baseline: one record created per message, as a logger without chat-days would."""
    for n, item in enumerate(found):
        sf.WhatsApp_Chat__c.create({"Name": f"WhatsApp · {item.chat_id} · {n}", "Chat_Key__c": f"per-message-{n}",
                                    "Transcript__c": item.body, "WhatsApp_Number__c": item.chat_id})


def describe_run(name: str, calls: int, report: RunReport, seen: Counter, seconds: float) -> dict[str, Any]:
    print(f"{name}: {calls} calls (org's count), {sum(seen.values())} seen by the client, {seconds:.1f} s; "
          f"{report.chat_days} chat-days, {report.written} written, {report.notes_written} notes, "
          f"{report.files_written} files, stop: {report.stop_reason}")
    for kind, count in sorted(seen.items()):
        print(f"    {count:5d}  {kind}")
    return {"calls": calls, "seen": dict(seen), "chat_days": report.chat_days, "written": report.written,
            "notes": report.notes_written, "files": report.files_written, "seconds": seconds}


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="eazybe-api-calls-") as scratch:
        folder = Path(scratch)
        with local_org(folder / "orgs", daily_max=DAILY_API_CALLS) as org:
            print("starting the local org and deploying the project...")
            deploy_project(org, folder / "home")
            counter = OrgCounter(org)
            load_people(org.org_client())
            store = open_store(f"sqlite:///{folder / 'store.db'}")
            store.register_account(BUSINESS, label="Sales", time_zone="UTC")
            seen: Counter = Counter()
            traced = traced_client(org, seen)
            warm_calls, _, _ = counter.calls_of(lambda: sync_once(store, traced))
            print(f"first run, nothing new (fills the phone directory): {warm_calls} calls")

            today = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
            texts = chat_day_messages(today - timedelta(days=1) + timedelta(hours=8), 0)
            ingest(store, texts)
            seen.clear()
            calls, report, seconds = counter.calls_of(lambda: sync_once(store, traced))
            text_run = describe_run("text run", calls, report, Counter(seen), seconds)

            pictures = with_pictures(chat_day_messages(today - timedelta(days=2) + timedelta(hours=8), len(texts)),
                                     PICTURES)
            ingest(store, pictures)
            seen.clear()
            calls, report, seconds = counter.calls_of(lambda: sync_once(store, traced))
            attachment_run = describe_run("attachment run", calls, report, Counter(seen), seconds)
            attachment_calls = sum(count for kind, count in attachment_run["seen"].items()
                                   if kind.startswith("attachment"))

            baseline_calls, _, baseline_s = counter.calls_of(lambda: per_message_logger(org.client(), texts))
            print(f"baseline, one create per message: {baseline_calls} calls, {baseline_s:.1f} s")

    ratio = baseline_calls / text_run["calls"]
    print(f"goal: <= {GOAL_CALLS} calls per run ({'met' if text_run['calls'] <= GOAL_CALLS else 'missed'}), "
          f">= {GOAL_RATIO}x fewer than the baseline ({ratio:.0f}x: {'met' if ratio >= GOAL_RATIO else 'missed'})")
    print(json.dumps({
        "messages": len(texts), "chat_days": text_run["chat_days"], "calls_per_run": text_run["calls"],
        "baseline_calls": baseline_calls, "ratio_x": round(ratio, 1),
        "attachment_run_calls": attachment_run["calls"], "attachments": PICTURES,
        "attachment_calls": attachment_calls,
        "attachment_run_calls_without_attachments": attachment_run["calls"] - attachment_calls,
        "directory_warm_up_calls": warm_calls, "text_run_s": round(text_run["seconds"], 2),
    }))


if __name__ == "__main__":
    main()
