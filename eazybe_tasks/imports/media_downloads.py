"""Working the media queue: every attachment a webhook announced gets its bytes into the blob
store, once; each failure is recorded on the attachment and retried on the next pass."""
from __future__ import annotations

from dataclasses import dataclass

from eazybe_tasks.sources.cloud_api.media import GraphMediaClient, MediaDownloadError
from eazybe_tasks.store.media_queue import pending_media, record_download, record_failure
from eazybe_tasks.store.store import Store


@dataclass(frozen=True)
class DownloadReport:
    downloaded: int
    failed: int


def download_pending_media(store: Store, client: GraphMediaClient, limit: int = 100) -> DownloadReport:
    downloaded = failed = 0
    for item in pending_media(store.engine, limit):
        try:
            media = client.fetch(item.media_id)
        except MediaDownloadError as error:
            record_failure(store.engine, item.attachment_id, str(error))
            failed += 1
            continue
        store.blobs.put(media.content)
        record_download(store.engine, item.attachment_id, media.sha256, len(media.content), media.mime_type)
        downloaded += 1
    return DownloadReport(downloaded, failed)
