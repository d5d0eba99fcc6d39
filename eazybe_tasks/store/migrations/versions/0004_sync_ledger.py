"""The sync ledger: what each chat-day record holds in Salesforce (its id and content hash, or
its last failure), and the log of sync runs.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_day_ledger",
        sa.Column("chat_key", sa.String(length=255), nullable=False, comment="WhatsApp_Chat__c.Chat_Key__c"),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("chat_pk", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False),
        sa.Column("record_id", sa.String(length=18), nullable=True,
                  comment="the WhatsApp_Chat__c record, once Salesforce acknowledged"),
        sa.Column("content_hash", sa.String(length=64), nullable=True, comment="of the version Salesforce has"),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True, comment="the last failure, cleared by a success"),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_chat_day_ledger_account_id_accounts")),
        sa.ForeignKeyConstraint(["chat_pk"], ["chats.id"], name=op.f("fk_chat_day_ledger_chat_pk_chats")),
        sa.PrimaryKeyConstraint("chat_key", name=op.f("pk_chat_day_ledger")),
    )
    with op.batch_alter_table("chat_day_ledger") as batch_op:
        batch_op.create_index(batch_op.f("ix_chat_day_ledger_chat_pk"), ["chat_pk"], unique=False)
    op.create_table(
        "sync_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False, comment="running, succeeded, failed"),
        sa.Column("messages", sa.Integer(), server_default="0", nullable=False),
        sa.Column("chat_days_written", sa.Integer(), server_default="0", nullable=False),
        sa.Column("chat_days_failed", sa.Integer(), server_default="0", nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_runs")),
    )


def downgrade() -> None:
    op.drop_table("sync_runs")
    with op.batch_alter_table("chat_day_ledger") as batch_op:
        batch_op.drop_index(batch_op.f("ix_chat_day_ledger_chat_pk"))
    op.drop_table("chat_day_ledger")
