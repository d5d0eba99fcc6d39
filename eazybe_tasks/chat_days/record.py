"""The WhatsApp_Chat__c field values of one chat-day for one linked person, and the hash that
tells whether Salesforce already has exactly this version."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

from eazybe_tasks.chat_days.transcript import TranscriptMessage, render_transcript
from eazybe_tasks.sources.model import Direction

TRANSCRIPT_LIMIT = 131_072  # Transcript__c is a Long Text Area(131072)
# A message longer than this is cut where Salesforce shows the day (the field, a Note's 32,000
# characters); WhatsApp's own limit is 65,536, and a feed or an export may bring any length.
MESSAGE_LIMIT = 30_000
NAME_LIMIT = 80
SOURCE_LABELS = {"cloud_api": "Cloud API", "chat_export": "Chat Export", "feed": "Feed", "business_app": "Business App"}


@dataclass(frozen=True)
class ChatDayKey:
    account_number: str
    chat_id: str
    day: date
    person_id: str  # the linked Contact or Lead

    def external_id(self) -> str:
        """Chat_Key__c: deterministic, so every retry upserts the same record."""
        raw = f"{self.account_number}|{self.chat_id}|{self.day.isoformat()}|{self.person_id}"
        return raw if len(raw) <= 255 else hashlib.sha256(raw.encode()).hexdigest()


def record_name(chat_name: str, day: date) -> str:
    suffix = f" · {day.isoformat()}"
    room = NAME_LIMIT - len("WhatsApp · ") - len(suffix)
    shown = chat_name if len(chat_name) <= room else chat_name[: room - 1] + "…"
    return f"WhatsApp · {shown}{suffix}"


@dataclass(frozen=True)
class ChatDayRecord:
    fields: dict[str, Any]
    full_transcript: str  # every message whole: what a File holds when Salesforce cannot show it all
    content_hash: str
    shown_transcript: str = ""  # each message cut past MESSAGE_LIMIT: what the field and a Note show

    @property
    def needs_file(self) -> bool:
        """Whether Salesforce shows less than the whole day (a long day, or a cut message)."""
        return len(self.full_transcript) > TRANSCRIPT_LIMIT or self.shown_transcript != self.full_transcript


def salesforce_datetime(moment: datetime) -> str:
    """A DateTime field value as the REST API writes it: UTC, milliseconds, +0000."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000+0000")


@dataclass(frozen=True)
class ChatFacts:
    """What a chat-day's record says besides its transcript: whose it is and what chat it is of."""

    person_field: str  # Contact__c or Lead__c
    chat_name: str
    is_group: bool
    customer_number: str | None
    source: str  # the Source value of the day's last message
    user_id: str | None = None  # the customer's WhatsApp user id (BSUID), when known
    username: str | None = None


def build_record(key: ChatDayKey, facts: ChatFacts, messages: list[TranscriptMessage],
                 utc_times: list[datetime]) -> ChatDayRecord:
    """`utc_times` are the messages' UTC times, for the first/last DateTime fields. The user id
    and username are sent only when known (so a chat without them hashes as it always did).
    Last_Synced_At__c is set by the writer, outside the hash.

    WhatsApp's own notices (joins, leaves, subject changes, the encryption notice) are events:
    shown in the transcript, but not counted as messages nor in the first and last message times.
    Attachment_Count__c counts the files attached; media left out of an export are shown only."""
    chat_name = facts.chat_name
    transcript = render_transcript(messages)
    field_text = shown = render_transcript(messages, MESSAGE_LIMIT)
    if len(shown) > TRANSCRIPT_LIMIT:
        field_text = (
            f"This day's transcript is {len(transcript):,} characters, over the field's "
            f"{TRANSCRIPT_LIMIT:,}: the whole transcript is in the file "
            f"\"{record_name(chat_name, key.day)}.txt\" under Files."
        )
    counted = [(m, at) for m, at in zip(messages, utc_times) if m.direction is not Direction.SYSTEM]
    times = [at for _, at in counted]
    fields: dict[str, Any] = {
        "Chat_Key__c": key.external_id(),
        "Name": record_name(chat_name, key.day),
        facts.person_field: key.person_id,
        "WhatsApp_Number__c": facts.customer_number,
        "Business_Number__c": key.account_number,
        "Chat_Name__c": chat_name[:255],
        "Is_Group__c": facts.is_group,
        "Chat_Date__c": key.day.isoformat(),
        "First_Message_At__c": salesforce_datetime(min(times)) if times else None,
        "Last_Message_At__c": salesforce_datetime(max(times)) if times else None,
        "Message_Count__c": len(counted),
        "Inbound_Count__c": sum(m.direction is Direction.INBOUND for m, _ in counted),
        "Outbound_Count__c": sum(m.direction is Direction.OUTBOUND for m, _ in counted),
        "Attachment_Count__c": sum(not a.omitted for m in messages for a in m.attachments),
        "Transcript__c": field_text,
        "Source__c": SOURCE_LABELS[facts.source],
    }
    for name, value in (("WhatsApp_User_Id__c", facts.user_id), ("WhatsApp_Username__c", facts.username)):
        if value:
            fields[name] = value[:255] if name == "WhatsApp_User_Id__c" else value[:100]
    digest = hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode() + transcript.encode()).hexdigest()
    return ChatDayRecord(fields, transcript, digest, shown)
