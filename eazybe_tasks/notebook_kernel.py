"""The Jupyter kernel a notebook of the project runs on under papermill: the `python3` kernel spec,
which jupyter_client starts with the running interpreter (so the project's virtual environment is
the kernel's), spoken to over IPC, Unix sockets in a private folder, rather than TCP on loopback:
no other user of the machine can reach it, and ipykernel has no unencrypted TCP to warn about."""
from __future__ import annotations

import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from jupyter_client.manager import KernelManager

KERNEL = "python3"


@contextmanager
def ipc_kernel(cwd: Path, environment: dict[str, str] | None = None) -> Iterator[KernelManager]:
    """A started kernel working in `cwd` (with `environment`, else this process's), shut down
    and its sockets removed on leaving."""
    with tempfile.TemporaryDirectory(prefix="eazybe-kernel-") as folder:
        manager = KernelManager(kernel_name=KERNEL, transport="ipc", connection_file=str(Path(folder) / "kernel.json"))
        options = {} if environment is None else {"env": environment}
        manager.start_kernel(cwd=str(cwd), **options)
        try:
            yield manager
        finally:
            manager.shutdown_kernel()
