"""Coexistence (the seller's WhatsApp Business app beside the Cloud API) and business-scoped user
ids, through the real receiver over HTTP, the local Graph API stand-in, the store, the
`connect_business_app` task and syncs against the local org."""
from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import nbformat
import pytest
import requests
from sqlalchemy import select

from asgi_server import serving
from eazybe_local_graph import AppContact, BusinessNumber, HistoryMessage, LocalGraph, Thread
from eazybe_tasks.audit.rendering import execute
from eazybe_tasks.sources.cloud_api import HEADER, sign
from eazybe_tasks.sources.cloud_api.business_app_sync import HISTORY, request_sync
from eazybe_tasks.store import business_app
from eazybe_tasks.store.schema import accounts, attachments, chat_handles, chats, messages, whatsapp_users
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.sync.run import sync_once
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import WebhookSettings
from local_org_fixture import RunningOrg
from repo_paths import REPO, VENV_BIN
from test_audit_report import NOTEBOOK, table
from tools import tool_env

SECRET = "coexistence-app-secret-0123456789"
GRAPH_TOKEN = "coexistence-graph-token"
BUSINESS = "15550783881"
NUMBER_ID = "106540352242922"
WABA = "102290129340398"
ANA = "5511912345678"
ANA_ID = "BR.13491208655302741918"
NOW = datetime.now(timezone.utc).replace(microsecond=0)


def unix(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def envelope(field: str, value: dict[str, Any]) -> dict[str, Any]:
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": BUSINESS, "phone_number_id": NUMBER_ID}, **value}
    return {"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": [{"field": field, "value": value}]}]}


def inbound(message_id: str, at: datetime, text: str, *, phone: str | None = ANA, user_id: str | None = ANA_ID,
            name: str = "Ana Silva", username: str | None = None) -> dict[str, Any]:
    """A customer's message as the `messages` field carries it; a username user may have no phone."""
    contact: dict[str, Any] = {"profile": {"name": name, **({"username": username} if username else {})}}
    message: dict[str, Any] = {"id": message_id, "timestamp": unix(at), "type": "text", "text": {"body": text}}
    if phone:
        contact["wa_id"] = message["from"] = phone
    if user_id:
        contact["user_id"] = message["from_user_id"] = user_id
    return envelope("messages", {"contacts": [contact], "messages": [message]})


def system_change(message_id: str, at: datetime, kind: str, new: str, *, phone: str = ANA) -> dict[str, Any]:
    key = "wa_id" if kind == "user_changed_number" else "user_id"
    return envelope("messages", {"messages": [{
        "from": phone, "id": message_id, "timestamp": unix(at), "type": "system",
        "system": {"body": f"User Ana Silva changed to {new}", key: new, "type": kind}}]})


def history_chunk(phase: int, order: int, progress: int, threads: list[tuple[str, list[tuple[str, bool, datetime]]]]
                  ) -> dict[str, Any]:
    """threads: (user digits, [(message id, from the business, sent at)])."""
    return envelope("history", {"history": [{"metadata": {"phase": phase, "chunk_order": order, "progress": progress},
                                             "threads": [{"id": user, "messages": [
                                                 {"from": BUSINESS if mine else user, **({"to": user} if mine else {}),
                                                  "id": mid, "timestamp": unix(at), "type": "text",
                                                  "text": {"body": f"history {mid}"},
                                                  "history_context": {"status": "READ"}}
                                                 for mid, mine, at in found]} for user, found in threads]}]})


@pytest.fixture
def store(tmp_path: Path) -> Store:
    opened = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    opened.register_account("+" + BUSINESS, time_zone="UTC")
    return opened


@pytest.fixture
def receiver(store: Store) -> Iterator[str]:
    settings = WebhookSettings(verify_token="verify", app_secret=SECRET)
    with serving(create_app(store, settings)) as base:
        yield base + PATH


def deliver(url: str, body: dict[str, Any]) -> requests.Response:
    raw = json.dumps(body).encode()
    response = requests.post(url, data=raw, headers={"Content-Type": "application/json", HEADER: sign(raw, SECRET)},
                             timeout=30)
    assert response.status_code == 200, response.text
    return response


def rows(store: Store, *columns: Any, order: Any = None) -> list:
    with store.engine.connect() as connection:
        return connection.execute(select(*columns).order_by(order if order is not None else columns[0])).all()


def account_id(store: Store) -> int:
    return rows(store, accounts.c.id)[0].id


def test_an_echo_is_the_business_writing_in_the_customers_chat(receiver: str, store: Store) -> None:
    deliver(receiver, inbound("wamid.in.1", NOW - timedelta(minutes=5), "Is it in stock?"))
    deliver(receiver, envelope("smb_message_echoes", {"message_echoes": [{
        "from": BUSINESS, "to": ANA, "id": "wamid.echo.1", "timestamp": unix(NOW), "type": "text",
        "text": {"body": "Yes, two left"}}]}))
    found = rows(store, messages.c.source_id, messages.c.direction, messages.c.source, messages.c.sender,
                 messages.c.chat_pk, order=messages.c.id)
    assert [(r.source_id, r.direction, r.source, r.sender) for r in found] == [
        ("wamid.in.1", "inbound", "cloud_api", "+" + ANA), ("wamid.echo.1", "outbound", "business_app", None)]
    assert found[0].chat_pk == found[1].chat_pk
    assert len(rows(store, chats.c.id)) == 1


def test_history_and_its_live_copy_are_one_message(receiver: str, store: Store) -> None:
    deliver(receiver, inbound("wamid.live", NOW - timedelta(hours=1), "live first"))
    deliver(receiver, history_chunk(0, 1, 100, [(ANA, [("wamid.live", False, NOW - timedelta(hours=1)),
                                                       ("wamid.old", True, NOW - timedelta(hours=20))])]))
    deliver(receiver, inbound("wamid.old", NOW - timedelta(hours=20), "live copy after the history"))
    found = rows(store, messages.c.source_id, messages.c.source, messages.c.direction, messages.c.status)
    assert [tuple(r) for r in found] == [("wamid.live", "cloud_api", "inbound", None),
                                         ("wamid.old", "business_app", "outbound", "read")]
    with store.engine.connect() as connection:
        progress = business_app.history_progress(connection, account_id(store))
    assert progress is not None and (progress.chunks, progress.messages, progress.progress) == (1, 2, 100)


def test_declined_history_is_recorded_not_refused(receiver: str, store: Store) -> None:
    deliver(receiver, envelope("history", {"history": [{"errors": [{
        "code": 2593109, "title": "History sharing is turned off by the business",
        "error_data": {"details": "The business declined to share chat history."}}]}]}))
    summary = store.summary().accounts[0]
    assert summary.history is not None and summary.history.declined
    assert summary.business_app() == ("history: declined by the business (History sharing is turned off by the "
                                      "business (2593109): The business declined to share chat history.)")
    assert rows(store, messages.c.id) == []


def test_the_apps_contacts_become_the_address_book(receiver: str, store: Store) -> None:
    def state(action: str, phone: str, at: datetime, name: str | None = None) -> dict[str, Any]:
        contact = {"phone_number": phone, **({"full_name": name, "first_name": name.split()[0]} if name else {})}
        return {"type": "contact", "contact": contact, "action": action, "metadata": {"timestamp": unix(at)}}

    deliver(receiver, envelope("smb_app_state_sync", {"state_sync": [
        state("add", ANA, NOW - timedelta(hours=2), "Ana Silva"), state("add", "16505551234", NOW, "Pablo Morales")]}))
    deliver(receiver, envelope("smb_app_state_sync", {"state_sync": [
        state("remove", "16505551234", NOW + timedelta(seconds=1)),
        state("add", ANA, NOW - timedelta(hours=3), "An older name")]}))  # older than what is kept: ignored
    with store.engine.connect() as connection:
        assert business_app.address_book_names(connection, account_id(store)) == {"+" + ANA: "Ana Silva"}


def test_a_phone_less_message_of_a_known_user_stays_in_their_chat(receiver: str, store: Store) -> None:
    deliver(receiver, inbound("wamid.1", NOW - timedelta(hours=2), "with my phone"))
    deliver(receiver, inbound("wamid.2", NOW - timedelta(hours=1), "as @ana now", phone=None, username="@ana"))
    found = rows(store, messages.c.source_id, messages.c.chat_pk, messages.c.sender)
    assert len({r.chat_pk for r in found}) == 1
    assert [r.sender for r in found] == ["+" + ANA, None]
    user = rows(store, whatsapp_users.c.user_id, whatsapp_users.c.phone, whatsapp_users.c.username).pop()
    assert tuple(user) == (ANA_ID, "+" + ANA, "@ana")


def test_a_user_first_seen_without_a_phone_is_found_by_it_later(receiver: str, store: Store) -> None:
    deliver(receiver, inbound("wamid.1", NOW - timedelta(hours=2), "no phone shown", phone=None))
    deliver(receiver, inbound("wamid.2", NOW - timedelta(hours=1), "phone shown now"))
    assert len(rows(store, chats.c.id)) == 1
    assert sorted(r.handle for r in rows(store, chat_handles.c.handle)) == ["+" + ANA, ANA_ID]


def test_a_phone_change_and_an_id_change_keep_one_chat(receiver: str, store: Store) -> None:
    deliver(receiver, inbound("wamid.1", NOW - timedelta(hours=3), "old phone"))
    deliver(receiver, system_change("wamid.sys.1", NOW - timedelta(hours=2), "user_changed_number", "5511900000001"))
    deliver(receiver, inbound("wamid.2", NOW - timedelta(hours=1), "new phone", phone="5511900000001",
                              user_id="BR.99999999999999999999"))
    deliver(receiver, system_change("wamid.sys.2", NOW - timedelta(minutes=30), "user_changed_user_id",
                                    "BR.88888888888888888888", phone="5511900000001"))
    deliver(receiver, inbound("wamid.3", NOW, "new id, no phone", phone=None, user_id="BR.88888888888888888888"))
    assert len(rows(store, chats.c.id)) == 1
    assert rows(store, chats.c.user_id).pop().user_id == "BR.88888888888888888888"


def test_offboarding_is_recorded_and_reconnecting_ends_it(receiver: str, store: Store) -> None:
    deliver(receiver, inbound("wamid.1", NOW, "hello"))  # names the number's WABA
    offboard = {"object": "whatsapp_business_account", "entry": [{"id": WABA, "time": int(NOW.timestamp()), "changes": [
        {"field": "account_update", "value": {"event": "PARTNER_REMOVED", "waba_info": {"waba_id": WABA},
                                              "disconnection_info": {"reason": "PRIMARY_INACTIVITY"}}}]}]}
    deliver(receiver, offboard)
    summary = store.summary().accounts[0]
    assert summary.offboarded is not None and summary.offboarded.reason == "PRIMARY_INACTIVITY"
    assert "not synced" in summary.business_app() and summary.messages == 1
    offboard["entry"][0]["time"] += 60
    offboard["entry"][0]["changes"][0]["value"] = {"event": "ACCOUNT_RECONNECTED"}
    deliver(receiver, offboard)
    assert store.summary().accounts[0].offboarded is None


def _business_number(threads: list[Thread], **settings: Any) -> BusinessNumber:
    return BusinessNumber(BUSINESS, NUMBER_ID, WABA, contacts=[AppContact("Ana Silva", "Ana", ANA)], threads=threads,
                          **settings)


def test_chunks_out_of_order_from_the_graph_stand_in_are_stored_once(receiver: str, store: Store) -> None:
    users = [f"55119{n:08d}" for n in range(30)]
    threads = [Thread(user, [HistoryMessage(i % 3 == 0, f"message {i}", NOW - timedelta(days=i * 200 / 1200))
                             for i in range(n, 1200, 30)]) for n, user in enumerate(users)]
    with LocalGraph([_business_number(threads, chunk_messages=100, shuffle_chunks=True)], receiver, SECRET,
                    GRAPH_TOKEN, retry_base_s=0.01) as graph:
        request_sync(graph.base_url, GRAPH_TOKEN, NUMBER_ID, HISTORY)
        assert graph.wait_idle(60)
        assert all(d.delivered for d in graph.deliveries)
    stored = rows(store, messages.c.source_id)
    assert len(stored) == sum(1 for t in threads for m in t.messages if m.sent_at > NOW - timedelta(days=180))
    with store.engine.connect() as connection:
        progress = business_app.history_progress(connection, account_id(store))
    assert progress is not None and (progress.phase, progress.progress, progress.messages) == (2, 100, len(stored))
    assert store.summary().accounts[0].business_app().startswith("history: phase 2, 100%")


def cci(store: Store, graph_url: str, *options: str) -> subprocess.CompletedProcess[str]:
    env = {**tool_env(), "EAZYBE_WHATSAPP_TOKEN": GRAPH_TOKEN, "EAZYBE_GRAPH_API_URL": graph_url}
    return subprocess.run([str(VENV_BIN / "cci"), "task", "run", "connect_business_app", "-o", "account", "+" + BUSINESS,
                           "-o", "store_url", str(store.engine.url), *options],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_connect_business_app_asks_once_and_history_is_logged_for_its_days(
        receiver: str, store: Store, deployed_org: RunningOrg) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    ana = sf.Contact.create({"LastName": "Silva", "FirstName": "Ana", "MobilePhone": "+55 11 91234-5678"})["id"]
    old = NOW - timedelta(days=100)
    threads = [Thread(ANA, [HistoryMessage(False, "a question in August", old),
                            HistoryMessage(True, "an answer from the app", old + timedelta(minutes=5)),
                            HistoryMessage(False, "yesterday's thanks", NOW - timedelta(days=1))])]
    with LocalGraph([_business_number(threads)], receiver, SECRET, GRAPH_TOKEN, retry_base_s=0.01) as graph:
        first = cci(store, graph.base_url, "-o", "days", "5")
        assert first.returncode == 1 and "-o phone_number_id" in first.stdout + first.stderr  # no delivery named it yet
        done = cci(store, graph.base_url, "-o", "days", "180", "-o", "phone_number_id", NUMBER_ID)
        assert done.returncode == 0, done.stdout + done.stderr
        assert graph.wait_idle(60)
        again = cci(store, graph.base_url)
        assert again.returncode == 1
        assert "was connected on" in again.stdout + again.stderr and "once per onboarding" in again.stdout + again.stderr
        assert [r.sync_type for r in graph.requests] == ["smb_app_state_sync", "history"]
        assert GRAPH_TOKEN not in done.stdout + done.stderr
    status = subprocess.run([str(VENV_BIN / "cci"), "task", "run", "store_status", "-o", "store_url",
                             str(store.engine.url)], cwd=REPO, env=tool_env(), capture_output=True, text=True,
                            timeout=300, check=False)
    assert "history: phase 2, 100% (2 chunks, 3 messages)" in status.stdout, status.stdout + status.stderr
    report = sync_once(store, org)
    records = sf.query_all(f"SELECT Chat_Date__c, Source__c, Chat_Name__c, Message_Count__c FROM WhatsApp_Chat__c "
                           f"WHERE Contact__c = '{ana}' ORDER BY Chat_Date__c")["records"]
    assert [(r["Chat_Date__c"], r["Source__c"], r["Message_Count__c"]) for r in records] == [
        (old.date().isoformat(), "Business App", 2), ((NOW - timedelta(days=1)).date().isoformat(), "Business App", 1)]
    assert report.written == 2


def test_a_phone_less_message_links_to_the_person_and_the_id_is_written_back(
        receiver: str, store: Store, deployed_org: RunningOrg) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    ana = sf.Contact.create({"LastName": "Costa", "FirstName": "Ana", "MobilePhone": "+55 11 91234-5678"})["id"]
    deliver(receiver, inbound("wamid.bsuid.1", NOW - timedelta(minutes=30), "from my phone"))
    sync_once(store, org)
    assert sf.Contact.get(ana)["WhatsApp_User_Id__c"] == ANA_ID
    deliver(receiver, inbound("wamid.bsuid.2", NOW - timedelta(minutes=10), "now as a username", phone=None,
                              username="@ana.costa"))
    sync_once(store, org)
    records = sf.query_all(f"SELECT WhatsApp_User_Id__c, WhatsApp_Username__c, WhatsApp_Number__c, Message_Count__c "
                           f"FROM WhatsApp_Chat__c WHERE Contact__c = '{ana}'")["records"]
    assert [(r["WhatsApp_User_Id__c"], r["WhatsApp_Username__c"], r["WhatsApp_Number__c"], r["Message_Count__c"])
            for r in records] == [(ANA_ID, "@ana.costa", "+" + ANA, 2)]


def test_a_user_id_known_in_salesforce_links_a_user_never_seen_with_a_phone(
        receiver: str, store: Store, deployed_org: RunningOrg) -> None:
    org = deployed_org.org_client()
    sf = org.sf
    bo = sf.Lead.create({"LastName": "Bo", "Company": "Bo & Co", "WhatsApp_User_Id__c": "US.55555555555555555555"})["id"]
    deliver(receiver, inbound("wamid.lead.1", NOW - timedelta(minutes=5), "hi from a username", phone=None,
                              user_id="US.55555555555555555555", name="Bo"))
    report = sync_once(store, org)
    assert report.written == 1 and report.unmatched == 0
    record = sf.query(f"SELECT WhatsApp_Number__c, Lead__c FROM WhatsApp_Chat__c WHERE Lead__c = '{bo}'")["records"]
    assert [(r["WhatsApp_Number__c"], r["Lead__c"]) for r in record] == [(None, bo)]


def test_an_offboarded_account_is_not_synced(receiver: str, store: Store, deployed_org: RunningOrg) -> None:
    org = deployed_org.org_client()
    deliver(receiver, inbound("wamid.off.1", NOW - timedelta(minutes=5), "before offboarding"))
    deliver(receiver, {"object": "whatsapp_business_account", "entry": [{"id": WABA, "changes": [
        {"field": "account_update", "value": {"event": "ACCOUNT_OFFBOARDED"}}]}]})
    report = sync_once(store, org)
    assert (report.messages, report.chat_days) == (0, 0)
    assert store.summary().accounts[0].messages == 1


def test_the_audit_report_shows_history_progress_and_the_apps_names_for_unmatched_numbers(
        receiver: str, store: Store, deployed_org: RunningOrg, tmp_path: Path) -> None:
    maria = "5511987650000"
    deliver(receiver, envelope("smb_app_state_sync", {"state_sync": [{
        "type": "contact", "contact": {"full_name": "Maria Lopez", "first_name": "Maria", "phone_number": maria},
        "action": "add", "metadata": {"timestamp": unix(NOW)}}]}))
    deliver(receiver, history_chunk(1, 1, 100, [(maria, [("wamid.maria.1", False, NOW - timedelta(hours=30))])]))
    deliver(receiver, inbound("wamid.maria.2", NOW - timedelta(hours=1), "still there?", phone=maria, user_id=None))
    report = sync_once(store, deployed_org.org_client())
    assert report.unmatched == 2
    output = tmp_path / "audit.ipynb"
    execute(NOTEBOOK, output, {"store_url": str(store.engine.url), "reconcile": False,
                               "start": (NOW - timedelta(days=3)).date().isoformat(), "end": NOW.date().isoformat(),
                               "project_dir": str(REPO)}, cwd=REPO)
    notebook = nbformat.read(output, as_version=4)
    columns, business = table(notebook, "business-app")
    assert dict(zip(columns, business["+" + BUSINESS])) == {
        "label": "", "history": "history: phase 1, 100% (1 chunks, 1 messages)", "status": "synced"}
    columns, unmatched = table(notebook, "unmatched")
    assert unmatched["+" + maria][columns.index("name")] == "Maria Lopez"


def test_a_status_tells_the_phone_of_a_user_first_seen_without_one(receiver: str, store: Store) -> None:
    deliver(receiver, inbound("wamid.1", NOW - timedelta(hours=2), "no phone shown", phone=None))
    deliver(receiver, envelope("messages", {"statuses": [{
        "id": "wamid.out.1", "status": "delivered", "timestamp": unix(NOW - timedelta(hours=1)),
        "recipient_id": ANA, "recipient_user_id": ANA_ID}]}))
    deliver(receiver, inbound("wamid.2", NOW, "a later message with the phone only", user_id=None))
    assert len(rows(store, chats.c.id)) == 1
    assert rows(store, whatsapp_users.c.phone).pop().phone == "+" + ANA


def test_the_demo_connects_a_business_app_and_its_contact_shows_history_echo_and_username(
        deployed_org: RunningOrg, tmp_path: Path) -> None:
    """`python -m eazybe_tasks.demo business-app` (a step of make demo), its stand-in in its own process."""
    from eazybe_tasks.demo.business_app import CUSTOMER, HISTORY_DAYS, USERNAME
    from eazybe_tasks.demo.cast import BRAZIL

    store_url = f"sqlite:///{tmp_path / 'demo.db'}"
    open_store(store_url).register_account(BRAZIL.number, label=BRAZIL.label, default_region=BRAZIL.region,
                                           time_zone=BRAZIL.time_zone)
    step = subprocess.run([str(VENV_BIN / "python"), "-m", "eazybe_tasks.demo", "--store-url", store_url,
                           "business-app"], cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=300)
    assert step.returncode == 0, step.stdout + step.stderr
    assert "history: phase 1, 100%" in step.stdout and f"now {USERNAME}, writes with no phone: 1 new" in step.stdout
    org = deployed_org.org_client()
    sf = org.sf
    ana = sf.Contact.create({"LastName": "Lima", "FirstName": "Ana", "MobilePhone": "(11) 91234-5678",
                             "MailingCountry": "Brazil"})["id"]
    sync_once(open_store(store_url), org)
    records = sf.query_all(f"SELECT Chat_Date__c, Source__c, Transcript__c, WhatsApp_Username__c FROM WhatsApp_Chat__c "
                           f"WHERE Contact__c = '{ana}' ORDER BY Chat_Date__c")["records"]
    assert len(records) == 3  # two days of the app's history, and today
    assert all(r["Source__c"] == "Business App" for r in records[:2])
    today = records[-1]["Transcript__c"]
    assert "Tem sim! Separei um M para você." in today and "Perfeito, passo aí amanhã." in today
    assert records[-1]["WhatsApp_Username__c"] == USERNAME
    assert sf.Contact.get(ana)["WhatsApp_User_Id__c"].startswith("BR.")
    assert HISTORY_DAYS >= 21 and CUSTOMER.startswith("55")


def _value(body: dict[str, Any]) -> dict[str, Any]:
    return body["entry"][0]["changes"][0]["value"]


@pytest.mark.parametrize("field, change, where", [
    ("messages", lambda value: value["messages"][0].update(from_user_id="not an id"), "messages[0].from_user_id"),
    ("history", lambda value: value.update(history=[{"metadata": {"phase": 3, "progress": 10}, "threads": []}]),
     "history[0].metadata.phase"),
    ("history", lambda value: value.update(history=[{"threads": [{"id": "not a user", "messages": [{}]}]}]),
     "history[0].threads[0].messages[0].id"),
    ("smb_app_state_sync", lambda value: value.update(state_sync=[
        {"type": "contact", "contact": {"phone_number": ANA}, "action": "edit", "metadata": {"timestamp": "1"}}]),
     "state_sync[0].action"),
])
def test_a_malformed_coexistence_delivery_is_refused_naming_the_field(
        receiver: str, store: Store, field: str, change: Any, where: str) -> None:
    body = inbound("wamid.bad.1", NOW, "x")
    body["entry"][0]["changes"][0]["field"] = field
    change(_value(body))
    raw = json.dumps(body).encode()
    answer = requests.post(receiver, data=raw, headers={"Content-Type": "application/json", HEADER: sign(raw, SECRET)},
                           timeout=30)
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith(f"entry[0].changes[0].value.{where}:")
    assert rows(store, messages.c.id) == []


def test_history_media_whose_file_meta_kept_is_omitted_media(receiver: str, store: Store) -> None:
    body = history_chunk(1, 1, 100, [(ANA, [("wamid.photo", False, NOW - timedelta(days=30))])])
    message = body["entry"][0]["changes"][0]["value"]["history"][0]["threads"][0]["messages"][0]
    del message["text"]
    message.update(type="media_placeholder", media_placeholder={})
    deliver(receiver, body)
    with store.engine.connect() as connection:
        stored = connection.execute(select(messages.c.type, attachments.c.omitted).join(
            attachments, attachments.c.message_pk == messages.c.id)).all()
    assert [tuple(row) for row in stored] == [("media", True)]


def test_history_media_details_after_the_placeholder_complete_the_message(receiver: str, store: Store) -> None:
    placeholder = history_chunk(0, 1, 50, [(ANA, [("wamid.later.photo", False, NOW - timedelta(hours=5))])])
    first = placeholder["entry"][0]["changes"][0]["value"]["history"][0]["threads"][0]["messages"][0]
    del first["text"]
    first.update(type="media_placeholder", media_placeholder={})
    deliver(receiver, placeholder)
    details = history_chunk(0, 2, 100, [(ANA, [("wamid.later.photo", False, NOW - timedelta(hours=5))])])
    second = details["entry"][0]["changes"][0]["value"]["history"][0]["threads"][0]["messages"][0]
    del second["text"]
    second.update(type="image", image={"id": "1479537139650973", "mime_type": "image/jpeg",
                                       "sha256": "2ed2cf5e2d6e5f3a1b7c9d0e4f8a6b2c", "caption": "the blue one"})
    deliver(receiver, details)
    with store.engine.connect() as connection:
        found = connection.execute(select(messages.c.type, messages.c.body, attachments.c.media_id,
                                          attachments.c.omitted).join(
            attachments, attachments.c.message_pk == messages.c.id)).all()
    assert [tuple(row) for row in found] == [("image", "the blue one", "1479537139650973", False)]
