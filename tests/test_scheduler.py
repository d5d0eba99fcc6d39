"""The scheduler, with small notebooks standing in for the sync (so what is tested is the
schedule, not the org): ticks on the schedule, a tick skipped while the previous run goes on, a
failed run recorded and the next one run, the store lock refusing a second scheduler, SIGTERM
stopping it cleanly (the kernel interrupted, the lock released), and retention.

Times are asserted as order and generous bounds only: the machine may be busy."""
from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import time
from datetime import date, datetime, timezone
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from nbformat.v4 import new_code_cell, new_notebook
from sqlalchemy import select

from eazybe_tasks.scheduler.execution import KERNEL
from eazybe_tasks.scheduler.loop import SCHEDULER_LOCK, Scheduler
from eazybe_tasks.scheduler.runs_folder import ABANDONED, FAILED, SKIPPED, SUCCEEDED, RunsFolder
from eazybe_tasks.scheduler.settings import SchedulerSettings
from eazybe_tasks.store.locks import acquire
from eazybe_tasks.store.schema import locks
from eazybe_tasks.store.store import open_store
from repo_paths import REPO

PARAMETERS = 'org_name = "local"\nmode = "sync"\ndays = 3\ndry_run = False\napi_share = 0.1\nproject_dir = None'


def notebook(path: Path, body: str) -> Path:
    """A notebook with the sync notebook's parameters and one cell of `body`."""
    parameters = new_code_cell(PARAMETERS)
    parameters.metadata["tags"] = ["parameters"]
    nbformat.write(new_notebook(cells=[parameters, new_code_cell(body)],
                                metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                         "language": "python"}}), path)
    return path


def settings(tmp_path: Path, body: str, **more: object) -> SchedulerSettings:
    return SchedulerSettings(
        runs_dir=tmp_path / "runs", store_url=f"sqlite:///{tmp_path / 'store.db'}", project_dir=tmp_path,
        notebook=notebook(tmp_path / "job.ipynb", body), **more,  # type: ignore[arg-type]
    )


def started(entry) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.fromisoformat(entry.started)


def test_the_kernel_is_the_virtual_environments() -> None:
    spec = KernelSpecManager().get_kernel_spec(KERNEL)
    assert Path(spec.resource_dir).is_relative_to(Path(sys.prefix))
    assert spec.argv[0] == "python"  # which jupyter_client starts as sys.executable, this venv's python


def test_the_kernel_speaks_ipc_and_warns_of_nothing(tmp_path: Path) -> None:
    """Over TCP, ipykernel warns on every start that anyone on the machine may listen in."""
    job = notebook(tmp_path / "job.ipynb", "from ipykernel.kernelapp import IPKernelApp\n"
                                           "print(IPKernelApp.instance().transport)")
    script = ("import sys; from pathlib import Path; from eazybe_tasks.scheduler.execution import KernelHandle, execute; "
              "execute(Path(sys.argv[1]), Path(sys.argv[2]), {}, Path(sys.argv[3]), None, KernelHandle())")
    ran = subprocess.run([sys.executable, "-c", script, job, tmp_path / "out.ipynb", tmp_path],
                         capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[-1].outputs[0]["text"].strip() == "ipc"
    assert "without encryption" not in ran.stderr + ran.stdout
    assert "WARNING" not in ran.stderr, ran.stderr


def test_runs_on_schedule_and_keeps_each_notebook(tmp_path: Path) -> None:
    entries = Scheduler(settings(tmp_path, "print('ran in', project_dir)", interval_s=2, max_runs=3)).run()
    assert len(entries) == 3
    ran = [e for e in entries if e.status == SUCCEEDED]
    assert ran and {e.status for e in entries} <= {SUCCEEDED, SKIPPED}
    assert all("still going" in e.error for e in entries if e.status == SKIPPED)
    first = started(entries[0])
    for entry in ran[1:]:  # a run starts on a tick: a whole number of intervals after the first, never early
        offset = (started(entry) - first).total_seconds()
        assert offset >= 1.99 and offset % 2 < 1.5, offset
    for entry in ran:
        day, name = entry.notebook.split("/")
        assert day == started(entry).strftime("%Y-%m-%d") and name.startswith("sync-") and name.endswith(".ipynb")
        executed = nbformat.read(tmp_path / "runs" / entry.notebook, as_version=4)
        assert executed.cells[-1].outputs[0]["text"].strip() == f"ran in {tmp_path}"
    assert RunsFolder(tmp_path / "runs").entries() == entries
    with open_store(f"sqlite:///{tmp_path / 'store.db'}").engine.connect() as connection:
        assert connection.execute(select(locks)).all() == []  # released after every run


def test_a_tick_during_a_long_run_is_skipped(tmp_path: Path) -> None:
    entries = Scheduler(settings(tmp_path, "import time; time.sleep(3)", interval_s=1, max_runs=3)).run()
    assert entries[0].status == SUCCEEDED
    assert [e.status for e in entries[1:]].count(SKIPPED) >= 1
    skipped = next(e for e in entries if e.status == SKIPPED)
    assert skipped.notebook is None and "the previous run" in skipped.error and "still going" in skipped.error


def test_a_failed_run_is_recorded_and_the_schedule_goes_on(tmp_path: Path) -> None:
    body = """
from pathlib import Path
counter = Path(project_dir) / "runs-so-far"
runs = int(counter.read_text()) if counter.exists() else 0
counter.write_text(str(runs + 1))
if runs == 0:
    raise RuntimeError("the org is down")
print("second run fine")
"""
    entries = Scheduler(settings(tmp_path, body, interval_s=1, max_runs=4)).run()
    statuses = [e.status for e in entries]
    assert statuses[0] == FAILED and SUCCEEDED in statuses[1:]
    assert entries[0].error == "RuntimeError: the org is down"
    failed = nbformat.read(tmp_path / "runs" / entries[0].notebook, as_version=4)
    assert any(output.get("ename") == "RuntimeError" for output in failed.cells[-1].outputs)


def test_a_sync_already_running_makes_the_run_a_skip(tmp_path: Path) -> None:
    """The notebook's sync refused with LockHeld (someone ran sync_whatsapp meanwhile)."""
    body = "from eazybe_tasks.store.locks import LockHeld\nraise LockHeld(\"lock 'sync' is held by elsewhere\")"
    entry = Scheduler(settings(tmp_path, body)).tick()
    assert entry.status == SKIPPED and entry.error == "LockHeld: lock 'sync' is held by elsewhere"
    assert entry.notebook is not None


def test_a_second_scheduler_on_the_same_store_is_refused(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    lease = acquire(store.engine, SCHEDULER_LOCK)  # another scheduler's run in progress
    try:
        refused = Scheduler(settings(tmp_path, "")).tick()
    finally:
        lease.release()
    assert refused.status == SKIPPED and refused.notebook is None
    assert refused.error.startswith("lock 'scheduler' is held by")
    assert Scheduler(settings(tmp_path, "")).tick().status == SUCCEEDED  # once released, the next tick runs


def _scheduler_process(tmp_path: Path, body: str, *more: str) -> subprocess.Popen[str]:
    job = notebook(tmp_path / "job.ipynb", body)
    return subprocess.Popen(
        [sys.executable, "-m", "eazybe_tasks.scheduler", "--notebook", str(job), "--runs-dir", str(tmp_path / "runs"),
         "--store-url", f"sqlite:///{tmp_path / 'store.db'}", "--project-dir", str(tmp_path), *more],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def _wait_for(condition, what: str, timeout: float = 90) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


SLOW_RUN = """
import os, time
from pathlib import Path
(Path(project_dir) / "kernel-pid").write_text(str(os.getpid()))
try:
    time.sleep(120)
finally:
    (Path(project_dir) / "interrupted").write_text("the sync's finally blocks ran")
"""


def test_sigterm_abandons_the_run_in_progress_cleanly(tmp_path: Path) -> None:
    """A run that outlasts the grace is interrupted as Ctrl-C would (its finally blocks run), the
    tick is recorded as abandoned, the lock released, and the process exits 0."""
    process = _scheduler_process(tmp_path, SLOW_RUN, "--interval", "600", "--grace", "1")
    try:
        # A second scheduler on the same store meanwhile: refused by the lock, its tick recorded.
        _wait_for(lambda: (tmp_path / "kernel-pid").exists(), "the first scheduler's run to start")
        second = _scheduler_process(tmp_path, "", "--max-runs", "1")
        assert second.wait(timeout=120) == 0, second.stdout.read() if second.stdout else ""
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=120)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert (tmp_path / "interrupted").read_text() == "the sync's finally blocks ran"
    entries = RunsFolder(tmp_path / "runs").entries()
    refused = next(e for e in entries if e.status == SKIPPED)
    assert refused.error.startswith("lock 'scheduler' is held by") and refused.scheduler != entries[-1].scheduler
    abandoned = entries[-1]
    assert abandoned.status == ABANDONED and abandoned.error.startswith("stopped by a signal (KeyboardInterrupt")
    with open_store(f"sqlite:///{tmp_path / 'store.db'}").engine.connect() as connection:
        assert connection.execute(select(locks)).all() == []
    kernel = int((tmp_path / "kernel-pid").read_text())
    _wait_for(lambda: not _alive(kernel), "the kernel to exit", timeout=30)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return not Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def test_sigterm_between_runs_stops_at_once(tmp_path: Path) -> None:
    process = _scheduler_process(tmp_path, "", "--interval", "600")
    try:
        _wait_for(lambda: (tmp_path / "runs").exists() and RunsFolder(tmp_path / "runs").entries(), "the first run")
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 0, output
    assert [e.status for e in RunsFolder(tmp_path / "runs").entries()] == [SUCCEEDED]
    assert "scheduler stopped after 1 ticks" in output


def test_retention_deletes_day_folders_older_than_keep_days(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    for day in ("2026-11-01", "2026-11-18", "2026-11-19", "2026-11-25"):
        (runs / day).mkdir(parents=True)
        (runs / day / "sync-120000.ipynb").write_text("{}")
    (runs / "notes").mkdir()
    removed = RunsFolder(runs).prune(date(2026, 11, 25), keep_days=7)
    assert sorted(p.name for p in removed) == ["2026-11-01", "2026-11-18"]
    assert sorted(p.name for p in runs.iterdir()) == ["2026-11-19", "2026-11-25", "notes"]


def test_a_tick_applies_the_retention(tmp_path: Path) -> None:
    old = tmp_path / "runs" / "2020-01-01"
    old.mkdir(parents=True)
    Scheduler(settings(tmp_path, "", keep_days=2)).tick()
    assert not old.exists()


def test_index_lines_and_unique_notebook_names(tmp_path: Path) -> None:
    folder = RunsFolder(tmp_path / "runs")
    at = datetime.fromisoformat("2026-11-25T12:00:05+00:00")
    first = folder.notebook_path(at)
    first.write_text("{}")
    assert folder.relative(first) == "2026-11-25/sync-120005.ipynb"
    assert folder.relative(folder.notebook_path(at)) == "2026-11-25/sync-120005-2.ipynb"
    line = {"started": at.isoformat(), "finished": at.isoformat(), "status": SUCCEEDED,
            "notebook": "2026-11-25/sync-120005.ipynb", "error": None, "scheduler": "host:1",
            "report": "Run 1 (sync): 2 chat-days planned, 2 written"}
    (tmp_path / "runs" / "2026-11-25" / "index.jsonl").write_text(json.dumps(line) + "\n")
    assert [e.__dict__ for e in folder.entries()] == [line]


def test_the_store_url_reaches_the_kernel_but_not_the_notebook(tmp_path: Path) -> None:
    """A store URL may hold a password: the kernel gets it in its environment, the kept notebook
    never sees it as a parameter."""
    chosen = settings(tmp_path, "import os\nprint(os.environ['EAZYBE_STORE_URL'].startswith('sqlite:///'))")
    entry = Scheduler(chosen).tick()
    executed = nbformat.read(tmp_path / "runs" / entry.notebook, as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == "True"
    assert "store.db" not in json.dumps(executed)
    assert "s3cret" not in json.dumps(SchedulerSettings(store_url="postgresql://u:s3cret@db/x").parameters())


@pytest.mark.parametrize("bad", [{"interval_s": 0}, {"keep_days": 0}, {"max_runs": 0}, {"mode": "someday"}])
def test_settings_refuse_nonsense(bad: dict) -> None:
    with pytest.raises(ValueError):
        SchedulerSettings(**bad)


def test_runs_folders_opened_by_an_earlier_version_are_closed(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    (runs / "2026-12-01").mkdir(parents=True, mode=0o755)
    os.chmod(runs, 0o755)
    folder = RunsFolder(runs)
    notebook = folder.notebook_path(datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc))
    assert notebook.parent == runs / "2026-12-01"
    assert [stat.S_IMODE(p.stat().st_mode) for p in (runs, notebook.parent)] == [0o700, 0o700]
