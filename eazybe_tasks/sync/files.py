"""Attachments as Files on the chat-day records: each file's bytes uploaded once (a ContentVersion
whose FirstPublishLocationId is the first record that shows it) and linked to every other record
that shows it (ContentDocumentLink), so the same bytes are never uploaded twice.

Uploads and links are recorded as intents before they are sent; a run that finds an unconfirmed
intent looks in the org first (the ContentVersion by its MD5 Checksum on that record, or the
link), so a lost answer neither loses nor doubles a file."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from simple_salesforce.exceptions import SalesforceError, SalesforceExpiredSession
from sqlalchemy import select, update
from sqlalchemy.engine import Connection, Engine

from eazybe_tasks.chat_days.planning import PlannedRecord
from eazybe_tasks.salesforce.collections_writer import create
from eazybe_tasks.salesforce.file_upload import upload_file
from eazybe_tasks.salesforce.org_client import OrgClient
from eazybe_tasks.store.blobs import BlobStore
from eazybe_tasks.store.schema import file_ledger
from eazybe_tasks.store.store import Store
from eazybe_tasks.sync.tally import Tally


@dataclass(frozen=True)
class WantedFile:
    chat_key: str
    sha256: str
    record_id: str
    file_name: str


def _set(connection: Connection, wanted: WantedFile, **values: object) -> None:
    where = (file_ledger.c.chat_key == wanted.chat_key) & (file_ledger.c.sha256 == wanted.sha256)
    if connection.execute(update(file_ledger).where(where).values(**values)).rowcount == 0:
        connection.execute(file_ledger.insert().values(
            chat_key=wanted.chat_key, sha256=wanted.sha256, record_id=wanted.record_id,
            file_name=wanted.file_name, **values))


def _reconcile(engine: Engine, blobs: BlobStore, org: OrgClient) -> None:
    """Unconfirmed intents: an upload is looked for by its checksum on the record, a link by the
    document and the record."""
    with engine.connect() as connection:
        pending = connection.execute(
            select(file_ledger).where(file_ledger.c.intent_at.is_not(None), file_ledger.c.content_version_id.is_(None),
                                      file_ledger.c.content_document_id.is_(None))
        ).all()
        documents = dict(connection.execute(
            select(file_ledger.c.sha256, file_ledger.c.content_document_id)
            .where(file_ledger.c.content_document_id.is_not(None))
        ).all())
    confirmed: dict[tuple[str, str], dict[str, str]] = {}
    for row in pending:  # uploads first: they tell which document the links point to
        if row.sha256 in documents:
            continue
        md5 = hashlib.md5(blobs.get(row.sha256)).hexdigest()
        query = (f"SELECT Id, ContentDocumentId FROM ContentVersion WHERE FirstPublishLocationId = '{row.record_id}' "
                 f"AND Checksum = '{md5}'")
        for version in org.query_all(query)["records"]:
            confirmed[(row.chat_key, row.sha256)] = {
                "content_version_id": version["Id"], "content_document_id": version["ContentDocumentId"]}
            documents[row.sha256] = version["ContentDocumentId"]
    for row in pending:
        if (row.chat_key, row.sha256) in confirmed or row.sha256 not in documents:
            continue
        query = (f"SELECT Id FROM ContentDocumentLink WHERE LinkedEntityId = '{row.record_id}' "
                 f"AND ContentDocumentId = '{documents[row.sha256]}'")
        if org.query_all(query)["records"]:
            confirmed[(row.chat_key, row.sha256)] = {"content_document_id": documents[row.sha256]}
    with engine.begin() as connection:
        for row in pending:
            values = confirmed.get((row.chat_key, row.sha256)) or {"intent_at": None}
            connection.execute(update(file_ledger).where(
                (file_ledger.c.chat_key == row.chat_key) & (file_ledger.c.sha256 == row.sha256)).values(**values))


def _upload(org: OrgClient, item: WantedFile, content: bytes) -> tuple[str, str]:
    """(ContentDocumentId, ContentVersion Id) of the new file. Sent once: a lost answer is
    settled by `_reconcile`."""
    version_id = upload_file(org, {"Title": item.file_name, "PathOnClient": item.file_name,
                                   "FirstPublishLocationId": item.record_id}, content)
    return org.call(lambda: org.sf.ContentVersion.get(version_id))["ContentDocumentId"], version_id


def write_files(store: Store, org: OrgClient, written: list[tuple[PlannedRecord, str]], now: datetime,
                tally: Tally) -> None:
    """Files for the chat-day records Salesforce has (`written`: planned record, record id);
    counts in `tally` the uploads and links acknowledged (each upload as soon as it is, so a run
    stopped halfway reports what it did write) and, per chat-day, what was refused."""
    engine, blobs = store.engine, store.blobs
    _reconcile(engine, blobs, org)
    wanted = [WantedFile(p.key.external_id(), sha, record_id, name) for p, record_id in written for sha, name in p.files]
    if not wanted:
        return
    with engine.connect() as connection:
        rows = connection.execute(select(file_ledger).where(file_ledger.c.sha256.in_({w.sha256 for w in wanted}))).all()
    done = {(r.chat_key, r.sha256) for r in rows if r.content_version_id or r.content_document_id}
    documents = {r.sha256: r.content_document_id for r in rows if r.content_document_id}
    todo = [w for w in wanted if (w.chat_key, w.sha256) not in done]
    uploaded: set[tuple[str, str]] = set()
    for item in todo:  # uploads first, one per new file; later records of the same bytes get links
        if item.sha256 in documents:
            continue
        with engine.begin() as connection:
            _set(connection, item, intent_at=now)
        try:
            document_id, version_id = _upload(org, item, blobs.get(item.sha256))
        except SalesforceError as refusal:
            if refusal.status >= 500 or isinstance(refusal, SalesforceExpiredSession):
                raise  # the answer is unknown: the intent stays for the next run to settle
            with engine.begin() as connection:
                _set(connection, item, intent_at=None)
            tally.refuse(item.chat_key, f"File: {refusal.status}", str(refusal)[:500])
            continue
        with engine.begin() as connection:
            _set(connection, item, content_version_id=version_id, content_document_id=document_id)
        documents[item.sha256] = document_id
        uploaded.add((item.chat_key, item.sha256))
        tally.acknowledged += 1
    for item in todo:
        if item.sha256 not in documents:  # its upload was refused for another record
            tally.refuse(item.chat_key, "File: not uploaded", f"{item.file_name} could not be uploaded")
    links = [w for w in todo if (w.chat_key, w.sha256) not in uploaded and w.sha256 in documents]
    with engine.begin() as connection:
        for item in links:
            _set(connection, item, intent_at=now)
    outcomes = create(org, "ContentDocumentLink", [
        {"ContentDocumentId": documents[w.sha256], "LinkedEntityId": w.record_id, "ShareType": "V", "Visibility": "AllUsers"}
        for w in links
    ])
    with engine.begin() as connection:
        for item, outcome in zip(links, outcomes):
            if outcome.ok:
                _set(connection, item, content_document_id=documents[item.sha256])
                tally.acknowledged += 1
            else:
                _set(connection, item, intent_at=None)
                tally.refuse(item.chat_key, f"File link: {outcome.error_code}", outcome.error_message)
