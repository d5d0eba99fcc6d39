"""The durable local store: accounts, chats, messages, attachments and the ingest log.

SQLite by default, PostgreSQL by URL; the schema is versioned with Alembic migrations.
"""
