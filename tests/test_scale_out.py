"""Scale-out on a PostgreSQL store: two webhook receivers storing the same deliveries at once,
then two sync workers on different accounts running side by side. No message is lost or stored
twice, no chat-day written twice, and each worker moved only its own account."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import requests
from sqlalchemy import func, select

from asgi_server import serving
from cloud_api_deliveries import text_delivery
from eazybe_tasks.salesforce.collections_writer import create
from eazybe_tasks.sources.cloud_api import HEADER, sign
from eazybe_tasks.store.schema import messages
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import WebhookSettings
from local_org_fixture import RunningOrg
from repo_paths import REPO

SECRET = "scale-out-app-secret"
ACCOUNTS = {"+16505550100": "America/Los_Angeles", "+442079460100": "Europe/London"}
CUSTOMERS = {business: [f"+1415555{5000 + 100 * n + i:04d}" for i in range(20)] for n, business in enumerate(ACCOUNTS)}


def delivery(business: str, customer: str, n: int, at: datetime) -> bytes:
    return text_delivery(business, customer, f"wamid.{business[1:]}.{customer[1:]}.{n}", f"message {n} of {customer}",
                         at, profile=f"Customer {customer[-4:]}")


@pytest.mark.parametrize("any_store", ["postgresql"], indirect=True)
def test_two_receivers_and_two_workers(any_store: Store, postgres_url: str, deployed_org: RunningOrg, tmp_path: Path) -> None:
    blobs = tmp_path / "blobs"
    for business, zone in ACCOUNTS.items():
        any_store.register_account(business, time_zone=zone)
    settings = WebhookSettings(verify_token="token", app_secret=SECRET)
    now = datetime.now(timezone.utc)
    bodies = [delivery(business, customer, n, now - timedelta(minutes=n))
              for business, customers in CUSTOMERS.items() for customer in customers for n in range(5)]

    with serving(create_app(open_store(postgres_url, blobs), settings)) as first, \
            serving(create_app(open_store(postgres_url, blobs), settings)) as second:
        answers: list[int] = []

        def send(base: str) -> None:  # every delivery to both receivers: Meta retries, two hosts answer
            with requests.Session() as session:
                for body in bodies:
                    answers.append(session.post(base + PATH, data=body, timeout=30, headers={
                        "Content-Type": "application/json", HEADER: sign(body, SECRET)}).status_code)

        threads = [threading.Thread(target=send, args=(base,)) for base in (first, second)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert answers == [200] * (2 * len(bodies))
    with any_store.engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(messages)).scalar_one()
    assert stored == len(bodies)

    org = deployed_org.org_client()

    sf = org.sf
    numbers = [customer for customers in CUSTOMERS.values() for customer in customers]
    people = create(org, "Contact", [{"LastName": f"Scale {n[-4:]}", "MobilePhone": n} for n in numbers])
    env = {**os.environ, "PYTHONPATH": str(REPO), "SF_SESSION_ID": deployed_org.token(),
           "REQUESTS_CA_BUNDLE": str(deployed_org.ca_bundle), "EAZYBE_BLOB_DIR": str(blobs)}
    workers = [subprocess.Popen([sys.executable, str(REPO / "tests" / "sync_process.py"), postgres_url, deployed_org.url],
                                env={**env, "SYNC_ACCOUNTS": business}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True) for business in ACCOUNTS]
    results = [worker.communicate(timeout=600) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], results
    assert all(out.startswith("written=20 failed=0") for out, _ in results), results

    ids = "','".join(o.record_id for o in people)
    records = sf.query_all(f"SELECT Contact__c, Business_Number__c, Transcript__c FROM WhatsApp_Chat__c "
                           f"WHERE Contact__c IN ('{ids}')")["records"]
    lines = [line for record in records for line in record["Transcript__c"].splitlines()]
    assert len(records) <= 80 and len({(r["Contact__c"], r["Business_Number__c"]) for r in records}) == 40
    assert sorted(line.split(": ", 1)[1] for line in lines) == sorted(
        f"message {n} of {customer}" for customers in CUSTOMERS.values() for customer in customers for n in range(5))
