"""The store, on SQLite and on a real PostgreSQL server: migrations, transactional batches,
duplicates skipped, attachments content-addressed, statuses, the summary."""
from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, select

from eazybe_tasks.sources.model import (
    AttachmentRef, Direction, Message, MessageType, Source, StatusUpdate,
)
from eazybe_tasks.store.ingest import Batch
from eazybe_tasks.store.schema import attachments, messages, metadata
from eazybe_tasks.store.store import Store, open_store

BUSINESS = "+14155550100"
CUSTOMER = "+447700900123"
T0 = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)


@pytest.fixture
def store(any_store: Store) -> Store:
    """Every store test runs on SQLite and on PostgreSQL."""
    return any_store


def message(n: int, **changes: object) -> Message:
    values: dict = dict(
        source=Source.CLOUD_API, source_id=f"wamid.{n}", account_number=BUSINESS, chat_id=CUSTOMER,
        is_group=False, direction=Direction.INBOUND, type=MessageType.TEXT,
        sent_at=T0 + timedelta(minutes=n), body=f"message {n}", sender=CUSTOMER, sender_name="Jane",
        raw={"id": f"wamid.{n}"},
    )
    values.update(changes)
    return Message(**values)


def batch(*items: Message, statuses: tuple[StatusUpdate, ...] = ()) -> Batch:
    return Batch(source=Source.CLOUD_API, origin="test", raw_sha256="0" * 64, messages=items, statuses=statuses)


def count(store: Store, table=messages) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_migrations_match_the_schema(store: Store) -> None:
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_batch_is_stored_once(store: Store) -> None:
    first = store.ingest(batch(message(1), message(2), message(2)))
    assert (first.messages_seen, first.messages_added) == (3, 2)
    again = store.ingest(batch(message(1), message(2), message(3)))
    assert again.messages_added == 1
    assert count(store) == 3
    with store.engine.connect() as connection:
        stored = connection.execute(select(messages).where(messages.c.source_id == "wamid.1")).mappings().one()
    assert stored["sent_at"] == T0 + timedelta(minutes=1)
    assert stored["sent_at"].tzinfo is not None
    assert stored["raw"] == {"id": "wamid.1"}


def test_edits_and_deletions_revise_the_stored_message(store: Store) -> None:
    store.ingest(batch(message(1), message(2)))
    result = store.ingest(batch(
        message(1, body="message 1, corrected", edited=True, sent_at=T0 + timedelta(hours=1)),
        message(2, type=MessageType.DELETED, body=""),
    ))
    assert result.messages_added == 0
    with store.engine.connect() as connection:
        rows = {r.source_id: r for r in connection.execute(select(messages)).all()}
    assert (rows["wamid.1"].body, rows["wamid.1"].edited) == ("message 1, corrected", True)
    assert rows["wamid.1"].sent_at == T0 + timedelta(minutes=1)
    assert (rows["wamid.2"].type, rows["wamid.2"].body) == ("deleted", "")


def test_failing_batch_stores_nothing(store: Store) -> None:
    store.ingest(batch(message(1)))
    broken = message(3, sent_at=datetime(2026, 11, 24, 10, 0))  # naive: refused by the store
    with pytest.raises(Exception, match="naive datetime"):
        store.ingest(batch(message(2), broken))
    assert count(store) == 1
    summary = store.summary()
    assert summary.ingests == 1


def test_attachment_bytes_are_kept_once(store: Store) -> None:
    picture = AttachmentRef(file_name="photo.jpg", mime_type="image/jpeg", content=b"\xff\xd8jpeg")
    store.ingest(batch(message(1, type=MessageType.IMAGE, attachments=(picture,)),
                       message(2, type=MessageType.IMAGE, attachments=(picture,))))
    with store.engine.connect() as connection:
        rows = connection.execute(select(attachments)).mappings().all()
    assert len(rows) == 2 and rows[0]["sha256"] == rows[1]["sha256"] and rows[0]["size"] == 6
    files = [p for p in store.blobs.root.rglob("*") if p.is_file()]
    assert len(files) == 1 and files[0].read_bytes() == b"\xff\xd8jpeg"
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600


def test_bytes_for_an_attachment_stored_without_them_are_added(store: Store) -> None:
    """A chat's .txt names the file, its .zip brings it: the stored message gets the bytes once."""
    named = AttachmentRef(file_name="photo.jpg", mime_type="image/jpeg")
    with_bytes = AttachmentRef(file_name="photo.jpg", mime_type="image/jpeg", content=b"\xff\xd8jpeg")
    first = store.ingest(batch(message(1, type=MessageType.IMAGE, attachments=(named,)), message(2)))
    assert first.attachments_added == 0
    again = store.ingest(batch(message(1, type=MessageType.IMAGE, attachments=(with_bytes,)),
                               message(1, type=MessageType.IMAGE, attachments=(with_bytes,)), message(2)))
    assert (again.messages_added, again.attachments_added) == (0, 1)
    with store.engine.connect() as connection:
        row = connection.execute(select(attachments)).mappings().one()
    assert (row["file_name"], row["size"], row["omitted"]) == ("photo.jpg", 6, False)
    assert store.blobs.get(row["sha256"]) == b"\xff\xd8jpeg"
    assert store.ingest(batch(message(1, type=MessageType.IMAGE, attachments=(with_bytes,)))).attachments_added == 0


def test_batch_registers_its_accounts_in_its_transaction(store: Store) -> None:
    store.ingest(Batch(source=Source.CHAT_EXPORT, origin="test", raw_sha256="1" * 64, accounts=("+4930901820",)))
    assert store.find_account("+4930901820") is not None
    broken = message(3, account_number="+442079460000", sent_at=datetime(2026, 11, 24, 10, 0))  # naive
    with pytest.raises(Exception, match="naive datetime"):
        store.ingest(Batch(source=Source.CHAT_EXPORT, origin="test", raw_sha256="2" * 64, messages=(broken,),
                           accounts=("+442079460000",)))
    assert store.find_account("+442079460000") is None


def test_statuses_move_forward_only(store: Store) -> None:
    outbound = message(1, direction=Direction.OUTBOUND, sender=BUSINESS, status="sent")
    store.ingest(batch(outbound))
    read = StatusUpdate("wamid.1", BUSINESS, CUSTOMER, "read", T0 + timedelta(minutes=5))
    delivered = StatusUpdate("wamid.1", BUSINESS, CUSTOMER, "delivered", T0 + timedelta(minutes=2))
    assert store.ingest(batch(statuses=(read, delivered, read))).statuses_added == 2
    with store.engine.connect() as connection:
        status = connection.execute(select(messages.c.status)).scalar_one()
    assert status == "read"


def test_unknown_account_is_registered_with_what_its_number_implies(store: Store) -> None:
    store.ingest(batch(message(1, account_number="+4930901820", chat_id=CUSTOMER)))
    account = store.register_account("+4930901820")
    assert (account.default_region, account.time_zone) == ("DE", "Europe/Berlin")


def test_summary(store: Store) -> None:
    store.register_account(BUSINESS, label="Sales US", time_zone="America/Los_Angeles")
    store.ingest(batch(message(1), message(2, chat_id="+447700900999")))
    summary = store.summary()
    assert len(summary.accounts) == 1
    account = summary.accounts[0]
    assert (account.label, account.chats, account.messages) == ("Sales US", 2, 2)
    assert account.last_message_at == T0 + timedelta(minutes=2)
    assert summary.last_ingest_at is not None and summary.last_ingest_at.tzinfo is not None


def test_sqlite_file_is_private(tmp_path: Path) -> None:
    open_store(f"sqlite:///{tmp_path / 'private' / 'store.db'}")
    assert stat.S_IMODE((tmp_path / "private" / "store.db").stat().st_mode) == 0o600


def test_a_number_phonenumbers_cannot_place_gets_its_countrys_time_zone() -> None:
    """phonenumbers answers "Etc/Unknown" for a range it does not know, which no clock has."""
    from eazybe_tasks.store.accounts import implied_settings

    assert implied_settings("+972123456789") == ("IL", "Asia/Jerusalem")
    assert implied_settings("+14155550100") == ("US", "America/Los_Angeles")
    assert implied_settings("+80012345678") == ("001", "UTC")  # an international freephone number


def test_a_store_with_rows_upgrades_through_the_migrations_that_rebuild_tables(tmp_path: Path) -> None:
    """SQLite rebuilds a table to alter it (copy, drop, rename); with foreign keys on, dropping
    sync_runs or accounts while stored rows point at them failed: a store of last week would not
    open, and the failed upgrade left its copy of the table behind."""
    from sqlalchemy import create_engine, event, text

    from eazybe_tasks.store.database import _sqlite_pragmas, migrate

    url = f"sqlite:///{tmp_path / 'old.db'}"
    old = create_engine(url, future=True)
    event.listen(old, "connect", _sqlite_pragmas)
    migrate(old, "0007")
    with old.begin() as connection:
        for statement in (
            "INSERT INTO accounts (id, number, default_region, time_zone, connected_at) "
            "VALUES (1, '+14155550100', 'US', 'UTC', '2026-11-20 10:00:00')",
            "INSERT INTO chats (id, account_id, chat_id, is_group) VALUES (1, 1, '+14155550134', 0)",
            "INSERT INTO ingests (id, source, origin, received_at, raw_sha256, messages_seen, messages_added, "
            "statuses_added) VALUES (1, 'feed', 'f', '2026-11-20 10:00:00', 'x', 1, 1, 0)",
            "INSERT INTO messages (id, account_id, chat_pk, source, source_id, direction, type, body, sent_at, edited, "
            "ingest_id) VALUES (1, 1, 1, 'feed', 'm1', 'inbound', 'text', 'hi', '2026-11-20 10:00:00', 0, 1)",
            "INSERT INTO sync_runs (id, started_at, status) VALUES (1, '2026-11-20 10:05:00', 'succeeded')",
            "INSERT INTO message_outcomes (message_pk, person_id, account_id, chat_pk, day, outcome, run_id, "
            "decided_at) VALUES (1, '', 1, 1, '2026-11-20', 'unmatched', 1, '2026-11-20 10:05:00')",
        ):
            connection.execute(text(statement))
        # what an upgrade that failed this way used to leave behind (SQLite committed its DDL one by one)
        connection.execute(text("CREATE TABLE _alembic_tmp_sync_runs (id INTEGER NOT NULL PRIMARY KEY)"))
    old.dispose()
    store = open_store(url)
    with store.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM message_outcomes")).scalar_one() == 1
        assert connection.execute(text("SELECT handle FROM chat_handles")).scalars().all() == ["+14155550134"]
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
        assert connection.execute(text("SELECT name FROM sqlite_master WHERE name LIKE '%alembic_tmp%'")).all() == []
