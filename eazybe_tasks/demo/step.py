"""`python -m eazybe_tasks.demo.step --logs DIR NAME -- COMMAND...`: one step of `make demo`.

The command's whole output goes to a numbered log file in DIR; the terminal gets one line, the
step's name and how long it took. A failed step shows the end of its log and the log's path, and
exits with the command's own code, so make stops there."""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

TAIL_LINES = 40
NAME_WIDTH = 56


def log_path(logs: Path, name: str) -> Path:
    """The next numbered log file for a step called `name`."""
    logs.mkdir(parents=True, exist_ok=True)
    number = len(list(logs.glob("*.log"))) + 1
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return logs / f"{number:02d}-{slug}.log"


def run_step(logs: Path, name: str, command: list[str]) -> int:
    """Runs `command` with its output in the step's log; prints the step's line; its exit code."""
    path = log_path(logs, name)
    started = time.monotonic()
    with path.open("wb") as log:
        log.write(f"$ {' '.join(command)}\n".encode())
        log.flush()
        try:
            code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL).returncode
        except OSError as error:
            log.write(f"{error}\n".encode())
            code = 127
    seconds = time.monotonic() - started
    if code == 0:
        print(f"  {name:<{NAME_WIDTH}} {seconds:6.1f} s", flush=True)
        return 0
    print(f"  {name:<{NAME_WIDTH}} failed after {seconds:.1f} s (exit {code}); the end of {path}:", flush=True)
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for line in lines[-TAIL_LINES:]:
        print(f"    {line}")
    return code


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m eazybe_tasks.demo.step", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--logs", type=Path, required=True, help="the folder of the steps' log files")
    parser.add_argument("name", help="what the step does, as the terminal shows it")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command and its arguments")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given after --")
    sys.exit(run_step(args.logs, args.name, command))


if __name__ == "__main__":
    main()
