"""`eazybe-scheduler`: the scheduled sync from a shell, a systemd service or a container."""
from __future__ import annotations

import argparse
import logging
from pathlib import Path

from eazybe_tasks.salesforce.api_budget import DEFAULT_SHARE
from eazybe_tasks.scheduler.loop import Scheduler
from eazybe_tasks.scheduler.settings import (
    DEFAULT_GRACE_S,
    DEFAULT_INTERVAL_S,
    DEFAULT_KEEP_DAYS,
    SchedulerSettings,
)
from eazybe_tasks.store.store import URL_VARIABLE
from eazybe_tasks.sync.run import DEFAULT_DAYS


def parse_settings(argv: list[str] | None = None) -> SchedulerSettings:
    parser = argparse.ArgumentParser(
        prog="eazybe-scheduler",
        description="Executes notebooks/sync.ipynb with papermill every --interval seconds, one run at a time "
                    "across every scheduler sharing the store; each executed notebook is kept under --runs-dir.",
    )
    parser.add_argument("--org", default="local", help="the CumulusCI org name (default: local)")
    parser.add_argument("--interval", type=float, default=DEFAULT_INTERVAL_S, help="seconds between runs (default 180)")
    parser.add_argument("--runs-dir", type=Path, default=Path("runs"), help="where executed notebooks go (default runs/)")
    parser.add_argument("--keep-days", type=int, default=DEFAULT_KEEP_DAYS, help="days of runs kept (default 7)")
    parser.add_argument("--max-runs", type=int, help="stop after this many ticks (default: run until stopped)")
    parser.add_argument("--store-url", help=f"the store's SQLAlchemy URL (default ${URL_VARIABLE}, else .eazybe/store.db)")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="how far back messages are logged (default 3)")
    parser.add_argument("--api-share", type=float, default=DEFAULT_SHARE,
                        help=f"share of the org's daily API allowance a run may use (default {DEFAULT_SHARE})")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help="the CumulusCI project (default: here)")
    parser.add_argument("--notebook", type=Path, help="the notebook to run (default: notebooks/sync.ipynb of the project)")
    parser.add_argument("--grace", type=float, default=DEFAULT_GRACE_S,
                        help="on SIGINT/SIGTERM, seconds the run in progress may still take (default 30)")
    args = parser.parse_args(argv)
    return SchedulerSettings(
        org_name=args.org, interval_s=args.interval, runs_dir=args.runs_dir, keep_days=args.keep_days,
        max_runs=args.max_runs, store_url=args.store_url, days=args.days, api_share=args.api_share,
        project_dir=args.project_dir, notebook=args.notebook, grace_s=args.grace,
    )


def main(argv: list[str] | None = None) -> None:
    settings = parse_settings(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    Scheduler(settings).run()


if __name__ == "__main__":
    main()
