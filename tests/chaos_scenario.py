"""The chaos scenario: a seeded history of WhatsApp messages over several accounts and chats,
synced into a local org that injects faults (5xx, slow answers past the client's timeout, row
locks, a REQUEST_LIMIT_EXCEEDED spell, a session expiry) by a sync process killed with SIGKILL at
random moments, run after run until the engine reports nothing pending. Then the org is compared
with what it must hold, computed here from the inputs alone (not by the engine's code): every
chat-day record once with its exact transcript, one Note per Contact chat-day, each file's bytes
uploaded once and linked to every record that shows them.

Used by tests/test_chaos.py (a CI-sized run) and benchmarks/chaos.py (the full size)."""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from eazybe_local_org.org_home import org_home
from eazybe_local_org.web.admin import call_faults_endpoint
from eazybe_tasks.salesforce.collections_writer import create
from eazybe_tasks.sources.model import AttachmentRef, Direction, Message, MessageType, Source
from eazybe_tasks.store.ingest import Batch
from eazybe_tasks.store.schema import accounts, chat_day_ledger, sync_runs
from eazybe_tasks.store.store import Store
from eazybe_tasks.sync.pending import pending_work

REPO = Path(__file__).resolve().parents[1]
ACCOUNTS = [  # business number, label, time zone
    ("+16505550100", "Sales US", "America/Los_Angeles"), ("+442079460100", "Sales UK", "Europe/London"),
    ("+493090182000", "Vertrieb", "Europe/Berlin"), ("+551130000100", "Vendas", "America/Sao_Paulo"),
    ("+912240000100", "Sales IN", "Asia/Kolkata"),
]
NUMBER_PATTERNS = [("+1415555", 4), ("+447700900", 3), ("+4915123", 6), ("+55119", 8), ("+9198", 8)]
WORDS = "hola olá hallo hello price quote delivery invoice tomorrow today ok thanks, merci 🙂 \"yes\" señor ß".split()
CONTINUATION = " " * 6


@dataclass(frozen=True)
class ChaosSize:
    messages: int
    chats: int
    accounts: int
    chaos_runs: int  # runs with faults on; then runs without, until nothing is pending
    kills: int
    seed: int = 7


CI_SIZE = ChaosSize(messages=1_200, chats=60, accounts=2, chaos_runs=6, kills=3)
FULL_SIZE = ChaosSize(messages=10_000, chats=500, accounts=5, chaos_runs=10, kills=5)


@dataclass(frozen=True)
class Person:
    object_name: str
    number: str  # E.164
    typed: str  # as a person typed it into Salesforce
    name: str
    do_not_log: bool


@dataclass
class Scenario:
    people: list[Person]
    messages: list[Message]
    labels: dict[str, str]  # business number -> account label
    zones: dict[str, str]


def _typed(number: str, rng: random.Random) -> str:
    """The number the way people type it: spaces, dashes, dots or brackets, always with its country."""
    digits = number[1:]
    cut = [digits[:2], digits[2:5], digits[5:8], digits[8:]]
    style = rng.choice([" ", "-", ".", "()"])
    if style == "()":
        return f"+{cut[0]} ({cut[1]}) {cut[2]}-{cut[3]}"
    return "+" + style.join(part for part in cut if part)


def build(size: ChaosSize, now: datetime) -> Scenario:
    rng = random.Random(size.seed)
    accounts = ACCOUNTS[:size.accounts]
    numbers: list[str] = []
    while len(numbers) < size.chats:
        prefix, length = rng.choice(NUMBER_PATTERNS)
        candidate = prefix + "".join(rng.choice("0123456789") for _ in range(length))
        if candidate not in numbers:
            numbers.append(candidate)
    people = []
    for n, number in enumerate(numbers):
        kind = rng.random()
        if kind < 0.85:
            people.append(Person("Contact" if kind < 0.7 else "Lead", number, _typed(number, rng), f"Chaos {n:04d}",
                                 rng.random() < 0.05))
    groups = max(1, size.chats // 10)
    chats = [(accounts[i % len(accounts)][0], number, False, [number]) for i, number in enumerate(numbers[groups:])]
    chats += [(accounts[i % len(accounts)][0], f"1203630{size.seed:03d}{i:06d}@g.us", True, rng.sample(numbers, 4))
              for i in range(groups)]
    photos = [f"photo {n} of the chaos run ".encode() * (20 + n) for n in range(12)]
    messages = []
    used: set[tuple[str, datetime]] = set()
    for index in range(size.messages):
        business, chat_id, is_group, members = rng.choice(chats)
        sent_at = now - timedelta(seconds=rng.randint(3_600, 60 * 3_600))
        while (chat_id, sent_at) in used:
            sent_at += timedelta(seconds=1)
        used.add((chat_id, sent_at))
        inbound = rng.random() < 0.6
        sender = rng.choice(members) if inbound else business
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 12)))
        if rng.random() < 0.05:
            body += "\n" + " ".join(rng.choice(WORDS) for _ in range(3))
        attachments: tuple[AttachmentRef, ...] = ()
        kind = MessageType.TEXT
        if rng.random() < 0.03:
            photo = rng.randrange(len(photos))
            kind, body = MessageType.IMAGE, ""
            attachments = (AttachmentRef(file_name=f"photo{photo}.jpg", mime_type="image/jpeg", content=photos[photo]),)
        messages.append(Message(
            source=Source.FEED, source_id=f"chaos.{size.seed}.{index}", account_number=business, chat_id=chat_id,
            is_group=is_group, direction=Direction.INBOUND if inbound else Direction.OUTBOUND, type=kind,
            sent_at=sent_at, body=body, sender=sender, sender_name=f"WA {sender[-4:]}" if inbound else None,
            chat_name=f"Chaos group {chat_id[7:16]}" if is_group else None, attachments=attachments,
        ))
    return Scenario(people, messages, {a[0]: a[1] for a in accounts}, {a[0]: a[2] for a in accounts})


def load(scenario: Scenario, store: Store, org: Any) -> dict[str, tuple[str, str, bool]]:
    """People into the org, accounts and messages into the store; E.164 -> (object, id, do-not-log)."""
    for number, label in scenario.labels.items():
        store.register_account(number, label=label, time_zone=scenario.zones[number], default_region="US")
    person_of = {}
    for object_name in ("Contact", "Lead"):
        chosen = [p for p in scenario.people if p.object_name == object_name]
        records = [{"LastName": p.name, "MobilePhone": p.typed, "WhatsApp_Do_Not_Log__c": p.do_not_log,
                    **({"Company": "Chaos Ltd"} if object_name == "Lead" else {})} for p in chosen]
        for person, outcome in zip(chosen, create(org, object_name, records)):
            assert outcome.ok, outcome
            person_of[person.number] = (object_name, outcome.record_id, person.do_not_log)
    for start in range(0, len(scenario.messages), 1_000):
        chunk = scenario.messages[start:start + 1_000]
        store.ingest(Batch(source=Source.FEED, origin=f"chaos {start}",
                           raw_sha256=hashlib.sha256(f"chaos {start}".encode()).hexdigest(), messages=chunk))
    return person_of


# -- what the org must hold, from the inputs alone -------------------------------------------------
@dataclass
class ExpectedDay:
    transcript: str
    messages: int
    photos: set[str] = field(default_factory=set)  # MD5 of each file's bytes


def _line(message: Message, zone: str, label: str, quiet: bool = False) -> str:
    """`quiet`: the sender is a group member marked WhatsApp Do Not Log."""
    clock = message.sent_at.astimezone(ZoneInfo(zone)).strftime("%H:%M")
    if quiet:
        return f"{clock} — [a participant's message was not logged: they asked not to be]"
    if message.attachments:
        content = f"[image: {message.attachments[0].file_name}]"
    else:
        content = message.body.strip().replace("\n", "\n" + CONTINUATION)
    sender = message.sender_name if message.direction is Direction.INBOUND else label
    return f"{clock} {sender}: {content}"


def expected_records(scenario: Scenario, person_of: dict[str, tuple[str, str, bool]]) -> dict[tuple, ExpectedDay]:
    """(person id, business number, chat, local date) -> the record's transcript and files."""
    days: dict[tuple, list[tuple[int, Message]]] = defaultdict(list)
    for index, message in enumerate(scenario.messages):
        local = message.sent_at.astimezone(ZoneInfo(scenario.zones[message.account_number])).date()
        days[(message.account_number, message.chat_id, local)].append((index, message))
    expected: dict[tuple, ExpectedDay] = {}
    for (business, chat_id, day), items in days.items():
        ordered = [m for _, m in sorted(items, key=lambda item: (item[1].sent_at, item[0]))]
        is_group = ordered[0].is_group
        numbers = {m.sender for m in ordered if m.direction is Direction.INBOUND} if is_group else {chat_id}
        people = {person_of[n][1] for n in numbers if n in person_of and not person_of[n][2]}
        quiet = {n for n in numbers if n in person_of and person_of[n][2]} if is_group else set()
        transcript = "\n".join(_line(m, scenario.zones[business], scenario.labels[business], m.sender in quiet)
                               for m in ordered)
        photos = {hashlib.md5(a.content or b"").hexdigest() for m in ordered for a in m.attachments
                  if m.sender not in quiet}
        chat = ordered[0].chat_name if is_group else chat_id
        for person in people:
            expected[(person, business, chat, day.isoformat())] = ExpectedDay(transcript, len(ordered), photos)
    return expected


# -- what the org holds ------------------------------------------------------------------------------
def _query_in(sf: Any, soql: str, ids: list[str]) -> list[dict]:
    found: list[dict] = []
    for start in range(0, len(ids), 200):
        found += sf.query_all(soql.format(ids="','".join(ids[start:start + 200])))["records"]
    return found


@dataclass
class Verdict:
    expected_records: int
    missing: int = 0
    extra: int = 0
    wrong_transcripts: int = 0
    notes_missing: int = 0
    notes_duplicated: int = 0
    files_missing: int = 0
    files_duplicated: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def lost(self) -> int:
        return self.missing + self.wrong_transcripts + self.notes_missing + self.files_missing

    @property
    def duplicated(self) -> int:
        return self.extra + self.notes_duplicated + self.files_duplicated


def compare(sf: Any, expected: dict[tuple, ExpectedDay], person_of: dict[str, tuple[str, str, bool]]) -> Verdict:
    people = sorted({record_id for _, record_id, _ in person_of.values()})
    records = _query_in(sf, "SELECT Id, Name, Contact__c, Lead__c, Business_Number__c, WhatsApp_Number__c, Chat_Name__c, "
                            "Is_Group__c, Chat_Date__c, Transcript__c FROM WhatsApp_Chat__c "
                            "WHERE Contact__c IN ('{ids}') OR Lead__c IN ('{ids}')", people)
    verdict = Verdict(len(expected))
    seen: Counter = Counter()
    by_key: dict[tuple, dict] = {}
    for record in records:
        chat = record["Chat_Name__c"] if record["Is_Group__c"] else record["WhatsApp_Number__c"]
        key = (record["Contact__c"] or record["Lead__c"], record["Business_Number__c"], chat, record["Chat_Date__c"])
        seen[key] += 1
        by_key[key] = record
    verdict.extra = sum(count - 1 for count in seen.values()) + sum(1 for key in seen if key not in expected)
    for key, day in expected.items():
        record = by_key.get(key)
        if record is None:
            verdict.missing += 1
            verdict.examples.append(f"missing {key}")
        elif record["Transcript__c"] != day.transcript:
            verdict.wrong_transcripts += 1
            verdict.examples.append(f"transcript of {key}: {record['Transcript__c']!r} != {day.transcript!r}")
    contacts = [record_id for object_name, record_id, _ in person_of.values() if object_name == "Contact"]
    notes = _query_in(sf, "SELECT ParentId, Title, Body FROM Note WHERE ParentId IN ('{ids}')", contacts)
    titles = Counter((n["ParentId"], n["Title"]) for n in notes)
    verdict.notes_duplicated = sum(count - 1 for count in titles.values())
    bodies = {(n["ParentId"], n["Title"]): n["Body"] for n in notes}
    for key, day in expected.items():
        record = by_key.get(key)
        if record and record["Contact__c"] and bodies.get((record["Contact__c"], record["Name"])) != day.transcript:
            verdict.notes_missing += 1
            verdict.examples.append(f"note of {key}")
    record_ids = [r["Id"] for r in records]
    links = _query_in(sf, "SELECT ContentDocumentId, LinkedEntityId FROM ContentDocumentLink "
                          "WHERE LinkedEntityId IN ('{ids}')", record_ids)
    documents = sorted({link["ContentDocumentId"] for link in links})
    versions = _query_in(sf, "SELECT ContentDocumentId, Checksum FROM ContentVersion WHERE ContentDocumentId IN ('{ids}')",
                         documents)
    checksum_of = {v["ContentDocumentId"]: v["Checksum"] for v in versions}
    verdict.files_duplicated = sum(count - 1 for count in Counter(v["Checksum"] for v in versions).values())
    linked: dict[str, set[str]] = defaultdict(set)
    for link in links:
        linked[link["LinkedEntityId"]].add(checksum_of.get(link["ContentDocumentId"], "?"))
    for key, day in expected.items():
        record = by_key.get(key)
        if record and not day.photos <= linked[record["Id"]]:
            verdict.files_missing += len(day.photos - linked[record["Id"]])
            verdict.examples.append(f"files of {key}")
    return verdict


# -- the runs ---------------------------------------------------------------------------------------
@dataclass
class ChaosStats:
    runs: int = 0
    kills: int = 0
    failed_runs: int = 0
    faults: Counter = field(default_factory=Counter)
    lease_overruns: int = 0  # runs that stalled past their lease, lost it and stopped


def _fault_settings(run: int, seed: int) -> dict[str, Any]:
    """About one request or record in five faulted; a limit spell in run 2, a session expiry in run 3."""
    settings: dict[str, Any] = {"seed": seed * 100 + run, "server_error_rate": 0.08, "slow_rate": 0.04,
                                "slow_seconds": 5, "row_lock_rate": 0.08}
    if run == 2:
        settings["limit_spell_requests"] = 6
    if run == 3:
        settings["expire_sessions"] = True
    return settings


def run_chaos(org: Any, store: Store, store_url: str, size: ChaosSize, log: Callable[[str], None] = print) -> ChaosStats:
    """`org`: a running local org (url, folder, credentials, ca_bundle, token()). Returns when a
    run without faults ended and the store reports nothing pending."""
    rng = random.Random(size.seed)
    home = org_home("local", org.folder.parent)
    stats = ChaosStats()
    start = datetime.now(timezone.utc)
    stats.runs += _overrun(org, store, store_url, start - timedelta(minutes=10), home, log)
    for run in range(size.chaos_runs + size.kills * 3 + 30):
        chaotic = run < size.chaos_runs or stats.kills < size.kills  # a run may end before its kill
        if chaotic:
            call_faults_endpoint(home, org.url, "67.0", "POST", json.dumps(_fault_settings(run, size.seed)))
        kill_after = rng.uniform(0.3, 4.0) if chaotic and stats.kills < size.kills and rng.random() < 0.7 else None
        outcome = _one_run(org, store_url, start + timedelta(minutes=10 * run), kill_after)
        if chaotic:
            stats.faults.update(call_faults_endpoint(home, org.url, "67.0", "GET")["injected"])
            call_faults_endpoint(home, org.url, "67.0", "DELETE", None)
        stats.runs += 1
        stats.kills += outcome == "killed"
        stats.failed_runs += outcome == "failed"
        pending = pending_work(store.engine)
        log(f"run {run + 1}{' (faults)' if chaotic else ''}: {outcome}; pending {pending}")
        if not chaotic and outcome == "ok" and pending.nothing:
            stats.lease_overruns = _lease_overruns(store)
            return stats
    raise AssertionError(f"still pending after {stats.runs} runs: {pending_work(store.engine)}")


OVERRUN_LEASE_S = 3.0


def _overrun(org: Any, store: Store, store_url: str, now: datetime, home: Path, log: Callable[[str], None]) -> int:
    """A run stalls past its lease: the first run, on a slow org, is frozen (SIGSTOP, as a VM
    pause or a swapped-out process would) once its first records are written, for longer than
    its 3 s lease; a second run takes the lock and writes everything; then the first wakes up. It
    must find its lease lost before its next write and stop, doubling nothing. Only the first
    account is synced, so the chaos that follows still has the others to write. Returns the runs."""
    with store.engine.connect() as connection:
        first = {"SYNC_ACCOUNTS": connection.execute(select(func.min(accounts.c.number))).scalar_one()}
    call_faults_endpoint(home, org.url, "67.0", "POST", json.dumps({"seed": 1, "slow_rate": 1.0, "slow_seconds": 0.5}))
    stalled = _sync_process(org, store_url, now, {**first, "SYNC_LEASE_S": str(OVERRUN_LEASE_S)})
    try:
        deadline = time.monotonic() + 120
        while not _records_written(store) and stalled.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        stalled.send_signal(signal.SIGSTOP)
        time.sleep(OVERRUN_LEASE_S + 1)
        call_faults_endpoint(home, org.url, "67.0", "DELETE", None)
        taker = _one_run(org, store_url, now, None, first)
    finally:
        stalled.send_signal(signal.SIGCONT)
    out, err = stalled.communicate(timeout=600)
    log(f"lease overrun: the stalled run ended with {out.strip() or err.strip()[-300:]}; the run that took over: {taker}")
    return 2


def _records_written(store: Store) -> bool:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(chat_day_ledger)).scalar_one() > 0


def _lease_overruns(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(sync_runs).where(
            sync_runs.c.status == "stopped", sync_runs.c.stop_reason.like("%was lost%"))).scalar_one()


def _sync_process(org: Any, store_url: str, now: datetime, extra: dict[str, str] | None = None) -> subprocess.Popen:
    credentials = org.credentials
    env = {**os.environ, "PYTHONPATH": str(REPO), "SF_SESSION_ID": org.token(), "SYNC_NOW": now.isoformat(),
           "SYNC_TIMEOUT_S": "4", "SF_CLIENT_ID": credentials.client_id, "SF_CLIENT_SECRET": credentials.client_secret,
           "SF_REFRESH_TOKEN": credentials.refresh_token, "REQUESTS_CA_BUNDLE": str(org.ca_bundle), **(extra or {})}
    return subprocess.Popen([sys.executable, str(REPO / "tests" / "sync_process.py"), store_url, org.url],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _one_run(org: Any, store_url: str, now: datetime, kill_after: float | None,
             extra: dict[str, str] | None = None) -> str:
    process = _sync_process(org, store_url, now, extra)
    if kill_after is not None:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.communicate()
            return "killed"
    process.communicate(timeout=900)
    return "ok" if process.returncode == 0 else "failed"
