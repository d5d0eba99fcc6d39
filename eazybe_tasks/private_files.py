"""Files that hold customer data (names, numbers, what was said) readable by their owner only:
the executed sync notebooks under runs/ and the audit reports. A shared machine's other users,
and the backup agent running as someone else, must not read them."""
from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE, FILE_MODE = 0o700, 0o600


def private_folder(path: Path) -> Path:
    """The folder, made if missing, and closed to everyone but its owner even if it was open."""
    path.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
    os.chmod(path, FOLDER_MODE)
    return path


def write_private_text(path: Path, text: str) -> None:
    """Writes the file with mode 0600 from its first byte on, also when it already existed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    os.fchmod(descriptor, FILE_MODE)
    with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
        stream.write(text)
