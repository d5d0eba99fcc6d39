"""Every delivery the webhook receiver refused (or failed to store), with why: so an operator sees
what Meta keeps retrying.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_refusals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False,
                  comment="the HTTP status answered: 400, 401, 403, 408, 413, 500, 503"),
        sa.Column("code", sa.String(length=32), nullable=False, comment="the error code answered, e.g. bad_signature"),
        sa.Column("reason", sa.Text(), nullable=False,
                  comment="what was wrong, cut short; never the body, a signature or a secret"),
        sa.Column("size", sa.BigInteger(), nullable=True,
                  comment="body bytes read, or declared when it was refused unread"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_refusals")),
    )
    op.create_index(op.f("ix_webhook_refusals_at"), "webhook_refusals", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_webhook_refusals_at"), table_name="webhook_refusals")
    op.drop_table("webhook_refusals")
