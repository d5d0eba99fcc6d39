"""Chat exports into the store, held to hard limits on bad input: zip bombs and unsafe member
names refused in bounded time, dates in the future refused, nothing stored by a failed import (not
even the business account), and what good input means: a lead the business never answered, a
group named by its own subject line, a chat's .zip after its .txt adding the media.

Through the real entry point, `cci task run import_chat_export`, where a case needs no tampering
with the limits; in process through `import_export` where it does, or to time a refusal."""
from __future__ import annotations

import struct
import subprocess
import time
import zipfile
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eazybe_tasks.imports.export_import import ExportOptions, import_export
from eazybe_tasks.sources.export_messages import subject_of
from eazybe_tasks.sources.exports import DateOrder, archive
from eazybe_tasks.sources.model import SourceError
from eazybe_tasks.store.schema import (
    accounts, attachments, chats, ingests, message_outcomes, messages, sync_runs,
)
from eazybe_tasks.store.store import Store, open_store
from repo_paths import VENV_BIN
from tools import run

CCI = VENV_BIN / "cci"
BUSINESS = "+14155550100"
JANE = "+14155550123"
PHOTO = "IMG-20260115-WA0001.jpg"
PHOTO_BYTES = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40  # a tiny "JPEG"
CHAT = (
    "15/01/2026, 09:41 - Jane Doe: hi, here is the plan\n"
    f"15/01/2026, 09:42 - Jane Doe: {PHOTO} (file attached)\n"
    "15/01/2026, 09:43 - Sales: thanks Jane\n"
)
GiB = 1 << 30


def cci(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run(CCI, "task", "run", *args)


def import_chat(path: Path, store_url: str, *options: str) -> subprocess.CompletedProcess[str]:
    return cci("import_chat_export", "-o", "path", path, "-o", "account", BUSINESS, "-o", "me", "Sales",
               "-o", "date_order", "dmy", "-o", "store_url", store_url, *options)


def counts(store_url: str) -> dict[str, int]:
    store = open_store(store_url)
    with store.engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in (accounts, ingests, chats, messages, attachments)}


NOTHING = {"accounts": 0, "ingests": 0, "chats": 0, "messages": 0, "attachments": 0}


def blob_files(tmp_path: Path) -> list[Path]:
    return [p for p in (tmp_path / "store-blobs").rglob("*") if p.is_file()]


def zip_of(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as written:
        for name, data in members.items():
            written.writestr(name, data)
    return path


def raw_zip(path: Path, members: list[tuple[str, int, int, bytes]]) -> Path:
    """A zip written by hand: (name, CRC-32, declared uncompressed size, raw deflate data) per
    member, so that a gigabyte of zeros is compressed once, and a size can be declared falsely."""
    body, directory = bytearray(), bytearray()
    for name, crc, size, data in members:
        offset, encoded = len(body), name.encode()
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0)
        body += encoded + data
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size,
                                 len(encoded), 0, 0, 0, 0, 0, offset) + encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0)
    path.write_bytes(bytes(body + directory + end))
    return path


def deflated(data: bytes) -> tuple[int, int, bytes]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return zlib.crc32(data), len(data), packer.compress(data) + packer.flush()


@pytest.fixture(scope="module")
def gigabyte_of_zeros() -> tuple[int, int, bytes]:
    """1 GiB of zeros as raw deflate (about 1 MB): CRC-32, size, data. Built once (some seconds)."""
    block = bytes(1 << 20)
    packer, parts, crc = zlib.compressobj(9, zlib.DEFLATED, -15), [], 0
    for _ in range(1024):
        parts.append(packer.compress(block))
        crc = zlib.crc32(block, crc)
    parts.append(packer.flush())
    return crc, GiB, b"".join(parts)


def timed_refusal(store: Store, path: Path, **options: object) -> SourceError:
    started = time.perf_counter()
    with pytest.raises(SourceError) as caught:
        import_export(store, path, ExportOptions(account_number=BUSINESS, me="Sales", other_number=JANE,
                                                 date_order=DateOrder.DMY, **options))
    print(f"\n{path.name}: refused in {time.perf_counter() - started:.3f} s: {caught.value}")
    return caught.value


# ---- 1. zip bombs -------------------------------------------------------------------------------


def test_chat_text_of_a_gigabyte_of_zeros_is_refused_at_once(
    tmp_path: Path, gigabyte_of_zeros: tuple[int, int, bytes]
) -> None:
    bomb = raw_zip(tmp_path / "WhatsApp Chat with Jane Doe.zip",
                   [("WhatsApp Chat with Jane Doe.txt", *gigabyte_of_zeros)])
    assert bomb.stat().st_size < 1.1e6
    url = f"sqlite:///{tmp_path / 'store.db'}"
    error = timed_refusal(open_store(url), bomb)
    assert error.where == f"{bomb}!WhatsApp Chat with Jane Doe.txt"
    assert "1 GiB" in error.problem and "256 MiB" in error.problem
    result = import_chat(bomb, url, "-o", "other_number", JANE)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "nothing was stored" in output
    assert f"{bomb.name}!WhatsApp Chat with Jane Doe.txt" in output and "256 MiB" in output, output
    assert counts(url) == NOTHING


def test_media_file_of_a_gigabyte_of_zeros_is_refused_at_once(
    tmp_path: Path, gigabyte_of_zeros: tuple[int, int, bytes]
) -> None:
    bomb = raw_zip(tmp_path / "WhatsApp Chat with Jane Doe.zip", [
        ("WhatsApp Chat with Jane Doe.txt", *deflated(CHAT.encode())), (PHOTO, *gigabyte_of_zeros),
    ])
    url = f"sqlite:///{tmp_path / 'store.db'}"
    error = timed_refusal(open_store(url), bomb)
    assert error.where == f"{bomb}!{PHOTO}" and "100 MiB" in error.problem
    result = import_chat(bomb, url, "-o", "other_number", JANE)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and f"{bomb.name}!{PHOTO}" in output and "100 MiB" in output, output
    assert counts(url) == NOTHING and blob_files(tmp_path) == []


def test_member_under_its_cap_that_expands_too_much_is_refused(tmp_path: Path) -> None:
    """10 MiB of zeros is under the media cap, but it expands about 1000:1."""
    bomb = raw_zip(tmp_path / "WhatsApp Chat with Jane Doe.zip", [
        ("WhatsApp Chat with Jane Doe.txt", *deflated(CHAT.encode())), (PHOTO, *deflated(bytes(10 << 20))),
    ])
    url = f"sqlite:///{tmp_path / 'store.db'}"
    error = timed_refusal(open_store(url), bomb)
    assert error.where == f"{bomb}!{PHOTO}" and "zip bomb" in error.problem and "100:1" in error.problem
    assert counts(url) == NOTHING


def test_member_whose_declared_size_lies_is_refused_before_anything_is_stored(tmp_path: Path) -> None:
    """The directory says 1,000 bytes (under every limit); the member holds 10 MiB."""
    crc, _, data = deflated(bytes(10 << 20))
    liar = raw_zip(tmp_path / "WhatsApp Chat with Jane Doe.zip", [
        ("WhatsApp Chat with Jane Doe.txt", *deflated(CHAT.encode())), (PHOTO, crc, 1000, data),
    ])
    url = f"sqlite:///{tmp_path / 'store.db'}"
    error = timed_refusal(open_store(url), liar)
    assert error.where == f"{liar}!{PHOTO}" and "corrupt zip member" in error.problem
    assert counts(url) == NOTHING and blob_files(tmp_path) == []


def test_bytes_are_counted_while_streaming() -> None:
    """What the directory declares is not trusted: a member is cut off past it, or past its cap."""
    with pytest.raises(SourceError, match="more than the 10 bytes it declares"):
        list(archive._counted(iter([b"12345", b"678901"]), "x.zip!a.jpg", 10, 100, "a media file"))
    with pytest.raises(SourceError, match="more than 8 bytes, the most a media file may have"):
        list(archive._counted(iter([b"12345", b"678901"]), "x.zip!a.jpg", 100, 8, "a media file"))
    assert list(archive._counted(iter([b"12345"]), "x.zip!a.jpg", 5, 5, "a media file")) == [b"12345"]


def test_total_and_repeated_media_are_capped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the limit at 1 MiB: members declaring more in all, or a chat naming one file again and
    again until more than that would be handed out."""
    monkeypatch.setattr(archive, "MAX_TOTAL", 1 << 20)
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    photo = bytes((n * 7919 + 13) % 251 for n in range(400_000))  # 400 KB: under the ratio's floor
    names = [f"IMG-20260115-WA000{n}.jpg" for n in range(3)]
    many = zip_of(tmp_path / "WhatsApp Chat with Jane Doe.zip", {
        "WhatsApp Chat with Jane Doe.txt": "".join(
            f"15/01/2026, 09:4{n} - Jane Doe: {name} (file attached)\n" for n, name in enumerate(names)).encode(),
        **{name: photo for name in names},
    })
    error = timed_refusal(store, many)
    assert error.where == str(many) and "in all" in error.problem and "1 MiB" in error.problem
    again = zip_of(tmp_path / "WhatsApp Chat with Jane.zip", {
        "WhatsApp Chat with Jane.txt": "".join(
            f"15/01/2026, 09:4{n} - Jane Doe: {PHOTO} (file attached)\n" for n in range(5)).encode(),
        PHOTO: photo,
    })
    error = timed_refusal(store, again)
    assert error.where == f"{again}!{PHOTO}" and "named again and again" in error.problem
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(accounts)).scalar_one() == 0


# ---- 2. unsafe member names ---------------------------------------------------------------------


def test_member_climbing_out_of_the_zip_is_refused(tmp_path: Path) -> None:
    crafted = zip_of(tmp_path / "WhatsApp Chat with Jane Doe.zip", {
        "WhatsApp Chat with Jane Doe.txt": CHAT.encode(), f"../../{PHOTO}": PHOTO_BYTES,
    })
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = import_chat(crafted, url, "-o", "other_number", JANE)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "nothing was stored" in output
    assert f"{crafted.name}!../../{PHOTO}" in output and "'..'" in output, output
    assert counts(url) == NOTHING and blob_files(tmp_path) == []


@pytest.mark.parametrize("name", [f"/tmp/{PHOTO}", f"media/../../{PHOTO}", f"..\\{PHOTO}", f"C:/{PHOTO}",
                                  f"__MACOSX/../../{PHOTO}"])
def test_absolute_and_climbing_names_are_refused(tmp_path: Path, name: str) -> None:
    crafted = zip_of(tmp_path / "WhatsApp Chat with Jane Doe.zip", {
        "WhatsApp Chat with Jane Doe.txt": CHAT.encode(), name: PHOTO_BYTES,
    })
    error = timed_refusal(open_store(f"sqlite:///{tmp_path / 'store.db'}"), crafted)
    assert error.where == f"{crafted}!{name}" and "absolute or climbs out" in error.problem


def test_names_with_dots_that_do_not_climb_are_fine() -> None:
    assert not archive.unsafe_member_name("media/notes..final.pdf")
    assert not archive.unsafe_member_name("WhatsApp Chat with Jane Doe.txt")
    assert archive.unsafe_member_name("a/../b.jpg") and archive.unsafe_member_name("\\\\server\\x.jpg")


# ---- 3. a lead the business never answered ------------------------------------------------------


def test_chat_the_business_never_wrote_in_imports_with_the_other_number(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Jane Doe.txt"
    chat.write_text("15/01/2026, 09:41 - Jane Doe: hi, is the flat still free?\n"
                    "16/01/2026, 18:02 - Jane Doe: hello?\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    asked = import_chat(chat, url)
    output = asked.stdout + asked.stderr
    assert asked.returncode != 0 and "no author is called 'Sales'" in output
    assert "never wrote in this chat" in output and "(-o other_number)" in output
    done = import_chat(chat, url, "-o", "other_number", JANE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 messages read, 2 new" in done.stdout
    with open_store(url).engine.connect() as connection:
        rows = connection.execute(select(messages.c.direction, messages.c.sender, messages.c.sender_name)).all()
    assert [tuple(row) for row in rows] == [("inbound", JANE, "Jane Doe")] * 2


def test_lone_author_whose_number_is_another_is_refused(tmp_path: Path) -> None:
    chat = tmp_path / "chat.txt"
    chat.write_text("15/01/2026, 09:41 - +1 415 555 0199: hi\n", encoding="utf-8")
    error = timed_refusal(open_store(f"sqlite:///{tmp_path / 'store.db'}"), chat)
    assert "+14155550199, not +14155550123" in error.problem


# ---- 4. a group named by the export ------------------------------------------------------------

GROUP = (
    "20/03/2026, 10:00 - Ravi Kumar created group \"Launch Team\"\n"
    "20/03/2026, 10:01 - Ravi Kumar added Sales\n"
    "20/03/2026, 10:02 - Ravi Kumar: Welcome everyone\n"
    "20/03/2026, 10:03 - Ravi Kumar changed the subject from \"Launch Team\" to \"Launch: Q2\"\n"
    "20/03/2026, 10:04 - +44 7700 900123: Thanks!\n"
    "20/03/2026, 10:05 - Sales: Glad to help\n"
)


def test_group_is_named_by_its_last_subject_line(tmp_path: Path) -> None:
    chat = tmp_path / "group.txt"  # renamed: the file name tells nothing
    chat.write_text(GROUP, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    done = import_chat(chat, url)
    assert done.returncode == 0, done.stdout + done.stderr
    with open_store(url).engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(select(chats.c.name, chats.c.is_group))] == [("Launch: Q2", True)]


def test_group_without_a_name_anywhere_asks_for_one(tmp_path: Path) -> None:
    chat = tmp_path / "group.txt"
    chat.write_text("".join(line + "\n" for line in GROUP.splitlines() if "group \"" not in line
                            and "subject" not in line), encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    asked = import_chat(chat, url)
    assert asked.returncode != 0 and "(-o chat_name)" in asked.stdout + asked.stderr
    assert counts(url) == NOTHING


def test_file_name_wins_over_the_subject_line(tmp_path: Path) -> None:
    """Groups imported before subject lines were read are keyed by their file name's group name."""
    chat = tmp_path / "WhatsApp Chat with Launch Team.txt"
    chat.write_text(GROUP, encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    import_export(store, chat, ExportOptions(account_number=BUSINESS, me="Sales", date_order=DateOrder.DMY))
    with store.engine.connect() as connection:
        assert connection.execute(select(chats.c.name)).scalar_one() == "Launch Team"


def test_a_subject_line_makes_a_group_in_other_languages(tmp_path: Path) -> None:
    """One other author, but WhatsApp's German "created group" line: a group, named so."""
    chat = tmp_path / "export.txt"
    chat.write_text("20.03.26, 10:00 - Jonas hat die Gruppe „Vertrieb Nord“ erstellt\n"
                    "20.03.26, 10:02 - Jonas: Hallo zusammen\n"
                    "20.03.26, 10:05 - Sales: Hallo Jonas\n", encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    import_export(store, chat, ExportOptions(account_number=BUSINESS, me="Sales", date_order=DateOrder.DMY))
    with store.engine.connect() as connection:
        assert [tuple(r) for r in connection.execute(select(chats.c.name, chats.c.is_group))] == [
            ("Vertrieb Nord", True)]


@pytest.mark.parametrize("line, name", [
    ('Lucía creó el grupo "Ventas Madrid"', "Ventas Madrid"),
    ('Ana cambió el asunto de "A" a "Ventas: 2026"', "Ventas: 2026"),
    ("Ana mudou o assunto de “A” para “Equipe B”", "Equipe B"),
    ("Jo hat den Betreff von „A“ zu „Team B“ geändert", "Team B"),
    ("Jean a modifié le sujet de « A » en « Équipe B »", "Équipe B"),
    ("Gio ha cambiato l’oggetto da \"A\" a \"Squadra B\"", "Squadra B"),
    ('Jan heeft het onderwerp gewijzigd van "A" naar "Team B"', "Team B"),
    ('You changed the group name to "Renamed"', "Renamed"),
    ("Ravi Kumar changed this group's icon", None),
    ("Ravi Kumar added +44 7700 900123", None),
])
def test_subject_lines(line: str, name: str | None) -> None:
    assert subject_of(line) == name


def test_subject_line_of_many_quotes_is_read_in_linear_time() -> None:
    started = time.perf_counter()
    subject_of('X changed the subject from "' + '" to "' * 200_000)
    assert time.perf_counter() - started < 1


# ---- 5. a chat's .zip after its .txt -------------------------------------------------------------


def test_zip_after_its_txt_adds_the_media_to_the_stored_message(tmp_path: Path) -> None:
    text = tmp_path / "WhatsApp Chat with Jane Doe.txt"
    text.write_text(CHAT, encoding="utf-8")
    bundle = zip_of(tmp_path / "WhatsApp Chat with Jane Doe.zip",
                    {"WhatsApp Chat with Jane Doe.txt": CHAT.encode(), PHOTO: PHOTO_BYTES})
    url = f"sqlite:///{tmp_path / 'store.db'}"
    first = import_chat(text, url, "-o", "other_number", JANE)
    assert first.returncode == 0 and "3 messages read, 3 new, 0 attachments added" in first.stdout, first.stdout
    store = open_store(url)
    with store.engine.begin() as connection:  # as if a sync had decided every message
        run_id = connection.execute(sync_runs.insert().values(
            started_at=datetime.now(timezone.utc), status="succeeded")).inserted_primary_key[0]
        connection.execute(message_outcomes.insert(), [
            {"message_pk": row.id, "person_id": "", "account_id": row.account_id, "chat_pk": row.chat_pk,
             "day": row.sent_at.date(), "outcome": "unmatched", "run_id": run_id,
             "decided_at": datetime.now(timezone.utc)}
            for row in connection.execute(select(messages))])
    second = import_chat(bundle, url, "-o", "other_number", JANE)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "3 messages read, 0 new, 1 attachments added" in second.stdout, second.stdout
    with store.engine.connect() as connection:
        photo = connection.execute(select(attachments)).mappings().one()
        undecided = connection.execute(
            select(messages.c.body).where(~messages.c.id.in_(select(message_outcomes.c.message_pk)))).scalars().all()
    assert counts(url)["messages"] == 3
    assert (photo["file_name"], photo["size"], photo["omitted"]) == (PHOTO, len(PHOTO_BYTES), False)
    assert store.blobs.get(photo["sha256"]) == PHOTO_BYTES
    assert undecided == [f"{PHOTO} (file attached)"]  # the next sync rewrites that chat-day
    again = import_chat(bundle, url, "-o", "other_number", JANE)
    assert "3 messages read, 0 new, 0 attachments added" in again.stdout, again.stdout


# ---- 6. a failed import stores nothing, not even the account -------------------------------------


def test_failed_import_registers_no_account(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Jane Doe.txt"
    chat.write_text(CHAT + "15/01/2026, 09:44 - Sales: one \x00 more\n", encoding="utf-8")  # NUL: a bad line
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = import_chat(chat, url, "-o", "other_number", JANE)
    assert result.returncode != 0 and f"{chat.name}:4" in result.stdout + result.stderr
    assert counts(url) == NOTHING
    status = cci("store_status", "-o", "store_url", url)
    assert "0 ingests" in status.stdout and BUSINESS not in status.stdout


def test_failure_while_storing_leaves_the_account_unregistered(tmp_path: Path) -> None:
    """The date check fails during the storing pass, in the batch's transaction."""
    chat = tmp_path / "WhatsApp Chat with Jane Doe.txt"
    chat.write_text(CHAT + "15/01/2027, 09:44 - Sales: from next year\n", encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    now = datetime(2026, 12, 4, 12, tzinfo=timezone.utc)
    timed_refusal(store, chat, now=now)
    assert store.find_account(BUSINESS) is None


def test_existing_account_keeps_its_settings(tmp_path: Path) -> None:
    chat = tmp_path / "WhatsApp Chat with Jane Doe.txt"
    chat.write_text(CHAT, encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, label="Sales IN", time_zone="Asia/Kolkata")
    import_export(store, chat, ExportOptions(account_number=BUSINESS, me="Sales", other_number=JANE,
                                             date_order=DateOrder.DMY))
    with store.engine.connect() as connection:
        first = connection.execute(select(messages.c.sent_at).order_by(messages.c.id)).scalars().first()
    assert first == datetime(2026, 1, 15, 4, 11, tzinfo=timezone.utc)  # 09:41 in Kolkata
    assert store.find_account(BUSINESS).label == "Sales IN"


# ---- 7. dates in the future ----------------------------------------------------------------------


def test_message_dated_more_than_a_day_ahead_is_refused_with_its_line(tmp_path: Path) -> None:
    ahead = datetime.now() + timedelta(days=2)
    chat = tmp_path / "WhatsApp Chat with Jane Doe.txt"
    chat.write_text(CHAT + f"{ahead:%d/%m/%Y, %H:%M} - Jane Doe: from the future\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = import_chat(chat, url, "-o", "other_number", JANE)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and f"{chat.name}:4" in output and "more than a day after now" in output, output
    assert counts(url) == NOTHING


def test_a_day_ahead_is_the_limit(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    store.register_account(BUSINESS, time_zone="UTC")
    now = datetime(2026, 12, 4, 12, tzinfo=timezone.utc)
    for name, stamp, refused in (("a", "05/12/2026, 11:59", False), ("b", "05/12/2026, 12:01", True)):
        chat = tmp_path / f"WhatsApp Chat with {name}.txt"
        chat.write_text(f"04/12/2026, 09:00 - Jane Doe: hi\n{stamp} - Sales: later\n", encoding="utf-8")
        if refused:
            error = timed_refusal(store, chat, now=now)
            assert error.where == f"{chat}:2" and "2026-12-05 12:01 (UTC)" in error.problem
        else:
            import_export(store, chat, ExportOptions(account_number=BUSINESS, me="Sales", other_number=JANE,
                                                     date_order=DateOrder.DMY, now=now))


def test_future_date_in_a_zip_names_the_member_and_line(tmp_path: Path) -> None:
    bundle = zip_of(tmp_path / "WhatsApp Chat with Jane Doe.zip", {
        "WhatsApp Chat with Jane Doe.txt": (CHAT + "15/01/2027, 09:44 - Sales: next year\n").encode(),
        PHOTO: PHOTO_BYTES,
    })
    error = timed_refusal(open_store(f"sqlite:///{tmp_path / 'store.db'}"), bundle,
                          now=datetime(2026, 12, 4, tzinfo=timezone.utc))
    assert error.where == f"{bundle}!WhatsApp Chat with Jane Doe.txt:4"
    assert blob_files(tmp_path) == []  # the refused line is in the photo's chunk: nothing was written
