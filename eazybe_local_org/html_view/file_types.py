"""How a stored file goes back to a browser: its content type, and whether it is safe to show
inline. Only raster images are shown in the page; anything else (SVG and HTML included, which
could carry script) is a download."""
from __future__ import annotations

import mimetypes

INLINE_IMAGE_EXTENSIONS = frozenset({"png", "jpg", "jpeg", "gif", "webp", "bmp"})


def is_inline_image(extension: str) -> bool:
    return extension.lower() in INLINE_IMAGE_EXTENSIONS


def content_type(extension: str) -> str:
    guessed, _ = mimetypes.guess_type(f"file.{extension}") if extension else (None, None)
    return guessed or "application/octet-stream"


def readable_size(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024**2:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024**2:.1f} MB"
