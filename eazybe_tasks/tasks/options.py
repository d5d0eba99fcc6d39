"""What every store-using task shares: the `store_url` option, and bad input turned into a
CumulusCI failure that names the file and line instead of a traceback."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from cumulusci.core.exceptions import CumulusCIFailure
from cumulusci.core.tasks import BaseTask

from eazybe_tasks.sources.model import SourceError
from eazybe_tasks.store.store import URL_VARIABLE, Store, open_store


class StoreTask(BaseTask):
    task_options = {
        "store_url": {
            "description": f"SQLAlchemy URL of the store. Defaults to ${URL_VARIABLE}, else "
            "sqlite:///.eazybe/store.db"
        },
    }

    def _open_store(self) -> Store:
        return open_store(self.options.get("store_url"))

    @contextmanager
    def _bad_input_fails(self) -> Iterator[None]:
        try:
            yield
        except SourceError as error:
            raise CumulusCIFailure(f"nothing was stored: {error}") from error
