"""Export times inside a DST change: the file's order picks the reading, and file order is kept,
both in `LocalClock` and through `cci task run import_chat_export` into the store."""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from eazybe_tasks.sources.local_times import LocalClock
from test_store_commands import cci

BERLIN = ZoneInfo("Europe/Berlin")


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def readings(*locals_: datetime) -> list[datetime]:
    clock = LocalClock(BERLIN)
    return [clock.to_utc(local) for local in locals_]


def test_the_repeated_autumn_hour_reads_as_after_the_change_on_its_second_pass() -> None:
    day = (2026, 10, 25)
    assert readings(datetime(*day, 1, 55), datetime(*day, 2, 10), datetime(*day, 2, 50),
                    datetime(*day, 2, 5), datetime(*day, 2, 40), datetime(*day, 3, 5)) == [
        utc(2026, 10, 24, 23, 55), utc(*day, 0, 10), utc(*day, 0, 50),
        utc(*day, 1, 5), utc(*day, 1, 40), utc(*day, 2, 5)]


def test_a_repeated_time_with_nothing_before_it_takes_the_first_reading() -> None:
    assert readings(datetime(2026, 10, 25, 2, 30)) == [utc(2026, 10, 25, 0, 30)]


def test_a_skipped_spring_time_is_placed_when_the_clocks_jumped() -> None:
    day = (2026, 3, 29)
    assert readings(datetime(*day, 1, 59), datetime(*day, 2, 30), datetime(*day, 3, 10)) == [
        utc(*day, 0, 59), utc(*day, 1, 0), utc(*day, 1, 10)]


def test_a_time_with_one_reading_keeps_it_even_when_the_file_goes_backwards() -> None:
    assert readings(datetime(2026, 6, 1, 12, 0), datetime(2026, 6, 1, 11, 0)) == [
        utc(2026, 6, 1, 10, 0), utc(2026, 6, 1, 9, 0)]


def test_an_export_across_both_changes_is_stored_in_file_order(tmp_path: Path) -> None:
    lines = [
        "29/03/2026, 01:59 - Kunde: vor der Umstellung",
        "29/03/2026, 02:30 - Vertrieb: diese Uhrzeit gibt es nicht",
        "29/03/2026, 03:10 - Kunde: nach der Umstellung",
        "25/10/2026, 01:55 - Kunde: kurz vor zwei",
        "25/10/2026, 02:10 - Vertrieb: zum ersten Mal 02:10",
        "25/10/2026, 02:50 - Kunde: gleich wird es wieder zwei",
        "25/10/2026, 02:05 - Vertrieb: zum zweiten Mal zwei Uhr",
        "25/10/2026, 02:40 - Kunde: noch einmal 02:40",
        "25/10/2026, 03:05 - Vertrieb: vorbei",
    ]
    chat = tmp_path / "WhatsApp Chat mit Kunde.txt"
    chat.write_text("\n".join(lines) + "\n", encoding="utf-8")
    database = tmp_path / "store.db"
    store = f"sqlite:///{database}"
    made = cci("register_account", "-o", "number", "+4930901820", "-o", "store_url", store)
    assert made.returncode == 0 and "Europe/Berlin" in made.stdout, made.stdout + made.stderr
    done = cci("import_chat_export", "-o", "path", chat, "-o", "account", "+4930901820", "-o", "me", "Vertrieb",
               "-o", "other_number", "+4915112345678", "-o", "store_url", store)
    assert done.returncode == 0, done.stdout + done.stderr
    with sqlite3.connect(database) as connection:
        stored = connection.execute("SELECT body, sent_at FROM messages ORDER BY id").fetchall()
    assert [body for body, _ in stored] == [line.split(": ", 1)[1] for line in lines]
    by_time = sorted(stored, key=lambda row: row[1])
    assert by_time == stored, "the store's time order differs from the file's"
    assert len({sent_at for _, sent_at in stored}) == len(lines)
