"""Live mode: deliveries POSTed to a running receiver reach a running local org with no sync run by
hand; a burst of deliveries makes few sync runs and never two at once; a sync lock held elsewhere
makes live mode wait and try again; `cci task run serve_webhook -o live_org local` does it all
from the command line. The debouncer underneath is tested on its own first."""
from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import pytest
from simple_salesforce import Salesforce
from sqlalchemy import select

from asgi_server import serving
from cloud_api_deliveries import post_signed, text_delivery
from eazybe_tasks.live.debouncer import Debouncer
from eazybe_tasks.live.live_sync import LiveSettings, LiveSync
from eazybe_tasks.salesforce.org_client import OrgClient
from eazybe_tasks.store.ingest import IngestResult
from eazybe_tasks.store.locks import acquire
from eazybe_tasks.store.schema import sync_runs
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.sync.run_records import lock_name
from eazybe_tasks.webhook.app import PATH, StoredDelivery, create_app
from eazybe_tasks.webhook.settings import APP_SECRET_VARIABLE, VERIFY_TOKEN_VARIABLE, WebhookSettings
from local_org_fixture import RunningOrg
from webhook_process import org_environment, serve_webhook

SECRET = "live-mode-test-app-secret"
TOKEN = "live-mode-test-verify-token"
BUSINESS = "+14155550100"
WAIT_S = 90  # generous: other test sessions share the machine


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still waiting after {timeout_s} s for {what}")
        time.sleep(0.1)


# The debouncer alone


class Recorder:
    """An action that counts its runs and the most that were ever going on at once."""

    def __init__(self, pause_s: float = 0.0, answers: list | None = None) -> None:
        self.runs = self.active = self.most_active = 0
        self.pause_s, self.answers = pause_s, list(answers or [])
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()
        self._lock = threading.Lock()

    def __call__(self) -> float | None:
        with self._lock:
            self.runs += 1
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        self.started.set()
        self.release.wait()
        time.sleep(self.pause_s)
        with self._lock:
            self.active -= 1
        answer = self.answers.pop(0) if self.answers else None
        if isinstance(answer, Exception):
            raise answer
        return answer


@contextmanager
def running(debouncer: Debouncer) -> Iterator[Debouncer]:
    debouncer.start()
    try:
        yield debouncer
    finally:
        debouncer.stop()


def test_a_burst_of_notifications_makes_few_runs() -> None:
    action = Recorder()
    with running(Debouncer(action, quiet_s=1.0, max_delay_s=10.0)) as debouncer:
        for _ in range(100):
            debouncer.notify()
        wait_until(lambda: debouncer.idle, "the debounced run")
    assert 1 <= action.runs <= 2  # 100 notifications within the quiet time: one run, two if the machine stalled


def test_runs_never_overlap_however_many_notifiers() -> None:
    action = Recorder(pause_s=0.02)
    with running(Debouncer(action, quiet_s=0.0, max_delay_s=0.01)) as debouncer:
        def notify_often() -> None:
            for _ in range(30):
                debouncer.notify()
                time.sleep(0.005)

        notifiers = [threading.Thread(target=notify_often) for _ in range(4)]
        for notifier in notifiers:
            notifier.start()
        for notifier in notifiers:
            notifier.join()
        wait_until(lambda: debouncer.idle, "the last run")
    assert action.runs >= 2 and action.most_active == 1


def test_a_notification_during_a_run_makes_exactly_one_more_run() -> None:
    action = Recorder()
    action.release.clear()
    with running(Debouncer(action, quiet_s=0.0, max_delay_s=0.0)) as debouncer:
        debouncer.notify()
        assert action.started.wait(WAIT_S)
        debouncer.notify()  # the run going on may have started too early to see this
        debouncer.notify()
        action.release.set()
        wait_until(lambda: debouncer.idle, "the run after the run")
    assert action.runs == 2


def test_a_run_that_could_not_work_or_failed_is_run_again(caplog: pytest.LogCaptureFixture) -> None:
    action = Recorder(answers=[0.05, RuntimeError("the org is down"), None])
    with running(Debouncer(action, quiet_s=0.0, max_delay_s=0.0)) as debouncer:
        debouncer.notify()  # one notification: the retries come without another
        wait_until(lambda: debouncer.idle, "a run that succeeds")
    assert action.runs == 3
    assert "the run failed (1 in a row)" in caplog.text and "the org is down" in caplog.text


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


def test_only_deliveries_that_stored_something_trigger_a_sync(store: Store) -> None:
    live = LiveSync(store, org=None)  # type: ignore[arg-type]  # never started: nothing runs
    replay = IngestResult(1, messages_seen=1, messages_added=0, statuses_added=0)
    live.delivery_stored(StoredDelivery(replay, frozenset({BUSINESS})))
    assert live.idle
    status = IngestResult(2, messages_seen=0, messages_added=0, statuses_added=1)
    live.delivery_stored(StoredDelivery(status, frozenset({BUSINESS})))
    assert not live.idle


# Live mode against a running org


@contextmanager
def live_receiver(store: Store, org: OrgClient, settings: LiveSettings) -> Iterator[str]:
    """The receiver's URL while it runs with live mode on."""
    webhook = WebhookSettings(verify_token=TOKEN, app_secret=SECRET)
    with LiveSync(store, org, settings) as live, serving(create_app(store, webhook, live.delivery_stored)) as base:
        yield base + PATH


def deliver(url: str, sender: str, n: int, text: str) -> None:
    raw = text_delivery(BUSINESS, sender, f"wamid.live.{sender}.{n}", text, datetime.now(timezone.utc))
    answer = post_signed(url, raw, SECRET)
    assert answer.status_code == 200, answer.text


def transcripts(sf: Salesforce, number: str) -> str:
    records = sf.query_all(
        f"SELECT Transcript__c FROM WhatsApp_Chat__c WHERE WhatsApp_Number__c = '{number}'")["records"]
    return "\n".join(record["Transcript__c"] or "" for record in records)


def shows_all(sf: Salesforce, number: str, texts: list[str]) -> Callable[[], bool]:
    return lambda: all(text in transcripts(sf, number) for text in texts)


def runs(store: Store) -> list:
    with store.engine.connect() as connection:
        return connection.execute(select(sync_runs).order_by(sync_runs.c.started_at)).all()


def test_a_delivery_reaches_the_org_with_no_sync_run_by_hand(deployed_org: RunningOrg, store: Store) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    sf.Contact.create({"LastName": "Live", "MobilePhone": "+1 415 555 0141"})
    with live_receiver(store, org, LiveSettings(debounce_s=0.2, max_delay_s=2.0)) as url:
        deliver(url, "+14155550141", 1, "live hello")
        wait_until(shows_all(sf, "+14155550141", ["live hello"]), "the message in the org")
        deliver(url, "+14155550141", 2, "live again")
        wait_until(shows_all(sf, "+14155550141", ["live hello", "live again"]), "the second message in the org")
    assert [run.status for run in runs(store)] == ["succeeded", "succeeded"]


def test_a_burst_makes_few_sync_runs_never_two_at_once(deployed_org: RunningOrg, store: Store) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    senders = ["+14155550142", "+14155550143"]
    for sender in senders:
        sf.Contact.create({"LastName": "Burst", "MobilePhone": sender})
    texts: dict[str, list[str]] = {sender: [] for sender in senders}
    with live_receiver(store, org, LiveSettings(debounce_s=1.0, max_delay_s=10.0)) as url:
        for n in range(12):
            sender = senders[n % 2]
            texts[sender].append(f"burst message {n}")
            deliver(url, sender, n, texts[sender][-1])
        for sender in senders:
            wait_until(shows_all(sf, sender, texts[sender]), f"the burst from {sender} in the org")
    done = runs(store)
    assert 1 <= len(done) <= 3  # 12 deliveries well within the 1 s quiet time: one run, more only if stalled
    assert all(run.status == "succeeded" for run in done)
    assert all(earlier.finished_at <= later.started_at for earlier, later in zip(done, done[1:]))


def test_live_mode_waits_for_a_sync_running_elsewhere(deployed_org: RunningOrg, store: Store,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="eazybe_tasks.live")
    org = deployed_org.org_client()
    sf = org.sf
    sf.Contact.create({"LastName": "Waits", "MobilePhone": "+14155550144"})
    store.register_account(BUSINESS)
    elsewhere = acquire(store.engine, lock_name(BUSINESS))  # as the scheduler's run, or another receiver's, would
    with live_receiver(store, org, LiveSettings(debounce_s=0.0, max_delay_s=1.0)) as url:
        deliver(url, "+14155550144", 1, "sent while another sync runs")
        wait_until(lambda: caplog.text.count("live sync waits") >= 2, "live mode to try twice")
        assert runs(store) == []
        elsewhere.release()
        wait_until(shows_all(sf, "+14155550144", ["sent while another sync runs"]), "the message in the org")


def test_cci_task_serve_webhook_with_live_org(deployed_org: RunningOrg, tmp_path: Path) -> None:
    """The real entry point: `cci task run serve_webhook -o live_org local`."""
    org = deployed_org.org_client()
    sf = org.sf
    sf.Contact.create({"LastName": "Cci", "MobilePhone": "+14155550145"})
    environment = {**org_environment(deployed_org, tmp_path / "home"), VERIFY_TOKEN_VARIABLE: TOKEN,
                   APP_SECRET_VARIABLE: SECRET}
    with serve_webhook(environment, "-o", "store_url", f"sqlite:///{tmp_path / 'store.db'}", "-o", "live_org", "local",
                       "-o", "debounce_s", "0.2") as served:
        deliver(served.url, "+14155550145", 1, "through cci")
        wait_until(shows_all(sf, "+14155550145", ["through cci"]), "the message in the org")
    assert "live mode into org local" in served.output and "live sync run 1 (+14155550100)" in served.output
    assert SECRET not in served.output
    assert TOKEN not in served.output
