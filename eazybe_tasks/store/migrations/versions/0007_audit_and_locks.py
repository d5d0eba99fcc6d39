"""Per-message outcomes for the audit, backoff for failed chat-days, richer run records, and the
lease-based locks that keep sync runs and schedulers from overlapping.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RUN_COUNTS = ("chat_days_unchanged", "unmatched", "skipped_do_not_log", "quarantined", "notes_written",
              "files_written", "api_calls")


def upgrade() -> None:
    with op.batch_alter_table("chat_day_ledger") as batch_op:
        batch_op.add_column(sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True,
                                      comment="a failed write waits until then (backoff)"))
    with op.batch_alter_table("sync_runs") as batch_op:
        batch_op.add_column(sa.Column("mode", sa.String(length=16), server_default="sync", nullable=False,
                                      comment="sync, backfill, dry_run"))
        batch_op.add_column(sa.Column("window_start", sa.DateTime(timezone=True), nullable=True,
                                      comment="messages sent before this were left alone"))
        batch_op.add_column(sa.Column("window_end", sa.DateTime(timezone=True), nullable=True))
        comments = {"unmatched": "chat-days with no Contact or Lead", "api_calls": "calls this run made"}
        for name in RUN_COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), server_default="0", nullable=False,
                                          comment=comments.get(name)))
        batch_op.add_column(sa.Column("api_used", sa.Integer(), nullable=True,
                                      comment="the org's daily usage after the run (Sforce-Limit-Info)"))
        batch_op.add_column(sa.Column("api_limit", sa.Integer(), nullable=True, comment="the org's daily allowance"))
        batch_op.add_column(sa.Column("stop_reason", sa.Text(), nullable=True,
                                      comment="why a run stopped early (API budget, limit reached)"))
    op.create_table(
        "message_outcomes",
        sa.Column("message_pk", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=18), nullable=False, comment="'' when the number matched nobody"),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("chat_pk", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False, comment="the chat-day, in the account's time zone"),
        sa.Column("outcome", sa.String(length=16), nullable=False,
                  comment="logged, unmatched, do_not_log, pending (failed, will retry), quarantined"),
        sa.Column("number", sa.String(length=32), nullable=True,
                  comment="the customer's number (the sender's, in a group)"),
        sa.Column("chat_key", sa.String(length=255), nullable=True, comment="the chat-day record it belongs to"),
        sa.Column("record_id", sa.String(length=18), nullable=True),
        sa.Column("error_code", sa.String(length=64), nullable=True),
        sa.Column("run_id", sa.Integer(), nullable=False, comment="the run that decided it"),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=True, comment="first acknowledged by Salesforce"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_message_outcomes_account_id_accounts")),
        sa.ForeignKeyConstraint(["chat_pk"], ["chats.id"], name=op.f("fk_message_outcomes_chat_pk_chats")),
        sa.ForeignKeyConstraint(["message_pk"], ["messages.id"], name=op.f("fk_message_outcomes_message_pk_messages")),
        sa.ForeignKeyConstraint(["run_id"], ["sync_runs.id"], name=op.f("fk_message_outcomes_run_id_sync_runs")),
        sa.PrimaryKeyConstraint("message_pk", "person_id", name=op.f("pk_message_outcomes")),
    )
    with op.batch_alter_table("message_outcomes") as batch_op:
        batch_op.create_index(batch_op.f("ix_message_outcomes_day"), ["day"], unique=False)
    op.create_table(
        "locks",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False, comment="host, process and a random token"),
        sa.Column("acquired_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False,
                  comment="a lease: a crashed holder frees it by then"),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_locks")),
    )


def downgrade() -> None:
    op.drop_table("locks")
    with op.batch_alter_table("message_outcomes") as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_outcomes_day"))
    op.drop_table("message_outcomes")
    with op.batch_alter_table("sync_runs") as batch_op:
        for name in ("stop_reason", "api_limit", "api_used", *reversed(RUN_COUNTS), "window_end", "window_start",
                     "mode"):
            batch_op.drop_column(name)
    with op.batch_alter_table("chat_day_ledger") as batch_op:
        batch_op.drop_column("next_attempt_at")
