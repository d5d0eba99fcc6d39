"""Notes ledger: the classic Note written for each Contact chat-day (and its parts), with the
intent recorded before a create is sent, so a run killed mid-create finds the note instead of
writing a second one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "note_ledger",
        sa.Column("chat_key", sa.String(length=255), nullable=False),
        sa.Column("part", sa.Integer(), nullable=False, comment="1.. when a transcript needs several notes"),
        sa.Column("person_id", sa.String(length=18), nullable=False, comment="the Contact, the note's ParentId"),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("note_id", sa.String(length=18), nullable=True, comment="set once Salesforce acknowledged the create"),
        sa.Column("body_hash", sa.String(length=64), nullable=True, comment="of the body Salesforce has"),
        sa.Column("intent_at", sa.DateTime(timezone=True), nullable=True,
                  comment="a create was sent then; unconfirmed means: look before sending again"),
        sa.PrimaryKeyConstraint("chat_key", "part", name=op.f("pk_note_ledger")),
    )


def downgrade() -> None:
    op.drop_table("note_ledger")
