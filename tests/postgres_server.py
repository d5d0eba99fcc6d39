"""A throwaway PostgreSQL server for the store tests: its own cluster in a temporary folder,
listening on a Unix socket only, stopped when the tests end."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _as_postgres(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root; run them as the postgres user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


@contextmanager
def postgres_server() -> Iterator[str]:
    """Yields a SQLAlchemy URL of a fresh, empty database; raises RuntimeError saying why when no
    server can be started here."""
    binaries = _binaries()
    if binaries is None:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="eazybe-pg-"))
    data, socket = folder / "data", folder / "socket"
    socket.mkdir()
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
        shutil.chown(socket, "postgres")
    try:
        subprocess.run(
            _as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                          "--no-sync", "-E", "UTF8"]),
            check=True, capture_output=True, text=True,
        )
        subprocess.run(
            _as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-w", "-l", str(folder / "log"),
                          "-o", f"-k {socket} -c listen_addresses='' -c fsync=off", "start"]),
            check=True, capture_output=True, text=True,
        )
        subprocess.run(
            _as_postgres([str(binaries / "createdb"), "-h", str(socket), "-U", "postgres", "eazybe"]),
            check=True, capture_output=True, text=True,
        )
        yield f"postgresql+psycopg2://postgres@/eazybe?host={socket}"
    except subprocess.CalledProcessError as error:
        raise RuntimeError(f"PostgreSQL did not start: {error.stderr or error.stdout}") from error
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(
                _as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                capture_output=True,
            )
        shutil.rmtree(folder, ignore_errors=True)
