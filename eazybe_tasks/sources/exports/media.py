"""Message type and MIME type of a media file named in an export.

WhatsApp names exported media by kind (``00000012-PHOTO-...jpg``, ``IMG-20200101-WA0001.jpg``,
``PTT-...opus`` for voice notes); the name is more precise than the extension (a sticker is a
.webp image, a GIF an .mp4 video), so the tag wins and the MIME type is the fallback.
"""
from __future__ import annotations

import mimetypes
import posixpath
import re

from eazybe_tasks.sources.model import MessageType

_TYPE_BY_TAG = {
    "PHOTO": MessageType.IMAGE, "IMG": MessageType.IMAGE,
    "VIDEO": MessageType.VIDEO, "VID": MessageType.VIDEO, "GIF": MessageType.VIDEO,
    "AUDIO": MessageType.AUDIO, "AUD": MessageType.AUDIO, "PTT": MessageType.VOICE,
    "STICKER": MessageType.STICKER, "STK": MessageType.STICKER,
    "DOC": MessageType.DOCUMENT,
}
_TAG = re.compile(r"(?:\d{8}-)?([A-Z]+)-\d")
_TYPE_BY_MIME_MAJOR = {"image": MessageType.IMAGE, "video": MessageType.VIDEO, "audio": MessageType.AUDIO}

# Built-in table only: the result must not depend on the host's /etc/mime.types.
_MIME = mimetypes.MimeTypes(filenames=())
_MIME.add_type("image/webp", ".webp")
_MIME.add_type("text/vcard", ".vcf")
_MIME.add_type("audio/ogg", ".opus")
_MIME.add_type("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")


# Extensions mimetypes reads together with the one before them (".tar.gz"): never remembered.
_COMPOUND = {e.lower() for e in (*_MIME.suffix_map, *_MIME.encodings_map)}
_BY_EXTENSION: dict[str, str | None] = {}  # mimetypes' lookup is slow; a chat reuses few extensions
_REMEMBERED = 1_000


def mime_type(file_name: str) -> str | None:
    """What mimetypes' built-in table says, remembered per extension for plain names."""
    extension = posixpath.splitext(file_name)[1].lower()
    if ":" in file_name or extension in _COMPOUND:  # a URL scheme, or a compound extension
        return _MIME.guess_type(file_name, strict=False)[0]
    if extension not in _BY_EXTENSION:
        if len(_BY_EXTENSION) >= _REMEMBERED:
            _BY_EXTENSION.clear()
        _BY_EXTENSION[extension] = _MIME.guess_type(f"file{extension}", strict=False)[0]
    return _BY_EXTENSION[extension]


def media_type(file_name: str) -> MessageType:
    tag = _TAG.match(file_name)
    if tag and tag.group(1) in _TYPE_BY_TAG:
        return _TYPE_BY_TAG[tag.group(1)]
    mime = mime_type(file_name)
    if mime in ("text/vcard", "text/x-vcard"):
        return MessageType.CONTACTS
    return _TYPE_BY_MIME_MAJOR.get((mime or "").split("/")[0], MessageType.DOCUMENT)
