"""Hard limits on bad input, and counts that mean what they say: times more than a day ahead are
refused at their field; every refusal of the receiver is logged and recorded with its reason and
size (never the body or a secret) and counted by `store_status`; request_welcome, flow replies and
ad referrals reach the transcript instead of being dropped."""
from __future__ import annotations

import copy
import json
import time
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from sqlalchemy import func, select, text

from asgi_server import serving
from cloud_api_deliveries import text_delivery
from eazybe_tasks.chat_days.transcript import TranscriptMessage, render_transcript
from eazybe_tasks.sources.cloud_api import HEADER, parse_delivery, sign
from eazybe_tasks.sources.cloud_api import fields
from eazybe_tasks.sources.cloud_api.content import FLOW_SUMMARY_CHARS
from eazybe_tasks.sources.feed import parse_feed, validate_feed
from eazybe_tasks.sources.model import Direction, MessageType, SourceError
from eazybe_tasks.store import refusals
from eazybe_tasks.store.refusals import REASON_CHARS, Refusal, count_refusals, record_refusal
from eazybe_tasks.store.schema import ingests, messages, webhook_refusals
from eazybe_tasks.store.store import Store, open_store
from eazybe_tasks.webhook.app import PATH, create_app
from eazybe_tasks.webhook.settings import WebhookSettings
from repo_paths import CORPUS_WEBHOOKS

SECRET = "limits-app-secret-5f1e"
TOKEN = "limits-verify-token-77"
CAP = 8 * 1024
BUSINESS = "+14155550100"
CUSTOMER = "+14155550134"
NOW = datetime(2026, 11, 24, 9, 30, tzinfo=timezone.utc)
MESSAGE = ("entry", 0, "changes", 0, "value", "messages", 0)
MESSAGE_PATH = "entry[0].changes[0].value.messages[0]"


@cache
def _corpus(name: str) -> dict[str, Any]:
    return json.loads((CORPUS_WEBHOOKS / f"pywa__{name}.json").read_text(encoding="utf-8"))


def case(name: str, key: str) -> dict[str, Any]:
    return copy.deepcopy(_corpus(name)[key])


def at_path(payload: dict[str, Any], path: tuple) -> Any:
    for step in path:
        payload = payload[step]
    return payload


def only_message(payload: dict[str, Any]):
    [message] = parse_delivery(payload).messages
    return message


def inbound(message: dict[str, Any]) -> dict[str, Any]:
    """A delivery of one message from CUSTOMER, shaped as Meta sends it."""
    return {"object": "whatsapp_business_account", "entry": [{"id": "102290129340398", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": BUSINESS[1:], "phone_number_id": "106540352242922"},
            "contacts": [{"profile": {"name": "Kerry Fisher"}, "wa_id": CUSTOMER[1:]}],
            "messages": [{"from": CUSTOMER[1:], "id": "wamid.HBgLMTY1MDUwNzY1MjAVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=",
                          "timestamp": str(int(NOW.timestamp())), **message}],
        }}]}]}


# --- 1. times more than a day ahead ------------------------------------------------------------


def test_a_webhook_time_years_ahead_is_refused_naming_its_field():
    payload = case("message", "text")
    at_path(payload, MESSAGE)["timestamp"] = "99999999999"
    with pytest.raises(SourceError) as error:
        parse_delivery(payload)
    assert error.value.where == f"{MESSAGE_PATH}.timestamp"
    assert "5138-11-16" in error.value.problem and "more than a day after now" in error.value.problem


@pytest.mark.parametrize("ahead,refused", [(timedelta(hours=23), False), (timedelta(days=1), False),
                                           (timedelta(days=1, seconds=1), True), (timedelta(days=400), True)])
def test_a_message_or_status_may_be_at_most_a_day_ahead_of_the_clock(ahead: timedelta, refused: bool):
    message, status = case("message", "text"), case("status", "read")
    stamp = str(int((NOW + ahead).timestamp()))
    at_path(message, MESSAGE)["timestamp"] = stamp
    status["entry"][0]["changes"][0]["value"]["statuses"][0]["timestamp"] = stamp
    with fields.clock(lambda: NOW):
        for payload, where in ((message, f"{MESSAGE_PATH}.timestamp"),
                               (status, "entry[0].changes[0].value.statuses[0].timestamp")):
            if refused:
                with pytest.raises(SourceError) as error:
                    parse_delivery(payload)
                assert error.value.where == where
                assert "(2026-11-24 09:30 UTC)" in error.value.problem  # the clock it was measured against
            else:
                parse_delivery(payload)


def test_the_real_clock_is_back_after_the_block_whatever_happened_in_it():
    with pytest.raises(RuntimeError):
        with fields.clock(lambda: datetime(2001, 1, 1, tzinfo=timezone.utc)):
            assert fields.current_time().year == 2001
            raise RuntimeError("a failing test")
    assert abs(fields.current_time() - datetime.now(timezone.utc)) < timedelta(seconds=5)


def test_a_timestamp_of_thousands_of_digits_is_a_source_error_not_a_value_error():
    payload = case("message", "text")
    at_path(payload, MESSAGE)["timestamp"] = "9" * 5000  # int() refuses over 4300 digits
    with pytest.raises(SourceError) as error:
        parse_delivery(payload)
    assert error.value.problem.endswith("is past the year 9999") and len(str(error.value)) < 200


def _feed(tmp_path: Path, *timestamps: object) -> Path:
    path = tmp_path / "feed.jsonl"
    path.write_text("".join(json.dumps({"id": f"f{n}", "account": "+4930901820", "chat": "+491701234567",
                                        "direction": "inbound", "type": "text", "timestamp": stamp}) + "\n"
                            for n, stamp in enumerate(timestamps)), encoding="utf-8")
    return path


def test_a_feed_time_more_than_a_day_ahead_is_refused_at_its_line_and_field(tmp_path: Path):
    path = _feed(tmp_path, "2026-11-25T09:00:00+00:00", "2026-11-25T10:00:00+00:00", 99999999999,
                 "5138-11-16T09:46:39Z")
    problems = validate_feed(path, clock=lambda: NOW)
    assert [error.where for error in problems] == [f"{path}:2", f"{path}:3", f"{path}:4"]
    assert problems[0].problem == ('field \'timestamp\': "2026-11-25T10:00:00+00:00" is 2026-11-25 10:00 UTC, '
                                   'more than a day after now (2026-11-24 09:30 UTC)')
    assert problems[1].problem.startswith("field 'timestamp': 99999999999 is 5138-11-16")
    with pytest.raises(SourceError) as error:
        list(parse_feed(path, clock=lambda: NOW))
    assert error.value.where == f"{path}:2"


def test_a_feed_is_checked_against_the_real_clock_by_default(tmp_path: Path):
    soon = datetime.now(timezone.utc) + timedelta(hours=1)
    [message] = parse_feed(_feed(tmp_path, soon.isoformat()))
    assert message.sent_at == soon
    [error] = validate_feed(_feed(tmp_path, (soon + timedelta(days=1)).isoformat()))
    assert "more than a day after now" in error.problem


# --- 2. every refusal logged and recorded ------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(f"sqlite:///{tmp_path / 'store.db'}")


@pytest.fixture
def url(store: Store) -> Iterator[str]:
    settings = WebhookSettings(verify_token=TOKEN, app_secret=SECRET, max_body_bytes=CAP)
    with serving(create_app(store, settings)) as base:
        yield base + PATH


def post(url: str, raw: bytes, signature: str | None = "sign") -> requests.Response:
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[HEADER] = sign(raw, SECRET) if signature == "sign" else signature
    return requests.post(url, data=raw, headers=headers, timeout=10)


def recorded(store: Store, count: int, timeout_s: float = 10) -> list[dict[str, Any]]:
    """The refusals recorded, once there are `count` (each is written just after its answer)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with store.engine.connect() as connection:
            rows = [dict(row) for row in connection.execute(
                select(webhook_refusals).order_by(webhook_refusals.c.id)).mappings()]
        if len(rows) >= count or time.monotonic() > deadline:
            return rows
        time.sleep(0.05)


def test_every_refusal_is_logged_and_recorded_with_its_size_never_the_body_or_a_secret(
        url: str, store: Store, caplog: pytest.LogCaptureFixture) -> None:
    private = "private-quote-9931"
    good = text_delivery(BUSINESS, CUSTOMER, "wamid.limits.ok", f"{private} text", datetime.now(timezone.utc))
    bad_field = json.loads(good)
    at_path(bad_field, MESSAGE)["from"] = private  # a payload error quotes the value it found
    bad_field = json.dumps(bad_field).encode()
    forged_signature = sign(good, "not-the-app-secret")
    too_large = b'{"pad": "' + private.encode() * (CAP // len(private)) + b'"}'
    with caplog.at_level("INFO"):
        sent = [
            (post(url, good, None), 401, "bad_signature", len(good)),
            (post(url, good, forged_signature), 403, "bad_signature", len(good)),
            (post(url, b'{"entry": [' + private.encode()), 400, "malformed_json", 11 + len(private)),
            (post(url, bad_field), 400, "malformed_payload", len(bad_field)),
            (post(url, too_large), 413, "body_too_large", len(too_large)),  # declared, refused unread
            (requests.get(url, params={"hub.mode": "subscribe", "hub.verify_token": "guess-" + TOKEN,
                                       "hub.challenge": "1"}, timeout=10), 403, "verification_failed", None),
        ]
        assert [(answer.status_code, answer.json()["error"]["code"]) for answer, *_ in sent] == \
               [(status, code) for _, status, code, _ in sent]
        rows = recorded(store, len(sent))
    def key(refusal: tuple) -> tuple:
        return refusal[0], refusal[1], refusal[2] or 0

    # each is recorded once its answer is sent, in a thread of its own: in any order
    assert sorted(((row["status"], row["code"], row["size"]) for row in rows), key=key) == \
           sorted((expected[1:] for expected in sent), key=key)
    assert all(row["at"].tzinfo is not None and row["reason"] for row in rows)
    [payload_error] = [row["reason"] for row in rows if row["code"] == "malformed_payload"]
    assert payload_error == ("entry[0].changes[0].value.messages[0].from: expected a WhatsApp number "
                             "(7-15 digits), got a value not shown here")
    assert private in sent[3][0].json()["error"]["message"]  # the sender still hears what it sent wrong
    for status, code, size in ((401, "bad_signature", len(good)), (413, "body_too_large", len(too_large)),
                               (403, "verification_failed", "unknown")):
        assert f"{status} {code}, {size} bytes: " in caplog.text
    kept = caplog.text + json.dumps([row["reason"] for row in rows])
    for secret_or_body in (private, SECRET, TOKEN, forged_signature.removeprefix("sha256="),
                           sign(good, SECRET).removeprefix("sha256=")):
        assert secret_or_body not in kept
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(ingests)).scalar_one() == 0


def test_a_future_time_from_the_receiver_is_a_400_naming_the_field_and_recorded(url: str, store: Store) -> None:
    envelope = json.loads(text_delivery(BUSINESS, CUSTOMER, "wamid.limits.5138", "from the future", NOW))
    at_path(envelope, MESSAGE)["timestamp"] = "99999999999"
    answer = post(url, json.dumps(envelope).encode())
    assert answer.status_code == 400
    assert answer.json()["error"]["message"].startswith(f"{MESSAGE_PATH}.timestamp: unix timestamp '99999999999' "
                                                        "is 5138-11-16")
    [row] = recorded(store, 1)
    assert (row["status"], row["code"]) == (400, "malformed_payload")
    assert row["reason"].startswith(f"{MESSAGE_PATH}.timestamp: unix timestamp")


def test_a_store_failing_to_record_a_refusal_changes_nothing_of_the_answer(
        url: str, store: Store, caplog: pytest.LogCaptureFixture) -> None:
    raw = text_delivery(BUSINESS, CUSTOMER, "wamid.limits.nostore", "hello", datetime.now(timezone.utc))
    expected = post(url, raw, "sha256=" + "00" * 32)
    with store.engine.begin() as connection:
        connection.execute(text("DROP TABLE webhook_refusals"))
    with caplog.at_level("INFO"):
        answer = post(url, raw, "sha256=" + "00" * 32)
        deadline = time.monotonic() + 10
        while "webhook refusal not recorded" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
    assert (answer.status_code, answer.json(), answer.headers.get("content-type")) == (
        expected.status_code, expected.json(), expected.headers.get("content-type"))
    assert "webhook refusal not recorded: the store failed: OperationalError" in caplog.text
    assert post(url, raw).status_code == 200  # deliveries are stored as ever


def test_refusals_are_counted_per_status_and_code_over_24_hours_and_all_kept(any_store: Store) -> None:
    for hours_ago, status, code, reason in [
        (30, 401, "bad_signature", "X-Hub-Signature-256 header: missing"),
        (5, 401, "bad_signature", "X-Hub-Signature-256 header: missing"),
        (1, 401, "bad_signature", "X-Hub-Signature-256 header: the digest is not hexadecimal"),
        (50, 413, "body_too_large", "the body is over 1048576 bytes"),
        (2, 400, "malformed_payload", "x" * 2000 + "\x00"),
    ]:
        record_refusal(any_store.engine, Refusal(status, code, reason, 120), at=NOW - timedelta(hours=hours_ago))
    with any_store.engine.connect() as connection:
        counts = count_refusals(connection, NOW)
    assert [(c.status, c.code, c.recent, c.total) for c in counts] == [
        (400, "malformed_payload", 1, 1), (401, "bad_signature", 2, 3), (413, "body_too_large", 0, 1)]
    assert counts[1].last_reason == "X-Hub-Signature-256 header: the digest is not hexadecimal"
    assert counts[1].last_at == NOW - timedelta(hours=1)
    assert len(counts[0].last_reason) == REASON_CHARS and counts[0].last_reason.endswith("…")
    summary = any_store.summary()
    assert [(r.status, r.code, r.total) for r in summary.refusals] == [(c.status, c.code, c.total) for c in counts]


def test_only_the_newest_refusals_are_kept(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Anyone can send a refused request: what they cost the store is bounded."""
    monkeypatch.setattr(refusals, "KEEP", 3)
    for n in range(5):
        record_refusal(store.engine, Refusal(401, "bad_signature", f"refusal {n}", n))
    assert [row["reason"] for row in recorded(store, 3)] == ["refusal 2", "refusal 3", "refusal 4"]


# --- 3. request_welcome, flow replies, ad referrals ---------------------------------------------


def test_request_welcome_is_an_event_of_the_chat_not_a_dropped_message():
    message = only_message(inbound({"type": "request_welcome"}))
    assert (message.type, message.direction, message.body) == (
        MessageType.SYSTEM, Direction.SYSTEM, "The customer opened the chat")
    assert (message.chat_id, message.sender, message.sender_name) == (CUSTOMER, CUSTOMER, "Kerry Fisher")


FLOW_REPLY = {  # Meta's "Response Message Webhook" of WhatsApp Flows
    "context": {"from": BUSINESS[1:], "id": "gBGGEiRVVgBPAgm7FUgc73noXjo"},
    "type": "interactive",
    "interactive": {"type": "nfm_reply", "nfm_reply": {
        "name": "flow", "body": "Sent",
        "response_json": json.dumps({"flow_token": "lead-form-2291", "full_name": "Kerry Fisher",
                                     "email": "kerry@example.com", "interested_in": ["solar", "battery"],
                                     "callback": True, "budget": 12000, "notes": None}),
    }},
}


def test_a_flow_reply_shows_its_answers_after_its_body():
    message = only_message(inbound(FLOW_REPLY))
    assert message.type is MessageType.INTERACTIVE and message.reply_to == "gBGGEiRVVgBPAgm7FUgc73noXjo"
    assert message.body == ('Sent\nfull_name: Kerry Fisher, email: kerry@example.com, '
                            'interested_in: ["solar", "battery"], callback: yes, budget: 12000, notes: -')
    assert "lead-form-2291" not in message.body  # the business's own token, not the customer's answer


@pytest.mark.parametrize("response_json,expected", [
    ("{}", "Sent"),
    ("", "Sent"),
    ('{"flow_token": "unused"}', "Sent"),
    ("not json at all", "Sent\nnot json at all"),
    ('["a", "list"]', 'Sent\n["a", "list"]'),
    ('{"comment": "line one\\nline two \\u0000 \\ud83d"}', "Sent\ncomment: line one line two \ufffd \ufffd"),
    ("[" * 100_000, None),  # nested past what Python reads: shown as text, cut
])
def test_odd_flow_answers_are_shown_as_they_are_and_bounded(response_json: str, expected: str | None):
    reply = copy.deepcopy(FLOW_REPLY)
    reply["interactive"]["nfm_reply"]["response_json"] = response_json
    body = only_message(inbound(reply)).body
    if expected is None:
        assert body.startswith("Sent\n[[[") and len(body) == len("Sent\n") + FLOW_SUMMARY_CHARS
    else:
        assert body == expected


def test_a_long_flow_reply_is_cut():
    reply = copy.deepcopy(FLOW_REPLY)
    reply["interactive"]["nfm_reply"]["response_json"] = json.dumps({f"q{n}": "a" * 300 for n in range(50)})
    answers = only_message(inbound(reply)).body.split("\n", 1)[1]
    assert len(answers) == FLOW_SUMMARY_CHARS and answers.endswith("…")
    assert answers.startswith("q0: " + "a" * 99 + "…, q1: ")  # each answer cut too


def test_a_message_from_an_ad_says_so_after_its_text():
    message = only_message(case("message", "referral"))
    assert message.type is MessageType.TEXT
    assert message.body == "BODY\nFrom an ad: AD_TITLE (AD_OR_POST_FB_URL)"


CTWA_REFERRAL = {  # click-to-WhatsApp, as Meta documents the referral object
    "source_url": "https://fb.me/3cr4Wqqkh", "source_id": "6488291537105", "source_type": "ad",
    "headline": "Solar panels: 30% off in March", "body": "Chat with us for a free quote",
    "media_type": "image", "image_url": "https://scontent.xx.fbcdn.net/v/t45.1600-4/ad.jpg",
    "ctwa_clid": "ARAkLkA8rmlFeiCktEJQ-QTwRiyYHAFDLMNDBH0CD3qpjd0HR4irJ6LEkR7JwFF4XvnO2E4Nx0-eM-GABDLOPaOdRMv-_zfUQ2a",
}


@pytest.mark.parametrize("referral,content,expected", [
    (CTWA_REFERRAL, {"type": "text", "text": {"body": "Hi, is this still on?"}},
     "Hi, is this still on?\nFrom an ad: Solar panels: 30% off in March (https://fb.me/3cr4Wqqkh)"),
    ({**CTWA_REFERRAL, "source_type": "post", "headline": None}, {"type": "image", "image": {
        "id": "1479537139650973", "mime_type": "image/jpeg", "sha256": "ZAl6QpoDhYC8nDtdgmM="}},
     "From a post: Chat with us for a free quote (https://fb.me/3cr4Wqqkh)"),
    ({"source_type": "ad"}, {"type": "text", "text": {"body": "hello"}}, "hello\nFrom an ad"),
])
def test_ad_referrals_keep_the_text_and_add_the_ad(referral: dict, content: dict, expected: str):
    message = only_message(inbound({**content, "referral": referral}))
    assert message.body == expected
    assert message.type is MessageType(content["type"])


def test_a_malformed_referral_names_its_field():
    with pytest.raises(SourceError) as error:
        parse_delivery(inbound({"type": "text", "text": {"body": "hi"}, "referral": {"headline": 7}}))
    assert error.value.where == f"{MESSAGE_PATH}.referral.headline"


def test_the_three_reach_the_store_and_read_well_in_a_transcript(url: str, store: Store) -> None:
    bodies = []
    for n, message in enumerate([{"type": "request_welcome"},
                                 {"type": "text", "text": {"body": "Hi!"}, "referral": CTWA_REFERRAL},
                                 FLOW_REPLY]):
        envelope = inbound(message)
        sent = at_path(envelope, MESSAGE)
        sent["id"], sent["timestamp"] = f"wamid.limits.three.{n}", str(int((NOW + timedelta(minutes=n)).timestamp()))
        assert post(url, json.dumps(envelope).encode()).status_code == 200
    with store.engine.connect() as connection:
        rows = connection.execute(select(messages).order_by(messages.c.sent_at)).all()
    for row in rows:
        direction = Direction(row.direction)
        bodies.append(TranscriptMessage(row.sent_at.replace(tzinfo=None), None if direction is Direction.SYSTEM
                                        else "Kerry Fisher", direction, MessageType(row.type), row.body))
    assert render_transcript(bodies).splitlines() == [
        "09:30 — The customer opened the chat",
        "09:31 Kerry Fisher: Hi!",
        "      From an ad: Solar panels: 30% off in March (https://fb.me/3cr4Wqqkh)",
        "09:32 Kerry Fisher: Sent",
        '      full_name: Kerry Fisher, email: kerry@example.com, interested_in: ["solar", "battery"], '
        "callback: yes, budget: 12000, notes: -",
    ]
