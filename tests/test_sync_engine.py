"""The sync engine's run rules against a real local org: every message's outcome, late linking,
the backfill window, dry runs, retries with backoff and quarantine, the API budget, the run lock,
and the oversized-transcript File."""
from __future__ import annotations

from dataclasses import replace
import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from eazybe_local_org.org_home import org_home
from eazybe_local_org.web.admin import call_faults_endpoint
from eazybe_tasks.chat_days.record import TRANSCRIPT_LIMIT
from eazybe_tasks.salesforce.collections_writer import create
from eazybe_tasks.sources.model import Direction, Message, MessageType, Source
from eazybe_tasks.store.locks import LockHeld, held
from eazybe_tasks.store.schema import accounts, chat_day_ledger, message_outcomes, messages, sync_runs
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.sync import ledger
from eazybe_tasks.sync.run import SyncOptions, sync_once
from eazybe_tasks.sync.run_records import lock_name
from local_org_fixture import RunningOrg
from test_sync_run import BUSINESS, ingest, message

NOW = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)


def new_store(tmp_path: Path) -> Store:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, label="Sales", time_zone="UTC")
    return store


def only_account(store: Store) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(accounts.c.id)).scalar_one()


def outcomes_by_body(store: Store) -> dict[str, tuple]:
    with store.engine.connect() as connection:
        rows = connection.execute(
            select(messages.c.body, message_outcomes.c.outcome, message_outcomes.c.person_id,
                   message_outcomes.c.number, message_outcomes.c.record_id, message_outcomes.c.logged_at)
            .join(messages, messages.c.id == message_outcomes.c.message_pk)
        ).all()
    return {row.body: tuple(row)[1:] for row in rows}


def test_outcomes_late_linking_and_the_window(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = new_store(tmp_path)
    ana = sf.Contact.create({"LastName": "Silva", "FirstName": "Ana", "MobilePhone": "+55 11 91234-5678"})["id"]
    quiet = sf.Contact.create({"LastName": "Quiet", "Phone": "+49 30 1234567", "WhatsApp_Do_Not_Log__c": True})["id"]
    ingest(store,
           message(1, "+5511912345678", NOW - timedelta(hours=2), "ana today"),
           message(2, "+5511912345678", NOW - timedelta(days=4), "ana four days ago"),
           message(1, "+33612345670", NOW - timedelta(hours=1), "stranger today"),
           message(1, "+49301234567", NOW - timedelta(hours=1), "quiet today"))
    first = sync_once(store, org, now=NOW)
    assert (first.written, first.unmatched, first.skipped_do_not_log) == (1, 1, 1)
    found = outcomes_by_body(store)
    assert found["ana today"][:3] == ("logged", ana, "+5511912345678") and found["ana today"][3] is not None
    assert found["ana today"][4] == NOW
    assert found["stranger today"][:3] == ("unmatched", "", "+33612345670")
    assert found["quiet today"][:2] == ("do_not_log", quiet)
    assert "ana four days ago" not in found  # the 3-day window leaves day 4 alone
    assert sf.query(f"SELECT COUNT() FROM WhatsApp_Chat__c WHERE Contact__c = '{ana}'")["totalSize"] == 1

    # The stranger becomes a Lead, and the quiet Contact agrees to be logged: the next run links both.
    lead = sf.Lead.create({"LastName": "Martin", "Company": "Paris SA", "MobilePhone": "+33 6 12 34 56 70"})["id"]
    sf.Contact.update(quiet, {"WhatsApp_Do_Not_Log__c": False})
    later = NOW + timedelta(minutes=3)
    second = sync_once(store, org, now=later)
    assert (second.written, second.unmatched, second.skipped_do_not_log) == (2, 0, 0)
    found = outcomes_by_body(store)
    assert found["stranger today"][:2] == ("logged", lead) and found["stranger today"][4] == later
    assert found["quiet today"][:2] == ("logged", quiet)
    assert found["ana today"][4] == NOW  # first acknowledged then, not rewritten

    # A backfill of an older window writes day 4, and only it.
    backfill = sync_once(store, org, SyncOptions(window=(NOW - timedelta(days=5), NOW - timedelta(days=3))), now=later)
    assert (backfill.mode, backfill.written, backfill.chat_days) == ("backfill", 1, 1)
    days = [r["Chat_Date__c"] for r in sf.query_all(
        f"SELECT Chat_Date__c FROM WhatsApp_Chat__c WHERE Contact__c = '{ana}' ORDER BY Chat_Date__c")["records"]]
    assert days == [(NOW - timedelta(days=4)).date().isoformat(), NOW.date().isoformat()]


def test_dry_run_writes_nothing(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = new_store(tmp_path)
    person = sf.Contact.create({"LastName": "Dry", "MobilePhone": "+1 415 555 0190"})["id"]
    ingest(store, message(1, "+14155550190", NOW - timedelta(hours=1), "preview me"))
    preview = sync_once(store, org, SyncOptions(dry_run=True), now=NOW)
    assert preview.mode == "dry_run" and preview.written == 0
    assert [(r["Contact__c"], r["Transcript__c"]) for r in preview.would_write] == [(person, "19:00 Customer: preview me")]
    assert sf.query(f"SELECT COUNT() FROM WhatsApp_Chat__c WHERE Contact__c = '{person}'")["totalSize"] == 0
    with store.engine.connect() as connection:
        assert connection.execute(select(chat_day_ledger)).all() == []
        assert ledger.checkpoint(connection, only_account(store)) == 0
    assert sync_once(store, org, now=NOW).written == 1


def test_refused_records_back_off_then_quarantine(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = new_store(tmp_path)
    person = sf.Contact.create({"LastName": "Locked", "MobilePhone": "+1 415 555 0191"})["id"]
    ingest(store, message(1, "+14155550191", NOW - timedelta(hours=1), "always locked"))
    home = org_home("local", deployed_org.folder.parent)
    call_faults_endpoint(home, deployed_org.url, "67.0", "POST", '{"seed": 3, "row_lock_rate": 1.0}')
    try:
        schedule = [NOW, NOW, NOW + timedelta(minutes=1), NOW + timedelta(minutes=3), NOW + timedelta(minutes=12),
                    NOW + timedelta(minutes=33)]
        tried = [sync_once(store, org, now=at).failed for at in schedule]
    finally:
        call_faults_endpoint(home, deployed_org.url, "67.0", "DELETE", None)
    assert tried == [1, 1, 0, 1, 1, 1]  # at once, then after 3 and 9 more minutes...; the 1-minute run waits
    with store.engine.connect() as connection:
        row = connection.execute(select(chat_day_ledger)).one()
    assert (row.error_code, row.attempts) == ("UNABLE_TO_LOCK_ROW", ledger.MAX_ATTEMPTS)
    assert outcomes_by_body(store)["always locked"][:2] == ("quarantined", person)
    assert sync_once(store, org, now=NOW + timedelta(days=1)).chat_days == 0  # quarantined: not retried

    ingest(store, message(2, "+14155550191", NOW - timedelta(minutes=30), "new content frees it"))
    assert sync_once(store, org, now=NOW + timedelta(hours=1)).written == 1
    assert outcomes_by_body(store)["always locked"][:2] == ("logged", person)


def test_api_budget_stops_the_run_cleanly(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = new_store(tmp_path)
    people = create(org, "Contact", [{"LastName": f"Budget {n}", "MobilePhone": f"+1 415 555 {2000 + n}"}
                                    for n in range(250)])
    assert all(o.ok for o in people)
    ingest(store, *[message(1, f"+1415555{2000 + n}", NOW - timedelta(hours=1), f"hello {n}") for n in range(250)])
    limit = sf.limits()["DailyApiRequests"]["Max"]
    stopped = sync_once(store, replace(org, api_share=3 / limit), now=NOW)  # two directory reads and one batch
    assert stopped.stop_reason and "its share" in stopped.stop_reason and stopped.api_calls == 3
    assert (stopped.written, stopped.api_limit) == (200, limit)
    with store.engine.connect() as connection:
        run = connection.execute(select(sync_runs).where(sync_runs.c.id == stopped.run_id)).one()
        assert (run.status, run.api_calls, run.chat_days_written) == ("stopped", 3, 200)
        assert ledger.checkpoint(connection, only_account(store)) == 0
    resumed = sync_once(store, org, now=NOW)
    assert (resumed.written, resumed.unchanged, resumed.stop_reason) == (50, 200, None)


def test_one_run_at_a_time(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    store = new_store(tmp_path)
    with held(store.engine, lock_name(BUSINESS)):
        with pytest.raises(LockHeld, match=f"lock 'sync:\\{BUSINESS}' is held"):
            sync_once(store, org, now=NOW)
    with store.engine.connect() as connection:
        assert connection.execute(select(sync_runs)).all() == []
    assert sync_once(store, org, now=NOW).chat_days == 0


def test_an_oversized_transcript_goes_whole_into_a_file(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = new_store(tmp_path)
    person = sf.Contact.create({"LastName": "Talkative", "MobilePhone": "+1 415 555 0192"})["id"]
    long_day = [message(n, "+14155550192", NOW - timedelta(hours=3) + timedelta(minutes=n), f"{n:03d} " + "x" * 4000)
                for n in range(40)]
    ingest(store, *long_day)
    assert sync_once(store, org, now=NOW).files_written == 1
    record = sf.query(f"SELECT Id, Name, Transcript__c FROM WhatsApp_Chat__c WHERE Contact__c = '{person}'")["records"][0]
    assert record["Transcript__c"].startswith("This day's transcript is ")
    assert f'"{record["Name"]}.txt" under Files' in record["Transcript__c"]
    versions = sf.query_all(f"SELECT Title, Checksum, ContentSize FROM ContentVersion "
                            f"WHERE FirstPublishLocationId = '{record['Id']}'")["records"]
    expected = "\n".join(f"17:{n:02d} Customer: {n:03d} " + "x" * 4000 for n in range(40))
    assert len(expected) > TRANSCRIPT_LIMIT
    assert [(v["Title"], v["Checksum"]) for v in versions] == [
        (f"{record['Name']}.txt", hashlib.md5(expected.encode()).hexdigest())]


def group_message(n: int, group: str, sender: str, at: datetime, body: str) -> Message:
    return Message(source=Source.CHAT_EXPORT, source_id=f"{group}.{n}", account_number=BUSINESS, chat_id=group,
                   is_group=True, direction=Direction.INBOUND, type=MessageType.TEXT, sent_at=at, body=body,
                   sender=sender, sender_name=sender, chat_name="Project group")


def test_group_chat_outcomes(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = new_store(tmp_path)
    member = sf.Contact.create({"LastName": "Member", "MobilePhone": "+1 415 555 0193"})["id"]
    group = "120363000000000001@g.us"
    ingest(store, group_message(1, group, "+14155550193", NOW - timedelta(hours=2), "member speaks"),
           group_message(2, group, "+14155550999", NOW - timedelta(hours=1), "guest speaks"))
    assert sync_once(store, org, now=NOW).written == 1
    found = outcomes_by_body(store)
    assert found["member speaks"][:3] == ("logged", member, "+14155550193")
    assert found["guest speaks"][:3] == ("logged", member, "+14155550999")  # on the member's record of the day


def run_cci(deployed_org: RunningOrg, tmp_path: Path, *args: str) -> str:
    import subprocess

    from repo_paths import REPO, VENV_BIN
    from webhook_process import org_environment

    result = subprocess.run([str(VENV_BIN / "cci"), "task", "run", *args, "--org", "local"], cwd=REPO,
                            env=org_environment(deployed_org, tmp_path / "home"), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_cci_tasks_refresh_dry_run_and_backfill(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(store_url)
    store.register_account(BUSINESS, time_zone="UTC")
    person = sf.Contact.create({"LastName": "Backfilled", "MobilePhone": "+1 415 555 0194"})["id"]
    today = datetime.now(timezone.utc).replace(hour=9, minute=0, second=0, microsecond=0)
    ingest(store, message(1, "+14155550194", today - timedelta(days=6), "six days ago"),
           message(2, "+14155550194", today - timedelta(days=10), "ten days ago"))

    assert "Contacts and Leads read" in run_cci(deployed_org, tmp_path, "refresh_whatsapp_directory",
                                                 "-o", "store_url", store_url)
    preview = run_cci(deployed_org, tmp_path, "backfill_whatsapp", "-o", "store_url", store_url, "-o", "days", "7",
                      "-o", "dry_run", "True")
    assert "Dry run: 1 WhatsApp_Chat__c records would be written" in preview and "Backfilled" in preview
    assert sf.query(f"SELECT COUNT() FROM WhatsApp_Chat__c WHERE Contact__c = '{person}'")["totalSize"] == 0
    start = (today - timedelta(days=10)).date().isoformat()
    written = run_cci(deployed_org, tmp_path, "backfill_whatsapp", "-o", "store_url", store_url, "-o", "start", start)
    assert "2 written" in written
    assert sf.query(f"SELECT COUNT() FROM WhatsApp_Chat__c WHERE Contact__c = '{person}'")["totalSize"] == 2


def test_past_the_threshold_records_go_through_bulk_api(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = new_store(tmp_path)
    people = create(org, "Contact", [{"LastName": f"Bulk {n}", "MobilePhone": f"+1 415 555 {4000 + n}"} for n in range(12)])
    ingest(store, *[message(1, f"+1415555{4000 + n}", NOW - timedelta(hours=1), f"bulk {n}, \"quoted\"\nline two")
                    for n in range(11)])
    ingest(store, *[message(n + 2, "+14155554011", NOW - timedelta(hours=2), "y" * 16_500) for n in range(2)])
    jobs_before = {job["id"] for job in sf.restful("jobs/ingest")["records"]}
    report = sync_once(store, org, SyncOptions(bulk_threshold=5), now=NOW)
    assert (report.written, report.failed) == (12, 0)
    jobs = [job for job in sf.restful("jobs/ingest")["records"] if job["id"] not in jobs_before]
    assert [(job["object"], job["operation"], job["state"]) for job in jobs] == [("WhatsApp_Chat__c", "upsert", "JobComplete")]
    ids = "','".join(o.record_id for o in people)
    written = {r["Contact__c"]: r["Transcript__c"] for r in sf.query_all(
        f"SELECT Contact__c, Transcript__c FROM WhatsApp_Chat__c WHERE Contact__c IN ('{ids}')")["records"]}
    assert written[people[3].record_id] == '19:00 Customer: bulk 3, "quoted"\n      line two'
    assert len(written[people[11].record_id]) > 32_000  # too long for Bulk API: sent through Collections


def test_a_message_committed_late_or_edited_is_written_by_the_next_run(deployed_org: RunningOrg, tmp_path: Path) -> None:
    from dataclasses import replace as changed

    org = deployed_org.org_client()

    sf = org.sf
    store = new_store(tmp_path)
    person = sf.Contact.create({"LastName": "Latecomer", "MobilePhone": "+1 415 555 0196"})["id"]
    first = message(1, "+14155550196", NOW - timedelta(hours=3), "first")
    ingest(store, first)
    ingest(store, message(2, "+14155550196", NOW - timedelta(hours=2), "late"),
           message(3, "+14155550196", NOW - timedelta(hours=1), "third"))
    with store.engine.begin() as connection:  # "late" is still in another receiver's open transaction
        late = connection.execute(select(messages).where(messages.c.body == "late")).mappings().one()
        connection.execute(messages.delete().where(messages.c.id == late["id"]))
    sync_once(store, org, now=NOW)
    with store.engine.begin() as connection:  # ...which commits now, below the checkpoint
        connection.execute(messages.insert().values(**late))
        assert ledger.checkpoint(connection, only_account(store)) > late["id"]
    assert sync_once(store, org, now=NOW).written == 1
    transcript = sf.query(f"SELECT Transcript__c FROM WhatsApp_Chat__c WHERE Contact__c = '{person}'")["records"][0]
    assert transcript["Transcript__c"].splitlines() == ["17:00 Customer: first", "18:00 Customer: late",
                                                        "19:00 Customer: third"]

    ingest(store, changed(first, body="first, corrected", edited=True))
    assert sync_once(store, org, now=NOW).written == 1
    transcript = sf.query(f"SELECT Transcript__c FROM WhatsApp_Chat__c WHERE Contact__c = '{person}'")["records"][0]
    assert transcript["Transcript__c"].splitlines()[0] == "17:00 Customer: first, corrected (edited)"
