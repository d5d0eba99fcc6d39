"""One execution of the sync notebook with papermill, on a kernel this module starts itself, so
that the scheduler can interrupt it (the sync then stops as on Ctrl-C and releases its lock) or,
if that does not end it, kill it (the kernel: see notebook_kernel)."""
from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Any

import nbformat
import papermill
from jupyter_client.manager import KernelManager
from papermill.exceptions import PapermillExecutionError

from eazybe_tasks.notebook_kernel import KERNEL, ipc_kernel
REPORT_TAG = "report"  # the sync notebook's cell whose output says what the run did
START_TIMEOUT_S = 120


class KernelHandle:
    """The kernel of the execution in progress, shared with the thread that watches it."""

    def __init__(self) -> None:
        self._pid: int | None = None
        self._lock = threading.Lock()

    def attach(self, manager: KernelManager) -> None:
        with self._lock:
            self._pid = manager.provisioner.pid if manager.provisioner else None

    def detach(self) -> None:
        with self._lock:
            self._pid = None

    def _signal(self, number: int) -> bool:
        with self._lock:
            if self._pid is None:
                return False
            try:
                os.kill(self._pid, number)
            except ProcessLookupError:
                return False
            return True

    def interrupt(self) -> bool:
        """Ctrl-C for the running cell: KeyboardInterrupt in the sync, whose locks are released."""
        return self._signal(signal.SIGINT)

    def kill(self) -> bool:
        return self._signal(signal.SIGKILL)


def execute(notebook: Path, output: Path, parameters: dict[str, Any], cwd: Path, environment: dict[str, str] | None,
            handle: KernelHandle) -> None:
    """Executes `notebook` into `output` (written after every cell, so an abandoned run leaves
    what it did). Raises PapermillExecutionError when a cell failed."""
    with ipc_kernel(cwd, environment) as manager:
        handle.attach(manager)
        try:
            papermill.execute_notebook(
                str(notebook), str(output), parameters=parameters, kernel_name=KERNEL, km=manager,
                progress_bar=False, request_save_on_cell_execute=True, start_timeout=START_TIMEOUT_S,
            )
        finally:
            handle.detach()


def describe(error: BaseException) -> str:
    """The failed cell's exception as the notebook shows it, or the execution's own error."""
    if isinstance(error, PapermillExecutionError):
        return f"{error.ename}: {error.evalue}"
    return f"{type(error).__name__}: {error}"


def failed_with(error: BaseException, name: str) -> bool:
    """Whether the notebook failed on an exception of this class name (e.g. LockHeld)."""
    return isinstance(error, PapermillExecutionError) and error.ename == name


def report_of(executed: Path) -> str | None:
    """What the run did, in the words of the executed notebook's cell tagged "report", if any."""
    try:
        notebook = nbformat.read(executed, as_version=4)
    except (OSError, ValueError):
        return None
    for cell in notebook.cells:
        if REPORT_TAG in cell.metadata.get("tags", []):
            for output in cell.get("outputs", []):
                text = output.get("data", {}).get("text/markdown") or output.get("data", {}).get("text/plain")
                if text:
                    return text.replace("**", "")
    return None
