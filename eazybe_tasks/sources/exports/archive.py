"""Where the chat text comes from: a plain .txt export, or a .zip export with its media.

A zip holds one chat .txt plus the media it names; macOS adds ``__MACOSX/`` and ``._*`` shadow
files, which are skipped. Zip damage can surface at any read, so every read is guarded and turned
into a SourceError naming the member.
"""
from __future__ import annotations

import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable

from eazybe_tasks.sources.model import SourceError

_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError)
_MEDIA_NAME = re.compile(r"\d{8}-")  # iOS media prefix; a .txt so named is a shared document
# Bytes per read. Per-read costs vanish already, and a block's text (up to 4 bytes a character)
# stays in the CPU cache; larger blocks parse slower, and their peak memory creeps up.
CHUNK = 12 << 10


@dataclass(frozen=True)
class ChatText:
    where: str  # names the text in errors: the file, or "archive.zip!member"
    size: int  # bytes, for the progress bar
    chunks: Callable[[], Iterator[bytes]]  # a fresh pass over the text, in blocks of `CHUNK` bytes
    media: Callable[[str], bytes | None]  # bytes of a file the chat names, None if not exported


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


@contextmanager
def _open_zip(path: Path) -> Iterator[ChatText]:
    try:
        archive = zipfile.ZipFile(path)
    except _ZIP_ERRORS as error:
        raise SourceError(str(path), f"not a readable zip export (truncated or corrupt?): {error}") from None
    with archive:
        members = [
            info for info in archive.infolist()
            if not info.is_dir() and not info.filename.startswith("__MACOSX/")
            and not PurePosixPath(info.filename).name.startswith("._")
        ]
        chat = _chat_member(members)
        if chat is None:
            raise SourceError(str(path), "the zip holds no chat .txt file")
        where = f"{path}!{chat.filename}"
        media = {PurePosixPath(info.filename).name: info for info in members if info is not chat}

        def chunks() -> Iterator[bytes]:
            try:
                with archive.open(chat) as stream:
                    yield from iter(lambda: stream.read(CHUNK), b"")
            except _ZIP_ERRORS as error:
                raise SourceError(where, f"corrupt zip member: {error}") from None

        def media_bytes(name: str) -> bytes | None:
            info = media.get(name)
            if info is None:
                return None
            try:
                return archive.read(info)
            except _ZIP_ERRORS as error:
                raise SourceError(f"{path}!{info.filename}", f"corrupt zip member: {error}") from None

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
