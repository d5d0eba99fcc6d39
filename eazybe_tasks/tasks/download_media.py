"""`cci task run download_media`: fetch the media announced by webhooks into the blob store."""
from __future__ import annotations

import os

from cumulusci.core.exceptions import TaskOptionsError

from eazybe_tasks.sources.cloud_api.media import DEFAULT_GRAPH_URL, GraphMediaClient
from eazybe_tasks.tasks.store_task import StoreTask
from eazybe_tasks.webhook.media_downloads import download_pending_media

TOKEN_VARIABLE = "EAZYBE_WHATSAPP_TOKEN"
GRAPH_URL_VARIABLE = "EAZYBE_GRAPH_API_URL"


class DownloadMedia(StoreTask):
    task_docs = f"Downloads pending webhook media with the access token in ${TOKEN_VARIABLE}."
    task_options = {
        "limit": {"description": "Most files to fetch in this run (default 100)."},
        **StoreTask.task_options,
    }

    def _run_task(self) -> None:
        token = os.environ.get(TOKEN_VARIABLE)
        if not token:
            raise TaskOptionsError(f"set {TOKEN_VARIABLE} to a WhatsApp Cloud API access token")
        client = GraphMediaClient(token, os.environ.get(GRAPH_URL_VARIABLE) or DEFAULT_GRAPH_URL)
        report = download_pending_media(self._open_store(), client, int(self.options.get("limit") or 100))
        self.logger.info(f"{report.downloaded} files downloaded, {report.failed} failed (retried next run)")
        self.return_values = {"downloaded": report.downloaded, "failed": report.failed}
