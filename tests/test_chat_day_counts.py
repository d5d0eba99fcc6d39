"""What a chat-day record and its Note say, through the real imports (`cci task run import_feed`,
`import_chat_export`) and syncs against the local org: WhatsApp's notices are events, not
messages; only attached files are attachments; a message longer than Salesforce can show is cut
with a marker where it shows (the whole text in the day's File) and a day has one Note; a group
member marked WhatsApp Do Not Log stays out of everyone's transcript."""
from __future__ import annotations

import hashlib
import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from eazybe_tasks.chat_days.record import MESSAGE_LIMIT
from eazybe_tasks.store.store import open_store
from eazybe_tasks.sync.notes import BODY_LIMIT
from eazybe_tasks.sync.run import sync_once
from local_org_fixture import RunningOrg
from repo_paths import VENV_BIN
from tools import run

BUSINESS = "+14155550100"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def cci(*args: str | Path) -> subprocess.CompletedProcess[str]:
    result = run(VENV_BIN / "cci", "task", "run", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def feed_line(n: int, chat: str, direction: str, at: datetime, body: str, **extra: object) -> str:
    line = {"id": f"feed-{chat}-{n}", "account": BUSINESS, "chat": chat, "direction": direction,
            "timestamp": at.isoformat(), "type": extra.pop("type", "text"), "body": body, **extra}
    if direction == "inbound":
        line.setdefault("sender", chat)
    return json.dumps(line)


def records_of(sf, person: str) -> list[dict]:  # type: ignore[no-untyped-def]
    return sf.query_all(
        "SELECT Id, Name, Message_Count__c, Inbound_Count__c, Outbound_Count__c, Attachment_Count__c, "
        f"First_Message_At__c, Last_Message_At__c, Transcript__c FROM WhatsApp_Chat__c WHERE Contact__c = '{person}'"
    )["records"]


def test_a_message_longer_than_salesforce_shows_is_cut_there_and_whole_in_the_file(
        deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    person = sf.Contact.create({"LastName": "Verbose", "MobilePhone": "+1 415 555 0161"})["id"]
    chat, start = "+14155550161", NOW - timedelta(hours=2)
    huge = "".join(f"word{n} " for n in range(60_000))  # about 470,000 characters
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join([feed_line(1, chat, "inbound", start, "Before the long one"),
                               feed_line(2, chat, "inbound", start + timedelta(minutes=1), huge),
                               feed_line(3, chat, "outbound", start + timedelta(minutes=2), "Received, thanks")]) + "\n")
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    cci("register_account", "-o", "number", BUSINESS, "-o", "time_zone", "UTC", "-o", "store_url", store_url)
    cci("import_feed", "-o", "path", feed, "-o", "store_url", store_url)
    report = sync_once(open_store(store_url), org)
    assert (report.written, report.notes_written, report.files_written) == (1, 1, 1)
    (record,) = records_of(sf, person)
    assert f"… [shortened: the message has {len(huge.strip()):,} characters" in record["Transcript__c"]
    assert record["Transcript__c"].endswith("Received, thanks")
    assert len(record["Transcript__c"]) < MESSAGE_LIMIT + 1_000
    (note,) = sf.query_all(f"SELECT Body FROM Note WHERE ParentId = '{person}'")["records"]
    assert len(note["Body"]) <= BODY_LIMIT and note["Body"].endswith("Received, thanks")
    (version,) = sf.query_all(f"SELECT Checksum, ContentSize FROM ContentVersion "
                              f"WHERE FirstPublishLocationId = '{record['Id']}'")["records"]
    whole = "\n".join([f"{start:%H:%M} {chat}: Before the long one",
                       f"{start + timedelta(minutes=1):%H:%M} {chat}: {huge.strip()}",
                       f"{start + timedelta(minutes=2):%H:%M} You: Received, thanks"])
    assert version["Checksum"] == hashlib.md5(whole.encode()).hexdigest()


def test_notices_are_events_and_only_attached_files_are_attachments(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    person = sf.Contact.create({"LastName": "Counted", "MobilePhone": "+1 415 555 0162"})["id"]
    day = (NOW - timedelta(days=1)).strftime("%d/%m/%Y")
    export = tmp_path / "WhatsApp Chat with Counted.txt"
    export.write_text("\n".join([
        f"{day}, 09:00 - Messages and calls are end-to-end encrypted. No one outside of this chat, not even "
        "WhatsApp, can read or listen to them. Tap to learn more.",
        f"{day}, 09:01 - Counted: Hello, here is the plan",
        f"{day}, 09:02 - Counted: <Media omitted>",
        f"{day}, 09:03 - Sales: Thanks, looking at it",
        f"{day}, 09:04 - Counted: Great",
    ]) + "\n", encoding="utf-8")
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    cci("register_account", "-o", "number", BUSINESS, "-o", "time_zone", "UTC", "-o", "store_url", store_url)
    cci("import_chat_export", "-o", "path", export, "-o", "account", BUSINESS, "-o", "me", "Sales",
        "-o", "other_number", "+14155550162", "-o", "date_order", "dmy", "-o", "store_url", store_url)
    sync_once(open_store(store_url), org)
    (record,) = records_of(sf, person)
    assert (record["Message_Count__c"], record["Inbound_Count__c"], record["Outbound_Count__c"]) == (4, 3, 1)
    assert record["Message_Count__c"] == record["Inbound_Count__c"] + record["Outbound_Count__c"]
    assert record["Attachment_Count__c"] == 0
    assert "[media not included in the export]" in record["Transcript__c"]
    assert "end-to-end encrypted" in record["Transcript__c"]
    assert record["First_Message_At__c"].startswith(f"{(NOW - timedelta(days=1)).date().isoformat()}T09:01")


def test_a_group_member_marked_do_not_log_stays_out_of_the_others_transcripts(
        deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    open_member = sf.Contact.create({"LastName": "Open", "MobilePhone": "+1 415 555 0163"})["id"]
    sf.Contact.create({"LastName": "Private", "MobilePhone": "+1 415 555 0164", "WhatsApp_Do_Not_Log__c": True})
    group, start = "120363000000000001@g.us", NOW - timedelta(hours=1)
    feed = tmp_path / "group.jsonl"
    feed.write_text("\n".join([
        feed_line(1, group, "inbound", start, "Hi all", group=True, chat_name="Site visit", sender="+14155550163"),
        feed_line(2, group, "inbound", start + timedelta(minutes=1), "my home address is 12 Elm St", group=True,
                  chat_name="Site visit", sender="+14155550164"),
        feed_line(3, group, "outbound", start + timedelta(minutes=2), "See you there", group=True,
                  chat_name="Site visit"),
    ]) + "\n")
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    cci("register_account", "-o", "number", BUSINESS, "-o", "time_zone", "UTC", "-o", "store_url", store_url)
    cci("import_feed", "-o", "path", feed, "-o", "store_url", store_url)
    report = sync_once(open_store(store_url), org)
    assert report.skipped_do_not_log == 1
    (record,) = records_of(sf, open_member)
    assert "12 Elm St" not in record["Transcript__c"]
    assert "a participant's message was not logged" in record["Transcript__c"]
    (note,) = sf.query_all(f"SELECT Body FROM Note WHERE ParentId = '{open_member}'")["records"]
    assert "12 Elm St" not in note["Body"]
