"""The phone directory refreshed from a real (local) deployed_org over HTTPS: first everything, then only
changes, deletions included; then linking works on what was read."""
from __future__ import annotations

from pathlib import Path


from eazybe_tasks.matching.directory import PhoneDirectory
from eazybe_tasks.matching.refresh import refresh_directory, stored_people
from eazybe_tasks.store.store import open_store
from local_org_fixture import RunningOrg


def test_refresh_then_link(deployed_org: RunningOrg, tmp_path: Path) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    jane = sf.Contact.create({"LastName": "Doe", "FirstName": "Jane", "MobilePhone": "(415) 555-0134"})["id"]
    lead = sf.Lead.create({"LastName": "Lee", "Company": "Acme", "Phone": "+1 415 555 0134"})["id"]
    private = sf.Contact.create({"LastName": "Quiet", "Phone": "+44 7700 900123", "WhatsApp_Do_Not_Log__c": True})["id"]

    first = refresh_directory(store.engine, sf)
    assert first.read == 3 and first.removed == 0
    assert refresh_directory(store.engine, sf).read == 0  # nothing changed since

    sf.Contact.update(jane, {"MobilePhone": "+1 415 555 0199"})
    sf.Lead.delete(lead)
    again = refresh_directory(store.engine, sf)
    assert (again.read, again.removed) == (2, 1)

    directory = PhoneDirectory.build(stored_people(store.engine), "US")
    assert [link.person.record_id for link in directory.links("14155550199")] == [jane]
    assert directory.links("14155550134") == []  # Jane moved, the Lead was deleted
    (quiet,) = directory.links("447700900123")
    assert quiet.person.record_id == private and not quiet.logged
