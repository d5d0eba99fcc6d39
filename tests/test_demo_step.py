"""`make demo`'s step runner: one line per step with its duration, the step's whole output in its
numbered log file, and a failed step's log end shown with the command's own exit code."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from repo_paths import REPO


def step(logs: Path, name: str, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "eazybe_tasks.demo.step", "--logs", str(logs), name, "--", *command],
                          cwd=REPO, capture_output=True, text=True, timeout=60)


def test_a_step_prints_one_line_and_logs_everything(tmp_path: Path) -> None:
    noisy = "import sys\nfor n in range(500):\n    print('line', n); print('warn', n, file=sys.stderr)"
    done = step(tmp_path, "say a lot", sys.executable, "-c", noisy)
    assert done.returncode == 0 and done.stderr == ""
    assert re.fullmatch(r"  say a lot +\d+\.\d s\n", done.stdout), done.stdout
    log = (tmp_path / "01-say-a-lot.log").read_text()
    assert log.count("line ") == 500 and log.count("warn ") == 500


def test_a_failed_step_shows_its_log_end_and_exit_code(tmp_path: Path) -> None:
    step(tmp_path, "first", sys.executable, "-c", "pass")
    failed = step(tmp_path, "Break, loudly!", sys.executable, "-c",
                  "for n in range(100): print('progress', n)\nraise SystemExit('the org is down')")
    assert failed.returncode == 1
    log = tmp_path / "02-break-loudly.log"
    assert "failed after" in failed.stdout and str(log) in failed.stdout
    assert "the org is down" in failed.stdout and "progress 99" in failed.stdout
    assert "progress 10\n" not in failed.stdout  # only the end of the log
    assert "progress 10\n" in log.read_text()
