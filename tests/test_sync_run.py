"""A sync run end to end against a real local deployed_org: chat-day records for linked Contacts and Leads,
nothing for do-not-log people, nothing rewritten when nothing changed, only the touched chat-day
rewritten when a message arrives, and a run stopped by server errors repaired by the next."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from simple_salesforce.exceptions import SalesforceGeneralError
from sqlalchemy import select

from eazybe_local_org.org_home import org_home
from eazybe_local_org.web.admin import call_faults_endpoint
from eazybe_tasks.sources.model import Direction, Message, MessageType, Source
from eazybe_tasks.store.ingest import Batch
from eazybe_tasks.store.schema import sync_runs
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.sync.run import sync_once
from local_org_fixture import RunningOrg

BUSINESS = "+14155550100"
NOW = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)


def message(n: int, chat: str, at: datetime, body: str, direction: Direction = Direction.INBOUND) -> Message:
    return Message(
        source=Source.CLOUD_API, source_id=f"wamid.{chat}.{n}", account_number=BUSINESS, chat_id=chat,
        is_group=False, direction=direction, type=MessageType.TEXT, sent_at=at, body=body,
        sender=chat if direction is Direction.INBOUND else BUSINESS, sender_name="Customer",
    )


def ingest(store: Store, *items: Message) -> None:
    store.ingest(Batch(source=Source.CLOUD_API, origin="test", raw_sha256=items[0].source_id.ljust(64, "0")[:64],
                       messages=items))


def chats(sf, where: str = "") -> list[dict]:  # type: ignore[no-untyped-def]
    return sf.query_all(f"SELECT Chat_Key__c, Contact__c, Lead__c, Message_Count__c, Transcript__c, Chat_Date__c "
                        f"FROM WhatsApp_Chat__c {where} ORDER BY Chat_Key__c")["records"]


def test_sync_runs(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, label="Sales US", time_zone="America/Los_Angeles")
    jane = sf.Contact.create({"LastName": "Doe", "FirstName": "Jane", "MobilePhone": "(415) 555-0134"})["id"]
    lead = sf.Lead.create({"LastName": "Lee", "Company": "Acme", "Phone": "+44 7700 900123"})["id"]
    sf.Contact.create({"LastName": "Quiet", "Phone": "+49 151 23456789", "WhatsApp_Do_Not_Log__c": True})

    # 2026-11-24 evening in Los Angeles is already the 25th in UTC: one chat-day, the 24th.
    ingest(store,
           message(1, "+14155550134", datetime(2026, 11, 25, 3, 30, tzinfo=timezone.utc), "Hi, it's Jane"),
           message(2, "+14155550134", datetime(2026, 11, 25, 3, 35, tzinfo=timezone.utc), "Hello Jane", Direction.OUTBOUND),
           message(3, "+14155550134", datetime(2026, 11, 25, 18, 0, tzinfo=timezone.utc), "Next day"),
           message(1, "+447700900123", datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc), "Lead here"),
           message(1, "+4915123456789", datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc), "Please don't log"),
           message(1, "+33612345678", datetime(2026, 11, 25, 17, 0, tzinfo=timezone.utc), "Unknown"),
           message(9, "+14155550134", NOW - timedelta(days=10), "Too old for the 3-day window"))
    first = sync_once(store, org, now=NOW)
    assert (first.written, first.failed, first.skipped_do_not_log, first.unmatched) == (3, 0, 1, 1)
    records = chats(sf)
    jane_days = [r for r in records if r["Contact__c"] == jane]
    assert [(r["Chat_Date__c"], r["Message_Count__c"]) for r in jane_days] == [("2026-11-24", 2), ("2026-11-25", 1)]
    assert jane_days[0]["Transcript__c"] == "19:30 Customer: Hi, it's Jane\n19:35 Sales US: Hello Jane"
    assert [r["Lead__c"] for r in records if r["Lead__c"]] == [lead]
    stamped = sf.Contact.get(jane)
    assert stamped["WhatsApp_Last_Synced__c"] == "2026-11-25T20:00:00.000+0000"
    assert stamped["WhatsApp_Last_Message_At__c"] == "2026-11-25T18:00:00.000+0000"
    assert sf.Lead.get(lead)["WhatsApp_Last_Synced__c"] == "2026-11-25T20:00:00.000+0000"
    assert store.summary().accounts[0].last_synced_at == NOW

    notes = sf.query_all(f"SELECT Id, Title, Body FROM Note WHERE ParentId = '{jane}' ORDER BY Title")["records"]
    assert [n["Title"] for n in notes] == ["WhatsApp · Jane Doe · 2026-11-24", "WhatsApp · Jane Doe · 2026-11-25"]
    assert notes[0]["Body"] == jane_days[0]["Transcript__c"]
    assert sf.query(f"SELECT COUNT() FROM Note WHERE ParentId = '{lead}'")["totalSize"] == 0  # Contacts only

    assert sync_once(store, org, now=NOW).written == 0  # nothing changed

    ingest(store, message(4, "+14155550134", datetime(2026, 11, 25, 19, 0, tzinfo=timezone.utc), "One more"))
    third = sync_once(store, org, now=NOW)
    assert (third.written, third.unchanged) == (1, 0)
    assert [r["Message_Count__c"] for r in chats(sf, f"WHERE Contact__c = '{jane}'")] == [2, 2]
    updated = sf.query_all(f"SELECT Id, Body FROM Note WHERE ParentId = '{jane}' ORDER BY Title")["records"]
    assert [n["Id"] for n in updated] == [n["Id"] for n in notes] and updated[1]["Body"].endswith("One more")

    ingest(store, message(5, "+14155550134", datetime(2026, 11, 25, 19, 30, tzinfo=timezone.utc), "During an outage"))
    home = org_home("local", deployed_org.folder.parent)
    call_faults_endpoint(home, deployed_org.url, "67.0", "POST", '{"seed": 1, "server_error_rate": 1.0}')
    with pytest.raises(SalesforceGeneralError):  # every retry answered 500/503: the run stops
        sync_once(store, org, now=NOW)
    call_faults_endpoint(home, deployed_org.url, "67.0", "DELETE", None)
    repaired = sync_once(store, org, now=NOW)
    assert repaired.written == 1
    assert [r["Message_Count__c"] for r in chats(sf, f"WHERE Contact__c = '{jane}'")] == [2, 3]
    with store.engine.connect() as connection:
        statuses = [row.status for row in connection.execute(select(sync_runs).order_by(sync_runs.c.id))]
    assert statuses == ["succeeded", "succeeded", "succeeded", "failed", "succeeded"]


def test_cci_task_sync_whatsapp(deployed_org: RunningOrg, tmp_path: Path) -> None:
    """The real entry point: `cci task run sync_whatsapp --org local`."""
    import subprocess

    from repo_paths import REPO, VENV_BIN
    from webhook_process import org_environment

    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(store_url)
    org = deployed_org.org_client()
    sf = org.sf
    sf.Contact.create({"LastName": "Cci", "MobilePhone": "+1 415 555 0177"})
    ingest(store, message(1, "+14155550177", datetime.now(timezone.utc) - timedelta(hours=1), "via cci"))
    env = org_environment(deployed_org, tmp_path / "home")
    result = subprocess.run([str(VENV_BIN / "cci"), "task", "run", "sync_whatsapp", "--org", "local",
                             "-o", "store_url", store_url], cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 written" in result.stdout
    assert [r["Transcript__c"].split(": ", 1)[1] for r in chats(sf, "WHERE Chat_Key__c LIKE '%+14155550177%'")] == ["via cci"]
