"""Chat-day records: the transcript an admin reads, the fields, the key and the change hash."""
from __future__ import annotations

from datetime import date, datetime, timezone

from eazybe_tasks.chat_days.record import TRANSCRIPT_LIMIT, ChatDayKey, ChatFacts, build_record, record_name
from eazybe_tasks.chat_days.transcript import TranscriptAttachment, TranscriptMessage, render_transcript
from eazybe_tasks.sources.model import Direction, MessageType

DAY = date(2026, 11, 24)


def message(hour: int, minute: int, sender: str | None, body: str, **kw) -> TranscriptMessage:
    direction = kw.pop("direction", Direction.INBOUND if sender not in (None, "Sales US") else
                       (Direction.SYSTEM if sender is None else Direction.OUTBOUND))
    return TranscriptMessage(datetime(2026, 11, 24, hour, minute), sender, direction,
                             kw.pop("type", MessageType.TEXT), body, **kw)


def test_transcript_reads_like_a_conversation() -> None:
    lines = render_transcript([
        message(9, 42, "Sales US", "Here is the quote", type=MessageType.DOCUMENT,
                attachments=(TranscriptAttachment("document", "quote.pdf", False),)),
        message(9, 41, "Jane Doe", "Hi!\nCan you send the quote?"),
        message(9, 43, "Jane Doe", "", type=MessageType.IMAGE, attachments=(TranscriptAttachment("image", None, True),)),
        message(9, 44, "Jane Doe", "Thanks", edited=True),
        message(9, 45, "Jane Doe", "", type=MessageType.DELETED),
        message(9, 46, "Jane Doe", "👍", type=MessageType.REACTION),
        message(9, 47, None, "Jane Doe changed their phone number", type=MessageType.SYSTEM),
    ]).splitlines()
    assert lines == [
        "09:41 Jane Doe: Hi!",
        "      Can you send the quote?",
        "09:42 Sales US: [document: quote.pdf] Here is the quote",
        "09:43 Jane Doe: [image not included in the export]",
        "09:44 Jane Doe: Thanks (edited)",
        "09:45 Jane Doe: [message deleted]",
        "09:46 Jane Doe: [reacted 👍]",
        "09:47 — Jane Doe changed their phone number",
    ]


def test_record_fields_and_key() -> None:
    key = ChatDayKey("+14155550100", "+447700900123", DAY, "0035g0000000001AAA")
    msgs = [message(9, 41, "Jane Doe", "Hi"), message(9, 50, "Sales US", "Hello")]
    times = [datetime(2026, 11, 24, 17, 41, tzinfo=timezone.utc), datetime(2026, 11, 24, 17, 50, tzinfo=timezone.utc)]
    record = build_record(key, ChatFacts("Contact__c", "Jane Doe", False, "+447700900123", "cloud_api"), msgs, times)
    assert record.fields["Chat_Key__c"] == "+14155550100|+447700900123|2026-11-24|0035g0000000001AAA"
    assert record.fields["Name"] == "WhatsApp · Jane Doe · 2026-11-24"
    assert (record.fields["Message_Count__c"], record.fields["Inbound_Count__c"], record.fields["Outbound_Count__c"]) == (2, 1, 1)
    assert record.fields["First_Message_At__c"] == "2026-11-24T17:41:00.000+0000"
    assert record.fields["Source__c"] == "Cloud API" and record.fields["Contact__c"] == key.person_id
    same = build_record(key, ChatFacts("Contact__c", "Jane Doe", False, "+447700900123", "cloud_api"), msgs, times)
    assert same.content_hash == record.content_hash
    changed = build_record(key, ChatFacts("Contact__c", "Jane Doe", False, "+447700900123", "cloud_api"), msgs[:1], times[:1])
    assert changed.content_hash != record.content_hash


def test_long_names_and_transcripts_are_never_cut_silently() -> None:
    assert len(record_name("A" * 200, DAY)) == 80 and record_name("A" * 200, DAY).endswith("… · 2026-11-24")
    key = ChatDayKey("+14155550100", "+447700900123", DAY, "003x")
    msgs = [message(10, m % 60, "Jane Doe", "x" * 2000) for m in range(80)]
    times = [datetime(2026, 11, 24, 18, tzinfo=timezone.utc)] * 80
    record = build_record(key, ChatFacts("Contact__c", "Jane Doe", False, None, "chat_export"), msgs, times)
    assert len(record.full_transcript) > TRANSCRIPT_LIMIT
    assert "the whole transcript is in the file" in record.fields["Transcript__c"]
    assert len(record.fields["Transcript__c"]) < TRANSCRIPT_LIMIT
