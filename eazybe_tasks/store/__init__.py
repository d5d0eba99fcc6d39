"""The durable local store, in `schema.py`: what came in (accounts, ingests, chats and their
handles, participants, messages, attachments, statuses, WhatsApp users, the Business app's
address book, history chunks, account events and requests, webhook refusals), the phone
directory read from the org (people), and what the sync did with it (chat_day_ledger,
note_ledger, file_ledger, message_outcomes, sync_runs), with settings and locks.

SQLite by default, PostgreSQL by URL; the schema is versioned with Alembic migrations.
"""
