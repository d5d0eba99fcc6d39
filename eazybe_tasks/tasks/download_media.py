"""`cci task run download_media`: fetch the media announced by webhooks into the blob store."""
from __future__ import annotations

from eazybe_tasks.sources.cloud_api.media import GraphMediaClient
from eazybe_tasks.tasks.graph_api import TOKEN_VARIABLE, graph_token, graph_url
from eazybe_tasks.tasks.options import StoreTask, number
from eazybe_tasks.imports.media_downloads import download_pending_media


class DownloadMedia(StoreTask):
    task_docs = f"Downloads pending webhook media with the access token in ${TOKEN_VARIABLE}."
    task_options = {
        "limit": {"description": "Most files to fetch in this run (default 100)."},
        **StoreTask.task_options,
    }

    def _run_task(self) -> None:
        client = GraphMediaClient(graph_token(), graph_url())
        report = download_pending_media(self._open_store(), client, number(self.options, "limit", int, 100))
        self.logger.info(f"{report.downloaded} files downloaded, {report.failed} failed (retried next run)")
        self.return_values = {"downloaded": report.downloaded, "failed": report.failed}
