"""The chaos suite, CI-sized: faults injected by the local org and a sync process killed at
random moments, run after run until nothing is pending; then the org holds exactly what the
inputs say, computed independently of the engine. Seeded: a failure reproduces."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from chaos_scenario import CI_SIZE, build, compare, expected_records, load, run_chaos
from eazybe_tasks.store.store import open_store
from local_org_fixture import RunningOrg


def test_chaos_loses_and_doubles_nothing(deployed_org: RunningOrg, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    store_url = f"sqlite:///{tmp_path / 'store.db'}"
    store = open_store(store_url)
    scenario = build(CI_SIZE, datetime.now(timezone.utc))
    person_of = load(scenario, store, deployed_org.org_client())
    stats = run_chaos(deployed_org, store, store_url, CI_SIZE)
    verdict = compare(deployed_org.client(), expected_records(scenario, person_of), person_of)
    with capsys.disabled():  # the figures belong in CI's output
        print(f"\nchaos: {len(scenario.messages)} messages, {sum(stats.faults.values())} faults {dict(stats.faults)}, "
              f"{stats.kills} kills, {stats.runs} runs ({stats.failed_runs} failed); {verdict.expected_records} "
              f"chat-day records expected; {stats.lease_overruns} lease overruns; lost {verdict.lost}, "
              f"duplicated {verdict.duplicated}")
    assert stats.kills == CI_SIZE.kills and sum(stats.faults.values()) > 0 and stats.lease_overruns >= 1
    assert (verdict.lost, verdict.duplicated) == (0, 0), verdict.examples[:10]
    assert verdict.expected_records > 100

    # The comparison sees damage: a record deleted, a note written twice.
    sf = deployed_org.client()
    contact_record = sf.query("SELECT Id, Name, Contact__c, Transcript__c FROM WhatsApp_Chat__c "
                              "WHERE Contact__c != null LIMIT 1")["records"][0]
    sf.Note.create({"ParentId": contact_record["Contact__c"], "Title": contact_record["Name"],
                    "Body": contact_record["Transcript__c"]})
    sf.WhatsApp_Chat__c.delete(sf.query("SELECT Id FROM WhatsApp_Chat__c WHERE Lead__c != null LIMIT 1")["records"][0]["Id"])
    damaged = compare(sf, expected_records(scenario, person_of), person_of)
    assert (damaged.missing, damaged.notes_duplicated) == (1, 1)
