"""Files ledger: each attachment shown on each chat-day record, uploaded once as a ContentVersion
and linked to the other records that show it, with intents for reconciliation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "file_ledger",
        sa.Column("chat_key", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False, comment="the attachment's bytes (blob address)"),
        sa.Column("record_id", sa.String(length=18), nullable=False, comment="the WhatsApp_Chat__c record it shows on"),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_version_id", sa.String(length=18), nullable=True,
                  comment="set when this record's upload was acknowledged"),
        sa.Column("content_document_id", sa.String(length=18), nullable=True,
                  comment="the file, uploaded once, linked to every record"),
        sa.Column("intent_at", sa.DateTime(timezone=True), nullable=True, comment="an upload or link was sent then"),
        sa.PrimaryKeyConstraint("chat_key", "sha256", name=op.f("pk_file_ledger")),
    )


def downgrade() -> None:
    op.drop_table("file_ledger")
