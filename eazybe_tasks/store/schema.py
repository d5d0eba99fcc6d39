"""The store's tables. Alembic migrations create them; this module is what code and the
migration check (`alembic check` semantics in the tests) compare against."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator):
    """A timestamp stored in UTC and read back timezone-aware on every database.

    SQLite keeps no offset, so an aware value is required on the way in and UTC is attached on the
    way out; a naive datetime is refused rather than guessed."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store keeps aware UTC timestamps")
        utc = value.astimezone(timezone.utc)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# Deterministic constraint names, so migrations can refer to them on every database.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("number", String(16), nullable=False, unique=True, comment="business number, E.164"),
    Column("label", String(255)),
    Column("default_region", String(2), nullable=False, comment="for numbers typed without +"),
    Column("time_zone", String(64), nullable=False, comment="IANA name; chat-days are cut in it"),
    Column("connected_at", UtcDateTime(), nullable=False),
    Column("last_synced_at", UtcDateTime()),
    Column("phone_number_id", String(64), comment="the Graph API's id of the number, as deliveries give it"),
    Column("waba_id", String(64), index=True, comment="its WhatsApp Business Account; account events name it"),
)

ingests = Table(
    "ingests",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("source", String(16), nullable=False),
    Column("origin", Text, nullable=False, comment="file path, or the webhook's remote address"),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("raw_sha256", String(64), nullable=False, index=True),
    Column("raw", Text, comment="the webhook body as received; None for files"),
    Column("messages_seen", Integer, nullable=False),
    Column("messages_added", Integer, nullable=False),
    Column("statuses_added", Integer, nullable=False),
)

chats = Table(
    "chats",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("chat_id", String(128), nullable=False, comment="E.164 for 1:1, the group id for groups"),
    Column("is_group", Boolean, nullable=False),
    Column("name", String(255)),
    Column("user_id", String(160), comment="1:1: the customer's latest business-scoped user id (BSUID)"),
    UniqueConstraint("account_id", "chat_id"),
)

chat_handles = Table(
    "chat_handles",
    metadata,
    Column("account_id", ForeignKey("accounts.id"), primary_key=True),
    Column("handle", String(160), primary_key=True, comment="a phone (E.164), a BSUID or a group id"),
    Column("chat_pk", ForeignKey("chats.id"), nullable=False, index=True),
)

whatsapp_users = Table(
    "whatsapp_users",
    metadata,
    Column("user_id", String(160), primary_key=True, comment="business-scoped: unique within a portfolio"),
    Column("parent_user_id", String(160)),
    Column("phone", String(16), index=True, comment="E.164, the latest seen with this id"),
    Column("username", String(255)),
    Column("name", String(255)),
    Column("first_seen_at", UtcDateTime(), nullable=False),
    Column("last_seen_at", UtcDateTime(), nullable=False),
)

address_book = Table(
    "address_book",
    metadata,
    Column("account_id", ForeignKey("accounts.id"), primary_key=True),
    Column("phone", String(16), primary_key=True),
    Column("name", String(255)),
    Column("removed", Boolean, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)

history_chunks = Table(
    "history_chunks",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False, index=True),
    Column("phase", Integer),
    Column("chunk_order", Integer),
    Column("progress", Integer, comment="0-100 over the whole history sync"),
    Column("messages", Integer, nullable=False),
    Column("declined", Text, comment="Meta's error when the business declined to share its history"),
    Column("received_at", UtcDateTime(), nullable=False),
    Column("ingest_id", ForeignKey("ingests.id"), nullable=False),
)

account_events = Table(
    "account_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("waba_id", String(64), nullable=False, index=True),
    Column("event", String(64), nullable=False, comment="ACCOUNT_OFFBOARDED, PARTNER_REMOVED, ACCOUNT_RECONNECTED"),
    Column("reason", String(64)),
    Column("at", UtcDateTime(), nullable=False),
    Column("ingest_id", ForeignKey("ingests.id"), nullable=False),
)

business_app_requests = Table(
    "business_app_requests",
    metadata,
    Column("account_id", ForeignKey("accounts.id"), primary_key=True),
    Column("sync_type", String(32), primary_key=True, comment="smb_app_state_sync or history"),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("request_id", String(255), comment="the Graph API's answer"),
    Column("days", Integer, comment="history: how many days of it go to Salesforce (the account's backfill window)"),
)

participants = Table(
    "participants",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("chat_pk", ForeignKey("chats.id"), nullable=False),
    Column("handle", String(255), nullable=False, comment="E.164 number, or the name an export shows"),
    Column("name", String(255)),
    UniqueConstraint("chat_pk", "handle"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("chat_pk", ForeignKey("chats.id"), nullable=False, index=True),
    Column("source", String(16), nullable=False),
    Column("source_id", String(255), nullable=False),
    Column("direction", String(16), nullable=False),
    Column("type", String(32), nullable=False),
    Column("sender", String(32)),
    Column("sender_name", String(255)),
    Column("body", Text, nullable=False),
    Column("sent_at", UtcDateTime(), nullable=False, index=True),
    Column("status", String(16)),
    Column("edited", Boolean, nullable=False),
    Column("reply_to", String(255)),
    Column("raw", JSON),
    Column("ingest_id", ForeignKey("ingests.id"), nullable=False, index=True),
    UniqueConstraint("account_id", "source_id"),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("message_pk", ForeignKey("messages.id"), nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("file_name", String(255)),
    Column("mime_type", String(255)),
    Column("size", BigInteger),
    Column("sha256", String(64), index=True, comment="the bytes are blobs/<sha256[:2]>/<sha256>"),
    Column("media_id", String(255), comment="Cloud API media id, until downloaded"),
    Column("caption", Text),
    Column("omitted", Boolean, nullable=False),
    Column("download_attempts", Integer, nullable=False, server_default="0"),
    Column("download_error", Text, comment="why the last Graph API download failed"),
    UniqueConstraint("message_pk", "position"),
)

statuses = Table(
    "statuses",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("source_id", String(255), nullable=False, index=True, comment="the message's id"),
    Column("recipient", String(32)),
    Column("status", String(16), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
    Column("errors", JSON),
    Column("ingest_id", ForeignKey("ingests.id"), nullable=False),
    UniqueConstraint("account_id", "source_id", "status"),
)


people = Table(
    "people",
    metadata,
    Column("record_id", String(18), primary_key=True),
    Column("object_name", String(16), nullable=False, comment="Contact or Lead"),
    Column("name", String(255)),
    Column("phone", String(40)),
    Column("mobile_phone", String(40)),
    Column("is_converted", Boolean, nullable=False),
    Column("do_not_log", Boolean, nullable=False),
    Column("whatsapp_user_id", String(160), comment="WhatsApp_User_Id__c: a BSUID links before any phone"),
    Column("system_modstamp", String(28), nullable=False, comment="as Salesforce wrote it; orders refreshes"),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)


chat_day_ledger = Table(
    "chat_day_ledger",
    metadata,
    Column("chat_key", String(255), primary_key=True, comment="WhatsApp_Chat__c.Chat_Key__c"),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("chat_pk", ForeignKey("chats.id"), nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("person_id", String(18), nullable=False),
    Column("record_id", String(18), comment="the WhatsApp_Chat__c record, once Salesforce acknowledged"),
    Column("content_hash", String(64), comment="of the version Salesforce has"),
    Column("written_at", UtcDateTime()),
    Column("error_code", String(64), comment="the last failure, cleared by a success"),
    Column("error_message", Text),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", UtcDateTime(), comment="a failed write waits until then (backoff)"),
)

sync_runs = Table(
    "sync_runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("started_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime()),
    Column("status", String(16), nullable=False, comment="running, succeeded, failed, stopped, abandoned"),
    Column("messages", Integer, nullable=False, server_default="0"),
    Column("chat_days_written", Integer, nullable=False, server_default="0"),
    Column("chat_days_failed", Integer, nullable=False, server_default="0"),
    Column("error", Text),
    Column("mode", String(16), nullable=False, server_default="sync", comment="sync, backfill, dry_run"),
    Column("window_start", UtcDateTime(), comment="messages sent before this were left alone"),
    Column("window_end", UtcDateTime()),
    Column("chat_days_unchanged", Integer, nullable=False, server_default="0"),
    Column("unmatched", Integer, nullable=False, server_default="0", comment="chat-days with no Contact or Lead"),
    Column("skipped_do_not_log", Integer, nullable=False, server_default="0"),
    Column("quarantined", Integer, nullable=False, server_default="0"),
    Column("notes_written", Integer, nullable=False, server_default="0"),
    Column("files_written", Integer, nullable=False, server_default="0"),
    Column("api_calls", Integer, nullable=False, server_default="0", comment="calls this run made"),
    Column("api_used", Integer, comment="the org's daily usage after the run (Sforce-Limit-Info)"),
    Column("api_limit", Integer, comment="the org's daily allowance"),
    Column("stop_reason", Text, comment="why a run stopped early (API budget, limit reached)"),
    Column("lock_holders", Text, comment="the run's lock holders, comma-separated; none left in locks: it died"),
)


message_outcomes = Table(
    "message_outcomes",
    metadata,
    Column("message_pk", ForeignKey("messages.id"), primary_key=True),
    Column("person_id", String(18), primary_key=True, comment="'' when the number matched nobody"),
    Column("account_id", ForeignKey("accounts.id"), nullable=False),
    Column("chat_pk", ForeignKey("chats.id"), nullable=False),
    Column("day", Date, nullable=False, index=True, comment="the chat-day, in the account's time zone"),
    Column("outcome", String(16), nullable=False,
           comment="logged, unmatched, do_not_log, pending (failed, will retry), quarantined"),
    Column("number", String(32), comment="the customer's number (the sender's, in a group)"),
    Column("chat_key", String(255), comment="the chat-day record it belongs to"),
    Column("record_id", String(18)),
    Column("error_code", String(64)),
    Column("run_id", ForeignKey("sync_runs.id"), nullable=False, comment="the run that decided it"),
    Column("decided_at", UtcDateTime(), nullable=False),
    Column("logged_at", UtcDateTime(), comment="first acknowledged by Salesforce"),
)

locks = Table(
    "locks",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("holder", String(255), nullable=False, comment="host, process and a random token"),
    Column("acquired_at", UtcDateTime(), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False, comment="a lease: a crashed holder frees it by then"),
)


note_ledger = Table(
    "note_ledger",
    metadata,
    Column("chat_key", String(255), primary_key=True),
    Column("part", Integer, primary_key=True, comment="1.. when a transcript needs several notes"),
    Column("person_id", String(18), nullable=False, comment="the Contact, the note's ParentId"),
    Column("title", String(80), nullable=False),
    Column("note_id", String(18), comment="set once Salesforce acknowledged the create"),
    Column("body_hash", String(64), comment="of the body Salesforce has"),
    Column("intent_at", UtcDateTime(), comment="a create was sent then; unconfirmed means: look before sending again"),
)


file_ledger = Table(
    "file_ledger",
    metadata,
    Column("chat_key", String(255), primary_key=True),
    Column("sha256", String(64), primary_key=True, comment="the attachment's bytes (blob address)"),
    Column("record_id", String(18), nullable=False, comment="the WhatsApp_Chat__c record it shows on"),
    Column("file_name", String(255), nullable=False),
    Column("content_version_id", String(18), comment="set when this record's upload was acknowledged"),
    Column("content_document_id", String(18), comment="the file, uploaded once, linked to every record"),
    Column("intent_at", UtcDateTime(), comment="an upload or link was sent then"),
)

webhook_refusals = Table(
    "webhook_refusals",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("at", UtcDateTime(), nullable=False, index=True),
    Column("status", Integer, nullable=False, comment="the HTTP status answered: 400, 401, 403, 408, 413, 500, 503"),
    Column("code", String(32), nullable=False, comment="the error code answered, e.g. bad_signature"),
    Column("reason", Text, nullable=False, comment="what was wrong, cut short; never the body, a signature or a secret"),
    Column("size", BigInteger, comment="body bytes read, or declared when it was refused unread"),
)
