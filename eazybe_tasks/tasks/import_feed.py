"""`cci task run import_feed`: a JSONL feed file (docs/feed.md) into the store."""
from __future__ import annotations

from pathlib import Path

from eazybe_tasks.imports.feed_import import import_feed
from eazybe_tasks.tasks.options import StoreTask


class ImportFeed(StoreTask):
    task_docs = "Imports a JSONL feed; a bad line stores nothing and names its line and field."
    task_options = {
        "path": {"description": "The .jsonl file.", "required": True},
        **StoreTask.task_options,
    }

    def _run_task(self) -> None:
        path = Path(self.options["path"])
        with self._bad_input_fails():
            result = import_feed(self._open_store(), path)
        self.logger.info(f"{path}: {result.describe()}")
        self.return_values = {"seen": result.messages_seen, "added": result.messages_added,
                              "notices": result.notices_seen}
