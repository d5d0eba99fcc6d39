"""WhatsApp users by business-scoped id, the handles a chat is known by, and what coexistence
brings: the Business app's address book, history progress, account events and sync requests.

Every existing chat is known by its own id, so a chat keeps its history when a phone or a
business-scoped id is later added to it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.add_column(sa.Column("phone_number_id", sa.String(length=64), nullable=True,
                                      comment="the Graph API's id of the number, as deliveries give it"))
        batch_op.add_column(sa.Column("waba_id", sa.String(length=64), nullable=True,
                                      comment="its WhatsApp Business Account; account events name it"))
        batch_op.create_index(batch_op.f("ix_accounts_waba_id"), ["waba_id"], unique=False)
    with op.batch_alter_table("chats") as batch_op:
        batch_op.add_column(sa.Column("user_id", sa.String(length=160), nullable=True,
                                      comment="1:1: the customer's latest business-scoped user id (BSUID)"))
    with op.batch_alter_table("people") as batch_op:
        batch_op.add_column(sa.Column("whatsapp_user_id", sa.String(length=160), nullable=True,
                                      comment="WhatsApp_User_Id__c: a BSUID links before any phone"))
    op.create_table(
        "chat_handles",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("handle", sa.String(length=160), nullable=False, comment="a phone (E.164), a BSUID or a group id"),
        sa.Column("chat_pk", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_chat_handles_account_id_accounts")),
        sa.ForeignKeyConstraint(["chat_pk"], ["chats.id"], name=op.f("fk_chat_handles_chat_pk_chats")),
        sa.PrimaryKeyConstraint("account_id", "handle", name=op.f("pk_chat_handles")),
    )
    op.create_index(op.f("ix_chat_handles_chat_pk"), "chat_handles", ["chat_pk"], unique=False)
    op.execute("INSERT INTO chat_handles (account_id, handle, chat_pk) SELECT account_id, chat_id, id FROM chats")
    op.create_table(
        "whatsapp_users",
        sa.Column("user_id", sa.String(length=160), nullable=False,
                  comment="business-scoped: unique within a portfolio"),
        sa.Column("parent_user_id", sa.String(length=160), nullable=True),
        sa.Column("phone", sa.String(length=16), nullable=True, comment="E.164, the latest seen with this id"),
        sa.Column("username", sa.String(length=255), nullable=True),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_whatsapp_users")),
    )
    op.create_index(op.f("ix_whatsapp_users_phone"), "whatsapp_users", ["phone"], unique=False)
    op.create_table(
        "address_book",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=True),
        sa.Column("removed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_address_book_account_id_accounts")),
        sa.PrimaryKeyConstraint("account_id", "phone", name=op.f("pk_address_book")),
    )
    op.create_table(
        "history_chunks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.Integer(), nullable=True),
        sa.Column("chunk_order", sa.Integer(), nullable=True),
        sa.Column("progress", sa.Integer(), nullable=True, comment="0-100 over the whole history sync"),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.Column("declined", sa.Text(), nullable=True,
                  comment="Meta's error when the business declined to share its history"),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ingest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"], name=op.f("fk_history_chunks_account_id_accounts")),
        sa.ForeignKeyConstraint(["ingest_id"], ["ingests.id"], name=op.f("fk_history_chunks_ingest_id_ingests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_history_chunks")),
    )
    op.create_index(op.f("ix_history_chunks_account_id"), "history_chunks", ["account_id"], unique=False)
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("waba_id", sa.String(length=64), nullable=False),
        sa.Column("event", sa.String(length=64), nullable=False,
                  comment="ACCOUNT_OFFBOARDED, PARTNER_REMOVED, ACCOUNT_RECONNECTED"),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ingest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["ingest_id"], ["ingests.id"], name=op.f("fk_account_events_ingest_id_ingests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_events")),
    )
    op.create_index(op.f("ix_account_events_waba_id"), "account_events", ["waba_id"], unique=False)
    op.create_table(
        "business_app_requests",
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sync_type", sa.String(length=32), nullable=False, comment="smb_app_state_sync or history"),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("request_id", sa.String(length=255), nullable=True, comment="the Graph API's answer"),
        sa.Column("days", sa.Integer(), nullable=True,
                  comment="history: how many days of it go to Salesforce (the account's backfill window)"),
        sa.ForeignKeyConstraint(["account_id"], ["accounts.id"],
                                name=op.f("fk_business_app_requests_account_id_accounts")),
        sa.PrimaryKeyConstraint("account_id", "sync_type", name=op.f("pk_business_app_requests")),
    )


def downgrade() -> None:
    for table in ("business_app_requests", "account_events", "history_chunks", "address_book", "whatsapp_users",
                  "chat_handles"):
        op.drop_table(table)
    with op.batch_alter_table("people") as batch_op:
        batch_op.drop_column("whatsapp_user_id")
    with op.batch_alter_table("chats") as batch_op:
        batch_op.drop_column("user_id")
    with op.batch_alter_table("accounts") as batch_op:
        batch_op.drop_index(batch_op.f("ix_accounts_waba_id"))
        batch_op.drop_column("waba_id")
        batch_op.drop_column("phone_number_id")
