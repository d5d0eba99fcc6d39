"""Media downloads: attempts and the last error per attachment, so failed downloads are retried
and visible.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.add_column(
            sa.Column("download_attempts", sa.Integer(), nullable=False, server_default="0")
        )
        batch_op.add_column(
            sa.Column("download_error", sa.Text(), nullable=True,
                      comment="why the last Graph API download failed")
        )


def downgrade() -> None:
    with op.batch_alter_table("attachments") as batch_op:
        batch_op.drop_column("download_error")
        batch_op.drop_column("download_attempts")
