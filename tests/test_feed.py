"""The JSONL feed: a realistic valid feed, and one fixture line per kind of mistake."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from eazybe_tasks.sources.feed import parse_feed, validate_feed
from eazybe_tasks.sources.model import AttachmentRef, Direction, MessageType, Source, SourceError

FIXTURES = Path(__file__).parent / "fixtures" / "feed"
VALID = FIXTURES / "valid.jsonl"
BAD = FIXTURES / "bad_lines.jsonl"


def test_valid_feed():
    messages = list(parse_feed(VALID))
    assert [m.source_id for m in messages] == [
        "sms-gw-000101", "sms-gw-000102", "sms-gw-000103",
        "grp-77-0001", "grp-77-0002", "grp-77-0003", "sms-gw-000101"]
    assert all(m.source is Source.FEED and m.account_number == "+4930901820" for m in messages)
    assert validate_feed(VALID) == []


def test_one_to_one_message():
    first = next(parse_feed(VALID))
    assert (first.chat_id, first.is_group, first.direction) == ("+491701234567", False, Direction.INBOUND)
    assert (first.sender, first.sender_name, first.chat_name) == (
        "+491701234567", "Anna Schmidt", "Anna Schmidt")
    assert first.type is MessageType.TEXT
    assert first.body == "Guten Morgen, ist mein Angebot schon fertig?"
    assert first.sent_at == datetime(2024, 3, 5, 8, 14, 2, tzinfo=timezone.utc)
    assert first.raw["id"] == "sms-gw-000101"


def test_unix_seconds_status_and_reply():
    answer = list(parse_feed(VALID))[1]
    assert answer.sent_at == datetime(2024, 3, 5, 8, 25, tzinfo=timezone.utc)
    assert (answer.direction, answer.status, answer.reply_to) == (
        Direction.OUTBOUND, "read", "sms-gw-000101")


def test_attachment_with_url_keeps_the_url_in_raw():
    document = list(parse_feed(VALID))[2]
    assert document.attachments == (AttachmentRef(
        file_name="Angebot-2024-117.pdf", mime_type="application/pdf",
        sha256="9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"),)
    assert document.raw["attachments"][0]["url"].startswith("https://")


def test_group_chat():
    photo, notice, reaction = list(parse_feed(VALID))[3:6]
    assert (photo.chat_id, photo.is_group, photo.chat_name) == (
        "120363025246125486@g.us", True, "Projekt Umbau Kantstr.")
    assert [a.file_name for a in photo.attachments] == [
        "IMG-20240305-WA0003.jpg", "IMG-20240305-WA0004.jpg"]
    assert photo.sent_at == datetime(2024, 3, 5, 9, 2, 11, 250000, tzinfo=timezone.utc)
    assert (notice.direction, notice.type, notice.sender) == (Direction.SYSTEM, MessageType.SYSTEM, None)
    assert (reaction.type, reaction.body, reaction.reply_to) == (MessageType.REACTION, "👍", "grp-77-0001")


def test_edited_message_reuses_its_id():
    edited = list(parse_feed(VALID))[-1]
    assert edited.edited and edited.body.endswith("(bearbeitet)")
    assert edited.chat_name is None  # null counts as absent


def test_bom_crlf_and_blank_lines():
    [message] = parse_feed(FIXTURES / "crlf_and_bom.jsonl")
    assert (message.source_id, message.body) == ("a1", "ok")


def test_parse_feed_stops_at_the_first_bad_line():
    messages = parse_feed(BAD)
    assert next(messages).source_id == "ok-1"  # streamed: the good line comes out first
    with pytest.raises(SourceError) as error:
        next(messages)
    assert error.value.where == f"{BAD}:2"
    assert error.value.problem == ("field 'timestamp': expected ISO 8601 with a UTC offset or unix "
                                   "seconds, got \"2024-03-05T09:14:02\"")


EXPECTED_PROBLEMS = {
    2: "field 'timestamp': expected ISO 8601 with a UTC offset or unix seconds",
    3: "field 'timestamp': expected ISO 8601 with a UTC offset or unix seconds, got \"yesterday\"",
    4: "field 'account': expected an E.164 number ('+' then 8 to 15 digits), got \"030 901820\"",
    5: "field 'direction': expected one of inbound, outbound, system, got \"sideways\"",
    6: "field 'type': expected one of text, image,",
    7: "field 'id': required",
    8: "field 'sender_nmae': unknown field",
    9: "not a JSON object: Expecting ',' delimiter",
    10: "expected a JSON object, got list",
    11: "field 'attachments': item 0: field 'sha256': expected 64 lowercase hex digits, got \"XYZ\"",
    12: "field 'group': expected true or false, got \"yes\"",
    13: "field 'chat': expected an E.164 number",
    14: "field 'status': expected one of delivered, failed, played, read, sent, got \"seen\"",
    15: "field 'attachments': item 0: field 'mime_type': required",
    17: "field 'timestamp': expected ISO 8601 with a UTC offset or unix seconds, got true",
}


def test_validate_feed_reports_every_bad_line():
    problems = validate_feed(BAD)
    assert [error.where for error in problems] == [f"{BAD}:{line}" for line in EXPECTED_PROBLEMS]
    for error, expected in zip(problems, EXPECTED_PROBLEMS.values()):
        assert error.problem.startswith(expected), error.problem


def test_not_utf8():
    [error] = validate_feed(FIXTURES / "not_utf8.jsonl")
    assert error.where.endswith("not_utf8.jsonl:1")
    assert error.problem.startswith("not UTF-8")


@pytest.mark.parametrize("timestamp,expected", [
    ('"2024-03-05T09:14:02Z"', datetime(2024, 3, 5, 9, 14, 2, tzinfo=timezone.utc)),
    ('"2024-03-05T09:14:02-03:00"', datetime(2024, 3, 5, 12, 14, 2, tzinfo=timezone.utc)),
    ("1709630042", datetime(2024, 3, 5, 9, 14, 2, tzinfo=timezone.utc)),
    ("1709630042.5", datetime(2024, 3, 5, 9, 14, 2, 500000, tzinfo=timezone.utc)),
])
def test_timestamps(tmp_path: Path, timestamp: str, expected: datetime):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "t", "account": "+4930901820", "chat": "+491701234567", "direction": '
                    f'"inbound", "type": "text", "timestamp": {timestamp}}}\n', encoding="utf-8")
    [message] = parse_feed(feed)
    assert message.sent_at == expected and message.sent_at.tzinfo is timezone.utc


@pytest.mark.parametrize("timestamp", ['"2024-03-05"', "1e300", '"2024-13-01T00:00:00Z"', "-1e20"])
def test_impossible_timestamps(tmp_path: Path, timestamp: str):
    feed = tmp_path / "feed.jsonl"
    feed.write_text('{"id": "t", "account": "+4930901820", "chat": "+491701234567", "direction": '
                    f'"inbound", "type": "text", "timestamp": {timestamp}}}\n', encoding="utf-8")
    [error] = validate_feed(feed)
    assert error.problem.startswith("field 'timestamp': expected ISO 8601")
