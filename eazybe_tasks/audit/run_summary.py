"""What one sync run did, as tables for the executed sync notebook: the run's record, the
chat-days it wrote, the numbers that matched nobody, the people it kept out and the writes that
failed. Everything comes from the store, through the audit's own queries, so an executed
notebook and the audit agree."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from eazybe_tasks.audit.ledger_queries import failed_in_run, written_by_run
from eazybe_tasks.audit.outcome_queries import do_not_log_skips, unmatched_numbers
from eazybe_tasks.audit.run_queries import run_record


@dataclass(frozen=True)
class RunSummary:
    run: pd.DataFrame  # one row: the sync_runs record, API calls included
    written: pd.DataFrame  # chat-day records this run sent to Salesforce
    unmatched: pd.DataFrame  # customer numbers that matched no Contact or Lead
    do_not_log: pd.DataFrame  # people marked WhatsApp Do Not Log whose messages were kept out
    failures: pd.DataFrame  # chat-days whose write Salesforce refused, with its error code


def summarize_run(engine: Engine, run_id: int) -> RunSummary:
    return RunSummary(
        run=run_record(engine, run_id),
        written=written_by_run(engine, run_id),
        unmatched=unmatched_numbers(engine, run_id),
        do_not_log=do_not_log_skips(engine, run_id),
        failures=failed_in_run(engine, run_id),
    )
