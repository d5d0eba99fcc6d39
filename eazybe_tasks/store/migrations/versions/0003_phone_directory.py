"""The phone directory: the org's Contacts and Leads with their numbers, refreshed incrementally,
and a small settings table for checkpoints such as the directory's last SystemModstamp.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("record_id", sa.String(length=18), nullable=False),
        sa.Column("object_name", sa.String(length=16), nullable=False, comment="Contact or Lead"),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("mobile_phone", sa.String(length=40), nullable=True),
        sa.Column("is_converted", sa.Boolean(), nullable=False),
        sa.Column("do_not_log", sa.Boolean(), nullable=False),
        sa.Column("system_modstamp", sa.String(length=28), nullable=False,
                  comment="as Salesforce wrote it; orders refreshes"),
        sa.PrimaryKeyConstraint("record_id", name=op.f("pk_people")),
    )
    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )


def downgrade() -> None:
    op.drop_table("settings")
    op.drop_table("people")
