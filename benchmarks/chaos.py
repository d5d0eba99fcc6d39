"""The chaos suite at full size: 10,000 messages over 500 chats and 5 accounts, synced into a
local org injecting faults (about one request or record in five) by a sync process SIGKILLed at
random moments, until nothing is pending; then the org is compared with the inputs.

    .venv/bin/python benchmarks/chaos.py

Before the chaos, one run stalls past its lease while another takes over (see chaos_scenario._overrun).

Last line: {"messages": ..., "faults": ..., "kills": ..., "runs": ..., "lease_overruns": ..., "lost": ...,
"duplicated": ...}"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from chaos_scenario import FULL_SIZE, build, compare, expected_records, load, run_chaos  # noqa: E402
from eazybe_tasks.store.store import open_store  # noqa: E402
from local_org_fixture import deploy_project, local_org  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="eazybe-chaos-") as folder:
        work = Path(folder)
        with local_org(work / "orgs", daily_max=1_000_000) as org:
            deploy_project(org, work / "home")
            store_url = f"sqlite:///{work / 'store.db'}"
            store = open_store(store_url)
            scenario = build(FULL_SIZE, datetime.now(timezone.utc))
            person_of = load(scenario, store, org.client())
            print(f"{len(scenario.messages):,} messages, {len(scenario.people):,} people loaded", flush=True)
            started = time.monotonic()
            stats = run_chaos(org, store, store_url, FULL_SIZE, log=lambda line: print(line, flush=True))
            elapsed = time.monotonic() - started
            verdict = compare(org.client(), expected_records(scenario, person_of), person_of)
    print(f"faults injected: {dict(stats.faults)}; {stats.failed_runs} runs failed; {elapsed:.0f} s of runs")
    print(f"{verdict.expected_records:,} chat-day records expected: {verdict.missing} missing, {verdict.extra} extra, "
          f"{verdict.wrong_transcripts} wrong transcripts, {verdict.notes_missing} notes missing, "
          f"{verdict.notes_duplicated} notes doubled, {verdict.files_missing} files missing, "
          f"{verdict.files_duplicated} files doubled")
    for example in verdict.examples[:10]:
        print("  ", example)
    print(json.dumps({"messages": len(scenario.messages), "faults": sum(stats.faults.values()), "kills": stats.kills,
                      "runs": stats.runs, "lease_overruns": stats.lease_overruns, "lost": verdict.lost,
                      "duplicated": verdict.duplicated}))


if __name__ == "__main__":
    main()
