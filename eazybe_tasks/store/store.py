"""The store as the rest of the toolkit uses it: one object holding the database and the blobs."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine, make_url

from eazybe_tasks.store.accounts import Account, find_account, register_account
from eazybe_tasks.store.blobs import BlobStore
from eazybe_tasks.store.database import DEFAULT_URL, open_engine
from eazybe_tasks.store.ingest import Batch, IngestResult, ingest
from eazybe_tasks.store.summary import StoreSummary, summarize

URL_VARIABLE = "EAZYBE_STORE_URL"
BLOB_VARIABLE = "EAZYBE_BLOB_DIR"


@dataclass
class Store:
    engine: Engine
    blobs: BlobStore

    def ingest(self, batch: Batch) -> IngestResult:
        return ingest(self.engine, self.blobs, batch)

    def register_account(self, number: str, **settings: object) -> Account:
        with self.engine.begin() as connection:
            return register_account(connection, number, **settings)  # type: ignore[arg-type]

    def find_account(self, number: str) -> Account | None:
        """The account registered for `number`, if any; registers nothing."""
        with self.engine.connect() as connection:
            return find_account(connection, number)

    def summary(self) -> StoreSummary:
        return summarize(self.engine)


def default_blob_dir(url: str) -> Path:
    """Beside a SQLite file (store.db -> store-blobs/); for a server database, .eazybe/blobs."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        database = Path(parsed.database)
        return database.with_name(f"{database.stem}-blobs")
    return Path(".eazybe/blobs")


def open_store(url: str | None = None, blob_dir: Path | None = None) -> Store:
    """The store at `url` (else $EAZYBE_STORE_URL, else .eazybe/store.db), migrated and ready."""
    url = url or os.environ.get(URL_VARIABLE) or DEFAULT_URL
    blobs = blob_dir or Path(os.environ.get(BLOB_VARIABLE) or default_blob_dir(url))
    return Store(open_engine(url), BlobStore(blobs))
