"""Opening the store: a SQLite file by default, PostgreSQL by URL, migrated to the latest schema.

Migrations run on open, so every command sees the schema its code expects; Alembic records the
version in the database itself (`alembic_version`)."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import QueuePool

MIGRATIONS = Path(__file__).parent / "migrations"
DEFAULT_URL = "sqlite:///.eazybe/store.db"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """Foreign keys on (SQLite leaves them off), WAL so readers never block the sync, and a busy
    timeout so two processes wait for each other instead of failing with 'database is locked'."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _create_private_file(path: Path) -> None:
    """The store holds customer conversations: its file is readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def _pooling(url: URL) -> dict[str, Any]:
    """A SQLite file's connections are kept in a pool, as SQLAlchemy 2 does by default: 1.4 opens
    a new one for every transaction, and each webhook delivery or sync batch then paid for the
    open, the pragmas and SQLite reading the schema again. A pooled connection may be handed to
    another thread (the receiver stores from a thread pool), one thread at a time."""
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return {}
    return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrades the store to `revision`, all or nothing.

    On SQLite a migration rebuilds a table to alter it (copy, drop, rename). Foreign keys are off
    meanwhile (dropping a table that stored rows point at fails with them on) and checked after;
    and the DDL runs in one explicit transaction, which Python's sqlite3 would otherwise commit
    statement by statement, so a failed upgrade leaves the store as it was. Tables a failed
    upgrade of an earlier version left behind (`_alembic_tmp_*`) are dropped first."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
        return
    with engine.connect() as connection:
        driver = connection.connection.dbapi_connection
        level = driver.isolation_level
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")  # a no-op inside a transaction
        driver.isolation_level = None  # no implicit transactions: the one below holds the DDL too
        try:
            connection.exec_driver_sql("BEGIN")
            for (leftover,) in connection.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE '\\_alembic\\_tmp\\_%' ESCAPE '\\'"
            ).all():
                connection.exec_driver_sql(f'DROP TABLE "{leftover}"')
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the store's migration left rows pointing at nothing: {broken[:5]}")
            connection.exec_driver_sql("COMMIT")
        except BaseException:
            connection.exec_driver_sql("ROLLBACK")
            raise
        finally:
            driver.isolation_level = level
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def open_engine(url: str = DEFAULT_URL) -> Engine:
    """An engine on the store at `url`, its schema migrated to the latest revision."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        _create_private_file(Path(parsed.database))
    # hide_parameters: an error (a full disk, a lock) would otherwise print the statement's values,
    # message texts and numbers, into the terminal and CumulusCI's logs.
    engine = create_engine(url, future=True, hide_parameters=True, **_pooling(parsed))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine
