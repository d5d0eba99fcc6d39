"""Which locks a sync run holds, so that the run record of a process that died (killed, or its
last write failed) is found and closed instead of staying `running`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


STATUS_BEFORE, STATUS_AFTER = "running, succeeded, failed", "running, succeeded, failed, stopped, abandoned"


def upgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=16), existing_nullable=False,
                              comment=STATUS_AFTER, existing_comment=STATUS_BEFORE)
        batch_op.add_column(sa.Column("lock_holders", sa.Text(), nullable=True,
                                      comment="the run's lock holders, comma-separated; none left in locks: it died"))


def downgrade() -> None:
    with op.batch_alter_table("sync_runs") as batch_op:
        batch_op.drop_column("lock_holders")
        batch_op.alter_column("status", existing_type=sa.String(length=16), existing_nullable=False,
                              comment=STATUS_BEFORE, existing_comment=STATUS_AFTER)
