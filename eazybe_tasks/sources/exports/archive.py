"""Where the chat text comes from: a plain .txt export, or a .zip export with its media.

A zip holds one chat .txt plus the media it names; macOS adds ``__MACOSX/`` and ``._*`` shadow
files, which are skipped. Zip damage can surface at any read, so every read is guarded and turned
into a SourceError naming the member.

A zip is untrusted input that can expand a thousandfold (a "zip bomb"), so it is held to hard
limits, checked twice: first against the sizes its directory declares, when it is opened (a bomb is
refused before a byte is decompressed), then against the bytes actually read, counted while each
member is streamed (declared sizes can lie). A member is never read past its limit:

- the chat text: at most `MAX_CHAT_TEXT` (256 MiB, far beyond any chat WhatsApp exports);
- each media file: at most `MAX_MEDIA_FILE` (100 MiB, the Cloud API's limit for a document, the
  largest media kind);
- all members together, and all media bytes handed out in one read of the chat (a file may be
  named again and again): at most `MAX_TOTAL` (2 GiB, WhatsApp's own limit for a shared file);
- a member over `RATIO_FLOOR` (1 MiB) may expand at most `MAX_RATIO` (100) times its compressed
  size: chat text deflates about 5:1 and media hardly at all, while zeros deflate 1000:1.

A member whose name is absolute or holds a ``..`` part is refused with the whole zip: WhatsApp never
writes one, and its base name must not pass for a file the chat names.

A plain .txt has no such limits: reading it takes time in proportion to its size on disk, in flat
memory.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from eazybe_tasks.sources.model import SourceError

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)
_MEDIA_NAME = re.compile(r"\d{8}-")  # iOS media prefix; a .txt so named is a shared document
# Bytes per read. Per-read costs vanish already, and a block's text (up to 4 bytes a character)
# stays in the CPU cache; larger blocks parse slower, and their peak memory creeps up.
CHUNK = 12 << 10
MEDIA_CHUNK = 1 << 20  # bytes per read of a media member

MiB = 1 << 20
MAX_CHAT_TEXT = 256 * MiB
MAX_MEDIA_FILE = 100 * MiB
MAX_TOTAL = 2048 * MiB
MAX_RATIO = 100
RATIO_FLOOR = 1 * MiB

# While set, media lookups check the member (sizes, bytes, CRC) without keeping its bytes: a first
# look at the chat needs its authors, not its media.
_CHECK_ONLY: ContextVar[bool] = ContextVar("media_checked_only", default=False)


@dataclass(frozen=True)
class ChatText:
    where: str  # names the text in errors: the file, or "archive.zip!member"
    size: int  # bytes, for the progress bar
    chunks: Callable[[], Iterator[bytes]]  # a fresh pass over the text, in blocks of `CHUNK` bytes
    media: Callable[[str], bytes | None]  # bytes of a file the chat names, None if not exported


@contextmanager
def media_checked_only() -> Iterator[None]:
    """Within it, a zip's media are read through and checked, but looked up as not exported."""
    token = _CHECK_ONLY.set(True)
    try:
        yield
    finally:
        _CHECK_ONLY.reset(token)


@contextmanager
def open_chat(path: Path) -> Iterator[ChatText]:
    if path.suffix.lower() == ".zip":
        with _open_zip(path) as chat:
            yield chat
        return
    try:
        size = path.stat().st_size
    except OSError as error:
        raise SourceError(str(path), f"cannot read the export: {error.strerror}") from None
    yield ChatText(str(path), size, lambda: _file_chunks(path), lambda name: None)


def _file_chunks(path: Path) -> Iterator[bytes]:
    try:
        stream = path.open("rb")
    except OSError as error:
        raise SourceError(str(path), f"cannot read the export: {error.strerror}") from None
    with stream:
        yield from iter(lambda: stream.read(CHUNK), b"")


def size_text(size: int) -> str:
    """Bytes as people read them: "1.0 GiB", "256 MiB", "512 bytes"."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", MiB), ("KiB", 1 << 10)):
        if size >= scale:
            value = size / scale
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{size} bytes"


def unsafe_member_name(name: str) -> bool:
    """Absolute ("/x", "C:x", "\\\\x") or climbing out ("../x", "a/../../x"), with either slash."""
    normalized = name.replace("\\", "/")
    return (normalized.startswith("/") or re.match(r"[A-Za-z]:", normalized) is not None
            or ".." in normalized.split("/"))


def _skipped(info: zipfile.ZipInfo) -> bool:
    """Directories and macOS shadow files: never read."""
    return (info.is_dir() or info.filename.startswith("__MACOSX/")
            or PurePosixPath(info.filename).name.startswith("._"))


def _check_directory(path: Path, members: list[zipfile.ZipInfo], chat: zipfile.ZipInfo) -> None:
    """The limits, against the sizes the zip's directory declares: no member is read yet."""
    total = 0
    for info in members:
        where = f"{path}!{info.filename}"
        limit, what = (MAX_CHAT_TEXT, "a chat text") if info is chat else (MAX_MEDIA_FILE, "a media file")
        if info.file_size > limit:
            raise SourceError(where, f"declares {size_text(info.file_size)} uncompressed; {what} may have at "
                              f"most {size_text(limit)}: the zip is refused")
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise SourceError(where, f"expands {info.file_size // max(info.compress_size, 1)}:1 "
                              f"({size_text(info.compress_size)} to {size_text(info.file_size)}); more than "
                              f"{MAX_RATIO}:1 is a zip bomb, not a chat export: the zip is refused")
        total += info.file_size
    if total > MAX_TOTAL:
        raise SourceError(str(path), f"its members declare {size_text(total)} uncompressed in all; an "
                          f"export may have at most {size_text(MAX_TOTAL)}: the zip is refused")


def _counted(stream: Iterator[bytes], where: str, declared: int, limit: int, what: str) -> Iterator[bytes]:
    """The blocks of a member, refused as soon as they pass its declared size or its limit."""
    read = 0
    for block in stream:
        read += len(block)
        if read > declared:
            raise SourceError(where, f"holds more than the {size_text(declared)} it declares: the zip is refused")
        if read > limit:
            raise SourceError(where, f"holds more than {size_text(limit)}, the most {what} may have: "
                              "the zip is refused")
        yield block


@contextmanager
def _open_zip(path: Path) -> Iterator[ChatText]:
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as error:
        raise SourceError(str(path), f"not a readable zip export (truncated or corrupt?): {error}") from None
    with archive:
        infos = archive.infolist()
        for info in infos:
            if unsafe_member_name(info.filename):
                raise SourceError(f"{path}!{info.filename}", "member name is absolute or climbs out with '..': "
                                  "WhatsApp never writes one, so the zip is refused")
        members = [info for info in infos if not _skipped(info)]
        chat = _chat_member(members)
        if chat is None:
            raise SourceError(str(path), "the zip holds no chat .txt file")
        _check_directory(path, members, chat)
        where = f"{path}!{chat.filename}"
        media = {PurePosixPath(info.filename).name: info for info in members if info is not chat}
        handed_out = 0  # media bytes returned by this opening: a file the chat names 10,000 times counts so
        checked: set[str] = set()  # members read through by media_checked_only

        def chunks() -> Iterator[bytes]:
            try:
                with archive.open(chat) as stream:
                    yield from _counted(iter(lambda: stream.read(CHUNK), b""), where, chat.file_size,
                                        MAX_CHAT_TEXT, "a chat text")
            except _ZIP_ERRORS as error:
                raise SourceError(where, f"corrupt zip member: {error}") from None

        def media_bytes(name: str) -> bytes | None:
            nonlocal handed_out
            info = media.get(name)
            if info is None:
                return None
            member = f"{path}!{info.filename}"
            check_only = _CHECK_ONLY.get()
            if check_only and info.filename in checked:
                return None
            if not check_only and handed_out + info.file_size > MAX_TOTAL:
                raise SourceError(member, f"the chat names media of more than {size_text(MAX_TOTAL)} in all "
                                  "(a file named again and again?): the zip is refused")
            blocks: list[bytes] = []
            try:
                with archive.open(info) as stream:
                    for block in _counted(iter(lambda: stream.read(MEDIA_CHUNK), b""), member, info.file_size,
                                          MAX_MEDIA_FILE, "a media file"):
                        if not check_only:
                            blocks.append(block)
            except _ZIP_ERRORS as error:
                raise SourceError(member, f"corrupt zip member: {error}") from None
            if check_only:
                checked.add(info.filename)
                return None
            content = b"".join(blocks)
            handed_out += len(content)
            return content

        yield ChatText(where, chat.file_size, chunks, media_bytes)


def _chat_member(members: list[zipfile.ZipInfo]) -> zipfile.ZipInfo | None:
    """The chat text: ``_chat.txt`` (iOS) or the top-most .txt not named like exported media."""
    texts = [info for info in members if info.filename.lower().endswith(".txt")]
    if not texts:
        return None
    return min(texts, key=lambda info: (
        PurePosixPath(info.filename).name != "_chat.txt",
        bool(_MEDIA_NAME.match(PurePosixPath(info.filename).name)),
        info.filename.count("/"),
        info.filename,
    ))
