"""The local stand-in for Meta's Graph API coexistence endpoints (eazybe_local_graph): smb_app_data
answers as Graph does; contacts, history (phases, chunks, progress, shuffled order, declined),
echoes and offboarding arrive as Meta shapes and signs them; failed deliveries are retried until
the receiver answers 200, exactly once; and the package stays independent of the rest."""
from __future__ import annotations

import ast
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from asgi_server import _free_port, serving
from eazybe_local_graph import AppContact, BusinessNumber, HistoryMessage, LocalGraph, Thread
from eazybe_local_graph.config import numbers_from_config
from eazybe_local_graph.history import plan_history
from repo_paths import REPO, VENV_BIN

SECRET = secrets.token_hex(16)  # made per session: no secret-shaped literal in the repository
TOKEN = secrets.token_urlsafe(24)
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
BUSINESS = "15550783881"
PHONE_ID = "106540352242922"
WABA = "102290129340398"
FAST = 0.02  # retry base in these tests


class Receiver:
    """A webhook receiver that checks Meta's signature on the raw bytes (403 if wrong) and can be
    told to answer 500 the first `fail_first` times."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.attempts = 0
        self.bad_signatures = 0
        self.accepted: list[dict[str, Any]] = []
        self.raw: list[bytes] = []
        self.content_types: list[str] = []
        self._lock = threading.Lock()
        self.app = Starlette(routes=[Route("/webhook", self._receive, methods=["POST"])])

    async def _receive(self, request: Request) -> JSONResponse:
        raw = await request.body()
        expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
        with self._lock:
            self.attempts += 1
            if not hmac.compare_digest(request.headers.get("x-hub-signature-256", ""), expected):
                self.bad_signatures += 1
                return JSONResponse({"error": "bad signature"}, status_code=403)
            if self.attempts <= self.fail_first:
                return JSONResponse({"error": "try later"}, status_code=500)
            self.accepted.append(json.loads(raw))
            self.raw.append(raw)
            self.content_types.append(request.headers.get("content-type", ""))
        return JSONResponse({"ok": True})

    def values(self, field: str) -> list[dict[str, Any]]:
        return [change["value"] for body in self.accepted for entry in body["entry"]
                for change in entry["changes"] if change["field"] == field]


@contextmanager
def running(numbers: list[BusinessNumber], fail_first: int = 0,
            **options: Any) -> Iterator[tuple[LocalGraph, Receiver]]:
    receiver = Receiver(fail_first)
    with serving(receiver.app) as url:
        with LocalGraph(numbers, f"{url}/webhook", SECRET, TOKEN, retry_base_s=FAST, clock=lambda: NOW,
                        **options) as graph:
            yield graph, receiver


def number(**fields: Any) -> BusinessNumber:
    defaults: dict[str, Any] = dict(display_phone_number=BUSINESS, phone_number_id=PHONE_ID, waba_id=WABA)
    return BusinessNumber(**(defaults | fields))


def ask(graph: LocalGraph, sync_type: Any = "history", phone_number_id: str = PHONE_ID,
        token: str | None = TOKEN, body: Any = None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    sent = body if body is not None else {"messaging_product": "whatsapp", "sync_type": sync_type}
    return httpx.post(f"{graph.base_url}/{phone_number_id}/smb_app_data", json=sent, headers=headers, timeout=5)


def history_messages(receiver: Receiver) -> list[tuple[int, int, str, dict[str, Any]]]:
    """(phase, chunk_order, thread id, message) of every history message received, in arrival order."""
    found = []
    for value in receiver.values("history"):
        (item,) = value["history"]
        for thread in item["threads"]:
            for message in thread["messages"]:
                found.append((item["metadata"]["phase"], item["metadata"]["chunk_order"], thread["id"], message))
    return found


def test_smb_app_data_answers_as_the_graph_api() -> None:
    with running([number(contacts=[AppContact("Ana Lima", "Ana", "5511987654321")])]) as (graph, _):
        assert graph.base_url == f"http://127.0.0.1:{graph.port}/v21.0"
        accepted = ask(graph, "smb_app_state_sync")
        assert accepted.status_code == 200
        assert set(accepted.json()) == {"messaging_product", "request_id"}
        assert accepted.json()["messaging_product"] == "whatsapp" and accepted.json()["request_id"].isdigit()

        for token in (None, "not-the-token"):
            refused = ask(graph, "history", token=token)
            assert refused.status_code == 401
            error = refused.json()["error"]
            assert {k: error[k] for k in ("message", "type", "code")} == {
                "message": "Invalid OAuth access token - Cannot parse access token", "type": "OAuthException",
                "code": 190}
            assert error["fbtrace_id"]

        unknown = ask(graph, "history", phone_number_id="999")
        assert unknown.status_code == 400 and unknown.json()["error"]["code"] == 100
        assert unknown.json()["error"]["message"].startswith(
            "Unsupported post request. Object with ID '999' does not exist")

        for body, field in (({"messaging_product": "whatsapp", "sync_type": "everything"}, "sync_type"),
                            ({"sync_type": "history"}, "messaging_product"), ([1], "body")):
            invalid = ask(graph, body=body)
            assert invalid.status_code == 400, body
            error = invalid.json()["error"]
            assert error["code"] == 100 and error["message"] == "(#100) Invalid parameter"
            assert f"Param {field} " in error["error_data"]["details"]

        again = ask(graph, "smb_app_state_sync")
        assert again.status_code == 400 and again.json()["error"]["code"] == 100
        assert "already requested" in again.json()["error"]["message"]
        assert "once, after onboarding" in again.json()["error"]["message"]
        assert ask(graph, "history").status_code == 200  # each sync type once
        assert graph.wait_idle(5)

        recorded = graph.requests
        assert [r.status_code for r in recorded] == [200, 401, 401, 400, 400, 400, 400, 400, 200]
        assert recorded[0].request_id == accepted.json()["request_id"] and recorded[0].sync_type == "smb_app_state_sync"
        assert recorded[-2].error_code == 100 and recorded[1].error_code == 190
        assert TOKEN not in repr(recorded) and TOKEN not in repr(graph) and SECRET not in repr(graph)


def test_contacts_arrive_signed_and_shaped_as_meta_sends_them() -> None:
    contacts = [AppContact("Ana Lima", "Ana", "5511987654321"), AppContact("Bo Chen", "Bo", "14155550134")]
    with running([number(contacts=contacts)]) as (graph, receiver):
        assert ask(graph, "smb_app_state_sync").status_code == 200
        assert graph.wait_idle(5)
        graph.remove_contact(PHONE_ID, "14155550134")
        assert graph.wait_idle(5)
    assert receiver.bad_signatures == 0 and receiver.content_types == ["application/json"] * 2
    first = receiver.accepted[0]
    assert first["object"] == "whatsapp_business_account" and first["entry"][0]["id"] == WABA
    assert first["entry"][0]["changes"][0]["field"] == "smb_app_state_sync"
    value = first["entry"][0]["changes"][0]["value"]
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"] == {"display_phone_number": BUSINESS, "phone_number_id": PHONE_ID}
    assert value["state_sync"][0] == {
        "type": "contact", "contact": {"full_name": "Ana Lima", "first_name": "Ana", "phone_number": "5511987654321"},
        "action": "add", "metadata": {"timestamp": str(int(NOW.timestamp()))}}
    assert len(value["state_sync"]) == 2
    removal = receiver.values("smb_app_state_sync")[1]["state_sync"][0]
    assert removal["action"] == "remove" and removal["contact"] == {"phone_number": "14155550134"}


def test_history_is_split_into_phases_and_chunks_with_progress() -> None:
    users = ["5511987654321", "14155550134", "447700900123"]
    span = timedelta(days=200) / 1200  # 4 hours: messages sit 2 hours away from the 1, 90 and 180 day marks
    threads = [Thread(user, []) for user in users]
    for i in range(1200):
        sent_at = NOW - span * i - span / 2
        threads[i % 3].messages.append(HistoryMessage(from_business=i % 2 == 0, text=f"message {i}", sent_at=sent_at))
    expected_phase = {}
    for thread in threads:
        for message in thread.messages:
            age = NOW - message.sent_at
            if age < timedelta(days=180):
                expected_phase[message.text] = 0 if age < timedelta(days=1) else 1 if age < timedelta(days=90) else 2

    with running([number(threads=threads, chunk_messages=500)]) as (graph, receiver):
        assert ask(graph).status_code == 200
        assert graph.wait_idle(10)
    assert receiver.bad_signatures == 0 and len(expected_phase) == 1080  # the 120 older than 180 days are dropped

    chunks = [value["history"][0]["metadata"] for value in receiver.values("history")]
    sizes = [sum(len(t["messages"]) for t in value["history"][0]["threads"]) for value in receiver.values("history")]
    assert [(c["phase"], c["chunk_order"]) for c in chunks] == [(0, 1), (1, 1), (1, 2), (2, 1), (2, 2)]
    assert sizes == [6, 500, 34, 500, 40] and max(sizes) <= 500
    progress = [c["progress"] for c in chunks]
    assert progress == sorted(progress) and progress[-1] == 100 and progress[0] == 6 * 100 // 1080
    received = history_messages(receiver)
    assert {m["text"]["body"]: phase for phase, _, _, m in received} == expected_phase
    assert len({m["id"] for _, _, _, m in received}) == 1080
    assert all(m["id"].startswith("wamid.") for _, _, _, m in received)
    for _, _, user, message in received:
        own = int(message["text"]["body"].split()[1]) % 2 == 0
        assert message["from"] == (BUSINESS if own else user)
        assert ("to" in message) == own and message.get("to", user) == user
        assert message["type"] == "text" and message["history_context"] == {"status": "READ"}
        assert message["timestamp"].isdigit()
    # a thread may be split across chunks, and a chunk may hold several threads
    second = receiver.values("history")[1]["history"][0]["threads"]
    assert len(second) == 3 and {t["id"] for t in receiver.values("history")[2]["history"][0]["threads"]} <= set(users)
    # the same fixture gives the same ids every time
    again = plan_history(number(threads=threads, chunk_messages=500), NOW)
    assert [c.message_count for c in again] == sizes


def test_shuffled_chunks_still_carry_their_chunk_order() -> None:
    messages = [HistoryMessage(i % 2 == 1, f"old {i}", NOW - timedelta(days=10, minutes=10 - i)) for i in range(10)]
    messages += [HistoryMessage(False, "today", NOW - timedelta(hours=1), status="DELIVERED")]
    with running([number(threads=[Thread("5511987654321", messages)], chunk_messages=3,
                         shuffle_chunks=True)]) as (graph, receiver):
        assert ask(graph).status_code == 200
        assert graph.wait_idle(5)
    chunks = [value["history"][0]["metadata"] for value in receiver.values("history")]
    assert chunks[0] == {"phase": 0, "chunk_order": 1, "progress": 9}
    phase_one = [c["chunk_order"] for c in chunks[1:]]
    assert {c["phase"] for c in chunks[1:]} == {1} and sorted(phase_one) == [1, 2, 3, 4] and phase_one != [1, 2, 3, 4]
    assert [c["progress"] for c in chunks][-1] == 100
    by_order = sorted((order, m["text"]["body"]) for phase, order, _, m in history_messages(receiver) if phase == 1)
    assert [text for _, text in by_order] == [f"old {i}" for i in range(10)]  # chunk_order puts them back in order
    assert history_messages(receiver)[0][3]["history_context"] == {"status": "DELIVERED"}


def test_declined_and_empty_history() -> None:
    declined = number(decline_history=True, threads=[Thread("5511987654321", [HistoryMessage(False, "hi", NOW)])])
    empty = number(phone_number_id="106540352242923", threads=[
        Thread("5511987654321", [HistoryMessage(False, "too old", NOW - timedelta(days=181))])])
    with running([declined, empty]) as (graph, receiver):
        assert ask(graph).status_code == 200 and ask(graph, phone_number_id=empty.phone_number_id).status_code == 200
        assert graph.wait_idle(5)
    refused, nothing = receiver.values("history")
    assert refused["history"] == [{"errors": [{
        "code": 2593109, "title": "History sharing is turned off by the business",
        "message": "History sharing is turned off by the business",
        "error_data": {"details": "The business declined to share chat history."}}]}]
    assert nothing["metadata"]["phone_number_id"] == empty.phone_number_id
    assert nothing["history"] == [{"metadata": {"phase": 0, "chunk_order": 1, "progress": 100}, "threads": []}]


def test_failed_deliveries_are_retried_until_a_200_and_delivered_once() -> None:
    with running([number()], fail_first=3) as (graph, receiver):
        graph.send_echo(PHONE_ID, "5511987654321", "olá / até logo", NOW)
        assert graph.wait_idle(5)
        (delivery,) = graph.deliveries
    assert delivery.kind == "echo" and delivery.delivered and delivery.attempts == 4
    assert delivery.statuses == (500, 500, 500, 200) and delivery.status == 200
    assert receiver.attempts == 4 and len(receiver.accepted) == 1 and receiver.bad_signatures == 0
    assert b"\\/" in receiver.raw[0] and b"\\u00e1" in receiver.raw[0]  # signed on the exact (escaped) bytes


def test_an_unreachable_receiver_is_given_up_on_after_max_attempts() -> None:
    with LocalGraph([number()], f"http://127.0.0.1:{_free_port()}/webhook", SECRET, TOKEN,
                    retry_base_s=FAST, max_attempts=3) as graph:
        graph.offboard(WABA, "ACCOUNT_OFFBOARDED")
        assert graph.wait_idle(5)
        (delivery,) = graph.deliveries
    assert not delivery.delivered and delivery.attempts == 3 and delivery.status is None
    assert delivery.error == "ConnectError"


def test_echo_and_offboarding_shapes() -> None:
    with running([number(owner_business_id="1234567890")]) as (graph, receiver):
        sent = graph.send_echo(PHONE_ID, "5511987654321", "Your order shipped", NOW)
        graph.offboard(WABA, "PARTNER_REMOVED")
        graph.offboard(WABA, "ACCOUNT_OFFBOARDED")
        assert graph.wait_idle(5)
    echo, removed, offboarded = receiver.accepted
    assert echo == sent and echo["entry"][0]["changes"][0]["field"] == "smb_message_echoes"
    value = echo["entry"][0]["changes"][0]["value"]
    assert value["metadata"] == {"display_phone_number": BUSINESS, "phone_number_id": PHONE_ID}
    (message,) = value["message_echoes"]
    assert message["id"].startswith("wamid.") and {k: v for k, v in message.items() if k != "id"} == {
        "from": BUSINESS, "to": "5511987654321", "timestamp": str(int(NOW.timestamp())), "type": "text",
        "text": {"body": "Your order shipped"}}
    for body in (removed, offboarded):
        (entry,) = body["entry"]
        assert entry["id"] == WABA and entry["time"] == int(NOW.timestamp())
        assert entry["changes"][0]["field"] == "account_update"
    assert removed["entry"][0]["changes"][0]["value"] == {
        "event": "PARTNER_REMOVED", "waba_info": {"waba_id": WABA, "owner_business_id": "1234567890"},
        "disconnection_info": {"reason": "PRIMARY_INACTIVITY", "initiated_by": "SYSTEM"}}
    assert offboarded["entry"][0]["changes"][0]["value"] == {
        "event": "ACCOUNT_OFFBOARDED", "waba_info": {"waba_id": WABA, "owner_business_id": "1234567890"}}


def test_the_config_file_describes_numbers() -> None:
    (read,) = numbers_from_config({"numbers": [{
        "display_phone_number": BUSINESS, "phone_number_id": PHONE_ID, "waba_id": WABA, "chunk_messages": 50,
        "contacts": [{"full_name": "Ana Lima", "first_name": "Ana", "phone_number": "5511987654321"}],
        "threads": [{"user": "5511987654321", "messages": [
            {"from_business": False, "text": "Hi", "sent_at": "2025-02-28T09:00:00Z", "status": "DELIVERED"},
            {"from_business": True, "text": "Hello", "days_ago": 2}]}]}]}, now=NOW)
    assert read.chunk_messages == 50 and read.contacts == [AppContact("Ana Lima", "Ana", "5511987654321")]
    first, second = read.threads[0].messages
    assert first.sent_at == datetime(2025, 2, 28, 9, tzinfo=timezone.utc) and first.status == "DELIVERED"
    assert second.sent_at == NOW - timedelta(days=2) and second.from_business
    with pytest.raises(ValueError, match="unknown keys"):
        numbers_from_config({"numbers": [{"display_phone_number": BUSINESS, "phone_number_id": PHONE_ID,
                                          "waba_id": WABA, "token": "x"}]})


def test_the_command_line_serves_with_secrets_from_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "numbers.json"
    config.write_text(json.dumps({"numbers": [{"display_phone_number": BUSINESS, "phone_number_id": PHONE_ID,
                                               "waba_id": WABA}]}))
    command = [str(VENV_BIN / "python"), "-m", "eazybe_local_graph", "--config", str(config),
               "--webhook-url", "http://127.0.0.1:9/webhook"]
    secret_names = ("EAZYBE_APP_SECRET", "EAZYBE_WHATSAPP_APP_SECRET", "EAZYBE_WHATSAPP_TOKEN")
    bare = {k: v for k, v in os.environ.items() if k not in secret_names}
    refused = subprocess.run(command + ["--port", "0"], cwd=REPO, env=bare, capture_output=True, text=True, timeout=30)
    assert refused.returncode == 2 and "EAZYBE_APP_SECRET" in refused.stderr

    port = _free_port()
    env = bare | {"EAZYBE_APP_SECRET": SECRET, "EAZYBE_WHATSAPP_TOKEN": TOKEN}
    process = subprocess.Popen(command + ["--port", str(port)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                assert time.monotonic() < deadline and process.poll() is None, "the CLI did not start"
                time.sleep(0.05)
        answer = httpx.post(f"http://127.0.0.1:{port}/v21.0/{PHONE_ID}/smb_app_data", timeout=5,
                            json={"messaging_product": "whatsapp", "sync_type": "history"},
                            headers={"Authorization": f"Bearer {TOKEN}"})
        assert answer.status_code == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=10)
    assert process.returncode == 0 and f"http://127.0.0.1:{port}/v21.0" in output
    assert SECRET not in output and TOKEN not in output


def test_the_package_depends_on_nothing_else_of_the_project() -> None:
    imported = set()
    for path in (REPO / "eazybe_local_graph").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{path.name} says why it exists"
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module.split(".")[0])
    assert not imported & {"eazybe_tasks", "eazybe_local_org"}
    assert imported - {"eazybe_local_graph", "starlette", "uvicorn", "httpx", "requests"} <= set(
        __import__("sys").stdlib_module_names)
