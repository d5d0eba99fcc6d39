"""Attachments as Files on chat-day records: uploaded once, linked to every record that shows
them, and neither lost nor doubled when an answer is lost."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import update

from eazybe_tasks.sources.model import AttachmentRef, MessageType
from eazybe_tasks.store.schema import file_ledger
from eazybe_tasks.store.store import open_store
from eazybe_tasks.sync.run import sync_once
from local_org_fixture import RunningOrg
from test_sync_run import BUSINESS, ingest, message

NOW = datetime(2026, 11, 25, 20, 0, tzinfo=timezone.utc)
PHOTO = b"\\x89PNG fake image bytes for the test"


def picture(n: int, chat: str, at: datetime, data: bytes, name: str):  # type: ignore[no-untyped-def]
    base = message(n, chat, at, "")
    return base.__class__(**{**base.__dict__, "type": MessageType.IMAGE,
                             "attachments": (AttachmentRef(file_name=name, mime_type="image/png", content=data),)})


def test_files_once_then_linked(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, time_zone="UTC")
    maria = sf.Contact.create({"LastName": "González", "FirstName": "María", "MobilePhone": "+34 612 34 56 78"})["id"]
    carlos = sf.Contact.create({"LastName": "González", "FirstName": "Carlos", "MobilePhone": "+34612345678"})["id"]
    day = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    chat = "+34612345678"
    ingest(store, picture(1, chat, day, PHOTO, "photo.png"), picture(2, chat, day + timedelta(minutes=1), PHOTO, "again.png"))
    report = sync_once(store, org, now=NOW)
    assert report.written == 2 and report.files_written == 2  # one upload, one link

    versions = sf.query_all("SELECT Id, ContentDocumentId, Checksum FROM ContentVersion")["records"]
    assert len(versions) == 1
    records = {r["Contact__c"]: r["Id"] for r in sf.query_all("SELECT Id, Contact__c FROM WhatsApp_Chat__c")["records"]}
    linked = {r["LinkedEntityId"] for r in sf.query_all(
        f"SELECT LinkedEntityId FROM ContentDocumentLink WHERE ContentDocumentId = '{versions[0]['ContentDocumentId']}'"
    )["records"]}
    assert linked == {records[maria], records[carlos]}

    # The answers were lost: the ledger only knows it sent them.
    with store.engine.begin() as connection:
        connection.execute(update(file_ledger).values(content_version_id=None, content_document_id=None, intent_at=NOW))
    ingest(store, message(3, chat, day + timedelta(minutes=2), "did you get it?"))
    sync_once(store, org, now=NOW)
    assert len(sf.query_all("SELECT Id FROM ContentVersion")["records"]) == 1
    assert len(sf.query_all("SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId IN "
                            f"('{records[maria]}', '{records[carlos]}')")["records"]) == 2


def test_a_file_too_large_for_json_goes_as_multipart(deployed_org: RunningOrg, tmp_path: Path) -> None:
    import hashlib

    from eazybe_tasks.salesforce.file_upload import MAX_JSON_FILE_BYTES

    org = deployed_org.org_client()

    sf = org.sf
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, time_zone="UTC")
    sf.Contact.create({"LastName": "Video", "MobilePhone": "+1 415 555 0177"})
    video = bytes(range(256)) * (MAX_JSON_FILE_BYTES // 256 + 4096)  # past what base64 in JSON may carry
    ingest(store, picture(1, "+14155550177", datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc), video, "visit.mp4"))
    sent: list[str] = []
    sf.session.hooks["response"].append(lambda answer, *_, **__: sent.append(answer.request.headers.get("Content-Type", "")))
    assert sync_once(store, org, now=NOW).files_written == 1
    assert sum(kind.startswith("multipart/form-data") for kind in sent) == 1
    version = sf.query("SELECT Title, Checksum, ContentSize FROM ContentVersion WHERE Title = 'visit.mp4'")["records"][0]
    assert (version["Checksum"], version["ContentSize"]) == (hashlib.md5(video).hexdigest(), len(video))


def test_a_run_stopped_among_its_files_reports_what_it_wrote(deployed_org: RunningOrg, tmp_path: Path) -> None:
    """The API budget runs out during the uploads: the run stops, and its report and sync_runs row
    count the Notes and the File Salesforce acknowledged before it did."""
    from sqlalchemy import select

    from eazybe_tasks.store.schema import sync_runs

    org = deployed_org.org_client()

    sf = org.sf
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, time_zone="UTC")
    day = datetime(2026, 11, 25, 9, 0, tzinfo=timezone.utc)
    people = []
    for n in range(3):
        people.append(sf.Contact.create({"LastName": f"Budget {n}", "MobilePhone": f"+1 415 555 03{n}0"})["id"])
        ingest(store, picture(n, f"+141555503{n}0", day, PHOTO + bytes([n]), f"budget-{n}.png"))
    notes = f"SELECT Id FROM Note WHERE ParentId IN ({', '.join(repr(p) for p in people)})"
    versions = "SELECT Id FROM ContentVersion WHERE Title LIKE 'budget-%'"
    limit = sf.limits()["DailyApiRequests"]["Max"]
    # 2 directory reads, 1 records upsert, 1 Notes create, 2 calls per upload: the 2nd upload is refused
    report = sync_once(store, replace(org, api_share=6.5 / limit), now=NOW)
    assert report.stop_reason and "its share (" in report.stop_reason and "(0%)" not in report.stop_reason
    shown = float(report.stop_reason.split("its share (")[1].split("%")[0])
    assert abs(shown - 650 / limit) / (650 / limit) < 0.01, report.stop_reason  # not rounded away
    in_org = (len(sf.query_all(notes)["records"]), len(sf.query_all(versions)["records"]))
    assert in_org == (3, 1)
    assert (report.notes_written, report.files_written) == in_org
    with store.engine.connect() as connection:
        run = connection.execute(select(sync_runs).where(sync_runs.c.id == report.run_id)).one()
    assert (run.status, run.notes_written, run.files_written) == ("stopped", 3, 1)
    resumed = sync_once(store, org, now=NOW)
    assert (resumed.stop_reason, resumed.files_written) == (None, 2)
    assert (len(sf.query_all(notes)["records"]), len(sf.query_all(versions)["records"])) == (3, 3)
