"""Webhook media fetched through a local fake of the Graph API: stored once, checked against the
declared hash and size, failures recorded and retried, and uploaded as a File by the next sync
even when its chat-day was written before the bytes came."""
from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import select
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from asgi_server import serving
from eazybe_tasks.sources.cloud_api import parse_delivery
from eazybe_tasks.sources.cloud_api.media import GraphMediaClient
from eazybe_tasks.sources.model import Source
from eazybe_tasks.store.ingest import Batch
from eazybe_tasks.store.schema import attachments
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.sync.run import sync_once
from eazybe_tasks.imports.media_downloads import download_pending_media
from local_org_fixture import RunningOrg
from repo_paths import CORPUS_WEBHOOKS

TOKEN = "test-graph-token"
PHOTO = b"\xff\xd8\xff\xe0 a small jpeg"


class FakeGraph:
    """Answers like the Graph API: media metadata, then the bytes behind a signed-looking URL."""

    def __init__(self) -> None:
        self.failures_left: dict[str, int] = {}
        self.base = ""
        self.files: dict[str, bytes] = {}
        self.declared: dict[str, str] = {}

    def app(self) -> Starlette:
        async def media(request: Request) -> Response:
            if request.headers.get("authorization") != f"Bearer {TOKEN}":
                return JSONResponse({"error": {"code": 190}}, status_code=401)
            media_id = request.path_params["media_id"]
            if self.failures_left.get(media_id, 0) > 0:
                self.failures_left[media_id] -= 1
                return JSONResponse({"error": {"code": 2}}, status_code=503)
            if media_id not in self.files:
                return JSONResponse({"error": {"code": 100}}, status_code=404)
            content = self.files[media_id]
            return JSONResponse({
                "id": media_id, "url": f"{self.base}/download/{media_id}?token=short-lived",
                "mime_type": "image/jpeg", "file_size": len(content),
                "sha256": self.declared.get(media_id, hashlib.sha256(content).hexdigest()),
            })

        async def download(request: Request) -> Response:
            if request.headers.get("authorization") != f"Bearer {TOKEN}":
                return Response(status_code=401)
            return Response(self.files[request.path_params["media_id"]], media_type="image/jpeg")

        return Starlette(routes=[Route("/v21.0/{media_id}", media), Route("/download/{media_id}", download)])


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph()
    with serving(fake.app()) as base:
        fake.base = base
        yield fake


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


def _image_delivery(store: Store) -> list[str]:
    """Stores two corpus deliveries carrying media; returns their media ids. (The corpus reuses
    one message id across its cases, so each gets its own here.)"""
    cases = json.loads((CORPUS_WEBHOOKS / "pywa__message.json").read_text())
    media_ids = []
    for name in ("image", "static_sticker"):
        cases[name]["entry"][0]["changes"][0]["value"]["messages"][0]["id"] = f"wamid.{name}"
        raw = json.dumps(cases[name]).encode()
        delivery = parse_delivery(json.loads(raw))
        store.ingest(Batch.of_delivery(Source.CLOUD_API, "test", raw, delivery.messages, delivery.statuses))
        media_ids += [a.media_id for m in delivery.messages for a in m.attachments if a.media_id]
    return media_ids


def client(graph: FakeGraph, **options: object) -> GraphMediaClient:
    return GraphMediaClient(TOKEN, f"{graph.base}/v21.0", **options)  # type: ignore[arg-type]


def rows(store: Store) -> list:
    with store.engine.connect() as connection:
        return connection.execute(select(attachments).order_by(attachments.c.id)).all()


def test_media_is_downloaded_once_into_the_blob_store(graph: FakeGraph, store: Store) -> None:
    ids = _image_delivery(store)
    assert len(ids) == 2
    for media_id in ids:
        graph.files[media_id] = PHOTO  # the same picture twice
    graph.failures_left[ids[0]] = 2  # retried within one fetch
    report = download_pending_media(store, client(graph))
    assert (report.downloaded, report.failed) == (2, 0)
    assert {(r.sha256, r.size) for r in rows(store)} == {(hashlib.sha256(PHOTO).hexdigest(), len(PHOTO))}
    assert [p.read_bytes() for p in store.blobs.root.rglob("*") if p.is_file()] == [PHOTO]
    assert download_pending_media(store, client(graph)).downloaded == 0


def test_base64_declared_hash_is_checked(graph: FakeGraph, store: Store) -> None:
    media_id = _image_delivery(store)[0]
    graph.files[media_id] = PHOTO
    graph.declared[media_id] = base64.b64encode(hashlib.sha256(b"other bytes").digest()).decode()
    download_pending_media(store, client(graph))
    failed = [r for r in rows(store) if r.media_id == media_id][0]
    assert "do not match the declared SHA-256" in failed.download_error
    assert failed.size is None and failed.download_attempts == 1


def test_size_limit_and_missing_media_are_recorded_and_retried(graph: FakeGraph, store: Store) -> None:
    big, missing = _image_delivery(store)
    graph.files[big] = PHOTO * 100
    report = download_pending_media(store, client(graph, max_bytes=len(PHOTO)))
    assert (report.downloaded, report.failed) == (0, 2)
    errors = {r.media_id: r.download_error for r in rows(store)}
    assert "over the" in errors[big] and "HTTP 404" in errors[missing]
    graph.files[missing] = PHOTO
    assert download_pending_media(store, client(graph)).downloaded == 2


def test_a_file_downloaded_after_its_day_was_written_reaches_the_record(
        graph: FakeGraph, store: Store, deployed_org: RunningOrg) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    person = sf.Contact.create({"LastName": "Later", "MobilePhone": "+972 98 765 4321"})["id"]
    case = json.loads((CORPUS_WEBHOOKS / "pywa__message.json").read_text())["image"]
    message = case["entry"][0]["changes"][0]["value"]["messages"][0]
    message.update(id="wamid.late", timestamp=str(int(time.time()) - 60))
    raw = json.dumps(case).encode()
    delivery = parse_delivery(json.loads(raw))
    store.ingest(Batch.of_delivery(Source.CLOUD_API, "test", raw, delivery.messages, delivery.statuses))
    first = sync_once(store, org)
    assert (first.written, first.files_written) == (1, 0)  # the bytes have not come yet
    graph.files[delivery.messages[0].attachments[0].media_id] = PHOTO
    assert download_pending_media(store, client(graph)).downloaded == 1
    second = sync_once(store, org)
    assert second.files_written == 1
    (record,) = sf.query(f"SELECT Id FROM WhatsApp_Chat__c WHERE Contact__c = '{person}'")["records"]
    versions = sf.query(f"SELECT Checksum FROM ContentVersion WHERE FirstPublishLocationId = '{record['Id']}'")
    assert [v["Checksum"] for v in versions["records"]] == [hashlib.md5(PHOTO).hexdigest()]
