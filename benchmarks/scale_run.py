"""One size of the scale benchmark, in this process: generate, import, load people, sync, each
timed, with this process's and the local org's peak memory and CPU time.

The store is a SQLite file and the org a local org with the project deployed (its start and the
deploy are set-up, not a stage). The sync is one backfill of the whole history, `sync_once` with
a window, so chat-days past the Bulk threshold go through Bulk API 2.0."""
from __future__ import annotations

import json
import os
import resource
import time
from collections import defaultdict
from pathlib import Path
from typing import Callable

from sqlalchemy import event

from eazybe_local_org.org_home import org_home
from eazybe_local_org.server import running
from eazybe_tasks.imports.export_import import ExportOptions, import_export
from eazybe_tasks.salesforce.collections_writer import create
from eazybe_tasks.salesforce.org_client import OrgClient
from eazybe_tasks.sources.cloud_api import parse_delivery, verify_signature
from eazybe_tasks.sources.exports import DateOrder
from eazybe_tasks.sources.model import Source
from eazybe_tasks.store.ingest import Batch
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.sync.run import DEFAULT_BULK_THRESHOLD, SyncOptions, sync_once
from eazybe_tasks.sync.run_records import RunReport
from local_org_fixture import deploy_project, local_org
from scale_history import ACCOUNTS, APP_SECRET, History, generate

DAILY_API_CALLS = 10_000_000  # the org's allowance: the benchmark measures calls, it does not ration them


def rss_peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def process_peak_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def process_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_history(store: Store, folder: Path) -> None:
    """Every export as `import_chat_export` imports it, every delivery as the receiver stores it."""
    for account in ACCOUNTS:
        store.register_account(account.number, label=account.label, time_zone=account.time_zone,
                               default_region=account.region)
    with (folder / "exports.jsonl").open() as manifest:
        for line in manifest:
            item = json.loads(line)
            import_export(store, Path(item["path"]), ExportOptions(
                account_number=item["account"], me=item["me"], other_number=item["other_number"],
                is_group=item["is_group"], date_order=DateOrder(item["date_order"]) if item["date_order"] else None))
    with (folder / "deliveries.txt").open(encoding="utf-8") as deliveries:
        for line in deliveries:
            signature, body = line.rstrip("\n").split("\t", 1)
            raw = body.encode()
            verify_signature(raw, signature, APP_SECRET)
            delivery = parse_delivery(json.loads(raw))
            store.ingest(Batch.of_delivery(Source.CLOUD_API, "webhook from 127.0.0.1", raw, delivery.messages,
                                           delivery.statuses))


def load_people(client: OrgClient, folder: Path) -> int:
    """The Contacts and Leads into the org, 200 a call."""
    records: dict[str, list[dict]] = defaultdict(list)
    with (folder / "people.jsonl").open(encoding="utf-8") as people:
        for line in people:
            item = json.loads(line)
            records[item["object"]].append(item["record"])
    for object_name, chosen in records.items():
        refused = [outcome for outcome in create(client, object_name, chosen) if not outcome.ok]
        if refused:
            raise RuntimeError(f"{len(refused)} {object_name} records refused, e.g. {refused[0]}")
    return sum(len(chosen) for chosen in records.values())


class Stages:
    """Wall time, and this process's RSS high-water mark, after each stage."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self.log = log
        self.seconds: dict[str, float] = {}
        self.rss_after_mb: dict[str, float] = {}

    def run(self, name: str, work: Callable[[], object]) -> object:
        started = time.perf_counter()
        result = work()
        self.seconds[name] = time.perf_counter() - started
        self.rss_after_mb[name] = rss_peak_mb()
        self.log(f"{name}: {self.seconds[name]:.1f} s, peak RSS so far {self.rss_after_mb[name]:.0f} MB")
        return result


def open_benchmark_store(folder: Path, synchronous: str | None) -> Store:
    """A SQLite store in `folder`; with `synchronous`, every connection of it set so (a what-if)."""
    store = open_store(f"sqlite:///{folder / 'store.db'}")
    if synchronous:
        event.listen(store.engine, "connect",
                     lambda connection, _: connection.execute(f"PRAGMA synchronous={synchronous}"))
        store.engine.dispose()  # connections opened before (the migration's) go
    return store


def run_size(size: int, folder: Path, synchronous: str | None, log: Callable[[str], None]) -> dict:
    load_before = os.getloadavg()[0]
    stages = Stages(log)
    history_folder = folder / "history"
    history_folder.mkdir()
    history: History = stages.run("generate", lambda: generate(history_folder, size))  # type: ignore[assignment]
    store = open_benchmark_store(folder, synchronous)
    stages.run("import", lambda: import_history(store, history_folder))
    with local_org(folder / "orgs", daily_max=DAILY_API_CALLS) as org:
        started = time.perf_counter()
        deploy_project(org, folder / "home")
        log(f"local org started and deployed in {time.perf_counter() - started:.0f} s (set-up, not a stage)")
        server = running(org_home("local", folder / "orgs"))
        assert server is not None
        client = org.org_client()
        stages.run("load_people", lambda: load_people(client, history_folder))
        org_cpu_before = process_cpu_s(server.pid)
        report: RunReport = stages.run("sync", lambda: sync_once(  # type: ignore[assignment]
            store, client, SyncOptions(window=(history.start, history.end), bulk_threshold=DEFAULT_BULK_THRESHOLD)))
        org_cpu = process_cpu_s(server.pid) - org_cpu_before
        org_peak = process_peak_mb(server.pid)
    total = stages.seconds["import"] + stages.seconds["sync"]
    log(f"sync: {report.chat_days:,} chat-days, {report.written:,} written, {report.failed:,} failed, "
        f"{report.unchanged:,} unchanged, {report.unmatched:,} unmatched, {report.skipped_do_not_log:,} do-not-log, "
        f"{report.notes_written:,} notes, {report.api_calls:,} API calls, stop: {report.stop_reason}")
    return {
        "size": size, "synchronous": synchronous or "full (the store's own)", "messages": history.messages,
        "export_files": history.export_files,
        "deliveries": history.deliveries, "people": history.people,
        "seconds": stages.seconds, "rss_after_mb": stages.rss_after_mb, "total_s": total,
        "msgs_per_s": history.messages / total, "peak_rss_mb": rss_peak_mb(), "org_peak_rss_mb": org_peak,
        "api_calls": report.api_calls, "chat_days": report.chat_days, "written": report.written,
        "failed": report.failed, "notes_written": report.notes_written, "cpu_s": cpu_s(), "org_cpu_s": org_cpu,
        "load_before": load_before, "load_after": os.getloadavg()[0],
    }
