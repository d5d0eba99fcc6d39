"""Hard limits on bad input: a line longer than `MAX_LINE_CHARS` is refused with its number, in
time and memory that do not grow with it; what is under the limit parses in time linear in its
length (no pattern or buffer that is scanned again for each character, each chunk or each block).

The times are written to pytest's terminal summary ("export limits, seconds"), not asserted:
they depend on the machine. benchmarks/long_lines.py gives the same figures on their own.
"""
from __future__ import annotations

import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from eazybe_tasks.sources.exports import DateOrder, ExportEntry, parse_export
from eazybe_tasks.sources.exports import archive, assembly, header_split
from eazybe_tasks.sources.exports import parser as parser_module
from eazybe_tasks.sources.exports.lines import MAX_LINE_CHARS
from eazybe_tasks.sources.model import MessageType, SourceError

HEADER = "20/11/2026, 09:{:02d} - "
_TIMES: dict[str, float] = {}


class _TimesReport:
    """A pytest plugin, registered by the `timed` fixture: the times in the terminal summary."""

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if _TIMES:
            terminalreporter.section("export limits, seconds")
            for name, seconds in _TIMES.items():
                terminalreporter.write_line(f"{name}: {seconds:.3f} s")


@pytest.fixture
def timed(request: pytest.FixtureRequest) -> Callable[[str], Any]:
    """`with timed(name):` records how long the block took, for the terminal summary."""
    plugins = request.config.pluginmanager
    if not any(isinstance(plugin, _TimesReport) for plugin in plugins.get_plugins()):
        plugins.register(_TimesReport())

    class _Timer:
        def __init__(self, name: str) -> None:
            self.name = name

        def __enter__(self) -> None:
            self.start = time.perf_counter()

        def __exit__(self, *exc: object) -> None:
            _TIMES[self.name] = time.perf_counter() - self.start

    return _Timer


def _export(tmp_path: Path, *lines: str | bytes, end: bytes = b"\n", name: str = "chat.txt") -> Path:
    """A file of these lines (str as UTF-8), each ended with `end`."""
    path = tmp_path / name
    with path.open("wb") as out:
        for line in lines:
            out.write(line.encode() if isinstance(line, str) else line)
            out.write(end)
    return path


def _long_line(minute: int, characters: int, fill: str = "x") -> bytes:
    """A message line of exactly `characters` characters (its header and author included)."""
    start = (HEADER.format(minute) + "Maya: ").encode()
    return start + (fill * (characters - len(HEADER.format(minute)) - len("Maya: "))).encode()


def _refusal(path: Path, **options: Any) -> tuple[list[ExportEntry], SourceError]:
    """The entries read before the SourceError that ended the parse, and the error."""
    seen: list[ExportEntry] = []
    with pytest.raises(SourceError) as caught:
        seen.extend(parse_export(path, **options))
    return seen, caught.value


# ---- over the limit: refused with the line's number and length -----------------------------------


def test_a_2_mib_line_is_refused_with_its_number(tmp_path: Path, timed) -> None:
    path = _export(tmp_path, HEADER.format(1) + "Maya: hi", HEADER.format(2) + "Bob: ok",
                   _long_line(3, 2 * MAX_LINE_CHARS), HEADER.format(4) + "Maya: never read")
    with timed("refuse a 2 MiB line"):
        seen, error = _refusal(path, date_order=DateOrder.DMY)
    assert error.where == f"{path}:3"
    assert "2,097,152 characters" in error.problem and "1,048,576" in error.problem
    assert [entry.text for entry in seen] == ["hi"]  # the last entry's end is unknown until line 3 is read


@pytest.mark.parametrize("order", [None, DateOrder.DMY], ids=["order-read-from-the-file", "order-given"])
def test_a_16_mib_line_is_refused_in_bounded_memory(tmp_path: Path, timed, order: DateOrder | None) -> None:
    """The line is counted as it streams by, never held: peak memory is a fraction of it. (Its
    first date fits either order: reading the order from the file meets the line first.)"""
    path = _export(tmp_path, "01/11/2026, 09:01 - Maya: hi", _long_line(2, 16 * MAX_LINE_CHARS))
    tracemalloc.start()
    try:
        with timed(f"refuse a 16 MiB line ({'order given' if order else 'order read from the file'})"):
            _, error = _refusal(path, date_order=order)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.where == f"{path}:2" and "16,777,216 characters" in error.problem
    assert peak < 4 * MAX_LINE_CHARS  # under a quarter of the line (a few blocks and the limit's worth)


@pytest.mark.parametrize("end", [b"\n", b"\r\n"], ids=["lf", "crlf"])
def test_the_limit_is_in_characters_without_the_line_break(tmp_path: Path, end: bytes) -> None:
    at_limit = _long_line(2, MAX_LINE_CHARS, fill="é")  # twice as many bytes as characters
    path = _export(tmp_path, HEADER.format(1) + "Maya: hi", at_limit, HEADER.format(3) + "Bob: ok", end=end)
    entries = list(parse_export(path, date_order=DateOrder.DMY))
    assert [len(entry.text) for entry in entries] == [2, MAX_LINE_CHARS - len(HEADER.format(2) + "Maya: "), 2]
    path = _export(tmp_path, HEADER.format(1) + "Maya: hi", at_limit + "é".encode(), end=end)
    _, error = _refusal(path, date_order=DateOrder.DMY)
    assert error.where == f"{path}:2" and f"{MAX_LINE_CHARS + 1:,} characters" in error.problem


def test_a_last_line_without_a_line_break_is_held_to_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "chat.txt"
    path.write_bytes(b"20/11/2026, 09:01 - Maya: hi\n" + _long_line(2, MAX_LINE_CHARS + 1) + b"\r")
    _, error = _refusal(path, date_order=DateOrder.DMY)
    assert error.where == f"{path}:2" and f"{MAX_LINE_CHARS + 2:,} characters" in error.problem


def test_a_long_preamble_line_is_refused_before_it_is_read_as_text(tmp_path: Path) -> None:
    path = _export(tmp_path, "", "x" * (MAX_LINE_CHARS + 10), HEADER.format(1) + "Maya: hi")
    _, error = _refusal(path)
    assert error.where == f"{path}:2" and "line too long" in error.problem


@pytest.mark.parametrize("chunk", [1000, 4096, 3 * MAX_LINE_CHARS], ids=["1000-byte", "4096-byte", "3-MiB"])
def test_chunk_size_does_not_change_what_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    chunk: int) -> None:
    """Chunks larger than the limit too: a line inside one chunk is held to it as well."""
    monkeypatch.setattr(archive, "CHUNK", chunk)
    lines = [HEADER.format(1) + "Maya: hi", _long_line(2, MAX_LINE_CHARS), HEADER.format(3) + "Bob: ok",
             _long_line(4, MAX_LINE_CHARS + 1), HEADER.format(5) + "Bob: never read"]
    seen, error = _refusal(_export(tmp_path, *lines), date_order=DateOrder.DMY)
    assert error.where.endswith(":4") and f"{MAX_LINE_CHARS + 1:,} characters" in error.problem
    assert [entry.line_number for entry in seen] == [1, 2]


def test_a_long_line_in_a_zip_names_the_member(tmp_path: Path) -> None:
    path = tmp_path / "WhatsApp Chat - Sofa Sales.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as export:  # (stored: a compressed line this
        # uniform would expand more than a zip may)
        export.writestr("_chat.txt", b"[20/11/2026, 09:01:00] Maya: hi\n" + b"y" * (2 * MAX_LINE_CHARS) + b"\n")
    _, error = _refusal(path, date_order=DateOrder.DMY)
    assert error.where == f"{path}!_chat.txt:2" and "2,097,152 characters" in error.problem


# ---- under the limit: linear in the length, compiled and pure Python -------------------------------


@pytest.fixture(params=["compiled", "pure-python"])
def paths(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The parser as built, or with its pure-Python header split and content builder."""
    if request.param == "pure-python":
        monkeypatch.setattr(parser_module, "split_at_headers", header_split.split_by_pattern)
        monkeypatch.setattr(assembly, "PlainMessages", None)
    return request.param


def test_a_1_000_000_character_line_parses(tmp_path: Path, timed, paths: str) -> None:
    words = ("word " * 200_000)[:1_000_000 - len(HEADER.format(2) + "Maya: ")]
    path = _export(tmp_path, HEADER.format(1) + "Maya: hi", HEADER.format(2) + "Maya: " + words,
                   HEADER.format(3) + "Bob: ok")
    with timed(f"parse a 1,000,000-character line ({paths})"):
        entries = list(parse_export(path, date_order=DateOrder.DMY))
    assert [entry.text for entry in entries] == ["hi", words, "ok"]


def test_a_16_mib_message_of_many_lines_parses(tmp_path: Path, timed, paths: str) -> None:
    """An entry over thousands of blocks: its body is joined once, not copied for each block."""
    continuation = ["- item %07d" % n for n in range(16 * MAX_LINE_CHARS // 13)]
    path = _export(tmp_path, HEADER.format(1) + "Maya: Order:", *continuation, HEADER.format(2) + "Bob: ok")
    with timed(f"parse a 16 MiB message of 1.3 million lines ({paths})"):
        entries = list(parse_export(path, date_order=DateOrder.DMY))
    assert [entry.line_number for entry in entries] == [1, len(continuation) + 2]
    assert entries[0].text == "\n".join(["Order:", *continuation])


# Lines under the limit built to make a pattern scan again from each of their characters: spaces
# before an ending ">" (the edited marker's pattern), a "name" of many group-event verbs (the
# quoted event's), a run of "\r" inside a line (the line end's). Each once took minutes at this size.
_SIZE = 500_000
_HOSTILE = [  # what, the line after its header, and the entry's author, text and whether it was edited
    ("spaces before a closing >", "Maya: a" + " " * _SIZE + ">", "Maya", "a" + " " * _SIZE + ">", False),
    ("spaces then an edited marker", "Maya: a" + " " * _SIZE + "<This message was edited>", "Maya", "a", True),
    ("group-event verbs in the name", "created " * (_SIZE // 8) + ": hi", ("created " * (_SIZE // 8)).strip(),
     "hi", False),
    ("a run of carriage returns", "Maya: " + "\r" * _SIZE + "x", "Maya", "\r" * _SIZE + "x", False),
]


@pytest.mark.parametrize("what, body, author, text, edited", _HOSTILE, ids=[case[0] for case in _HOSTILE])
def test_lines_that_once_made_patterns_quadratic(tmp_path: Path, timed, paths: str, what: str, body: str,
                                                 author: str, text: str, edited: bool) -> None:
    path = _export(tmp_path, HEADER.format(1) + "Maya: hi", HEADER.format(2) + body, HEADER.format(3) + "Bob: ok")
    with timed(f"parse a {_SIZE:,}-character line of {what} ({paths})"):
        entries = list(parse_export(path, date_order=DateOrder.DMY))
    assert [entry.line_number for entry in entries] == [1, 2, 3]
    second = entries[1]
    assert (second.author, second.text, second.timestamp) == (author, text, datetime(2026, 11, 20, 9, 2))
    assert second.type is MessageType.TEXT and second.edited is edited
