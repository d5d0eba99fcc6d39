"""Initial store: accounts, chats, participants, messages, attachments, statuses, ingest log.

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 20:16:00.188729
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=16), nullable=False, comment='business number, E.164'),
    sa.Column('label', sa.String(length=255), nullable=True),
    sa.Column('default_region', sa.String(length=2), nullable=False, comment='for numbers typed without +'),
    sa.Column('time_zone', sa.String(length=64), nullable=False, comment='IANA name; chat-days are cut in it'),
    sa.Column('connected_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_synced_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('number', name=op.f('uq_accounts_number'))
    )
    op.create_table('ingests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('origin', sa.Text(), nullable=False, comment="file path, or the webhook's remote address"),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('raw_sha256', sa.String(length=64), nullable=False),
    sa.Column('raw', sa.Text(), nullable=True, comment='the webhook body as received; None for files'),
    sa.Column('messages_seen', sa.Integer(), nullable=False),
    sa.Column('messages_added', sa.Integer(), nullable=False),
    sa.Column('statuses_added', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ingests'))
    )
    with op.batch_alter_table('ingests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ingests_raw_sha256'), ['raw_sha256'], unique=False)

    op.create_table('chats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('chat_id', sa.String(length=128), nullable=False, comment='E.164 for 1:1, the group id for groups'),
    sa.Column('is_group', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_chats_account_id_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chats')),
    sa.UniqueConstraint('account_id', 'chat_id', name=op.f('uq_chats_account_id'))
    )
    op.create_table('statuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.String(length=255), nullable=False, comment="the message's id"),
    sa.Column('recipient', sa.String(length=32), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=True),
    sa.Column('ingest_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_statuses_account_id_accounts')),
    sa.ForeignKeyConstraint(['ingest_id'], ['ingests.id'], name=op.f('fk_statuses_ingest_id_ingests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statuses')),
    sa.UniqueConstraint('account_id', 'source_id', 'status', name=op.f('uq_statuses_account_id'))
    )
    with op.batch_alter_table('statuses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_statuses_source_id'), ['source_id'], unique=False)

    op.create_table('messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('chat_pk', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_id', sa.String(length=255), nullable=False),
    sa.Column('direction', sa.String(length=16), nullable=False),
    sa.Column('type', sa.String(length=32), nullable=False),
    sa.Column('sender', sa.String(length=32), nullable=True),
    sa.Column('sender_name', sa.String(length=255), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=True),
    sa.Column('edited', sa.Boolean(), nullable=False),
    sa.Column('reply_to', sa.String(length=255), nullable=True),
    sa.Column('raw', sa.JSON(), nullable=True),
    sa.Column('ingest_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_messages_account_id_accounts')),
    sa.ForeignKeyConstraint(['chat_pk'], ['chats.id'], name=op.f('fk_messages_chat_pk_chats')),
    sa.ForeignKeyConstraint(['ingest_id'], ['ingests.id'], name=op.f('fk_messages_ingest_id_ingests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_messages')),
    sa.UniqueConstraint('account_id', 'source_id', name=op.f('uq_messages_account_id'))
    )
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messages_chat_pk'), ['chat_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_ingest_id'), ['ingest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messages_sent_at'), ['sent_at'], unique=False)

    op.create_table('participants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('chat_pk', sa.Integer(), nullable=False),
    sa.Column('handle', sa.String(length=255), nullable=False, comment='E.164 number, or the name an export shows'),
    sa.Column('name', sa.String(length=255), nullable=True),
    sa.ForeignKeyConstraint(['chat_pk'], ['chats.id'], name=op.f('fk_participants_chat_pk_chats')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_participants')),
    sa.UniqueConstraint('chat_pk', 'handle', name=op.f('uq_participants_chat_pk'))
    )
    op.create_table('attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_pk', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('mime_type', sa.String(length=255), nullable=True),
    sa.Column('size', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True, comment='the bytes are blobs/<sha256[:2]>/<sha256>'),
    sa.Column('media_id', sa.String(length=255), nullable=True, comment='Cloud API media id, until downloaded'),
    sa.Column('caption', sa.Text(), nullable=True),
    sa.Column('omitted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['message_pk'], ['messages.id'], name=op.f('fk_attachments_message_pk_messages')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachments')),
    sa.UniqueConstraint('message_pk', 'position', name=op.f('uq_attachments_message_pk'))
    )
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachments_message_pk'), ['message_pk'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachments_sha256'), ['sha256'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachments_sha256'))
        batch_op.drop_index(batch_op.f('ix_attachments_message_pk'))

    op.drop_table('attachments')
    op.drop_table('participants')
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messages_sent_at'))
        batch_op.drop_index(batch_op.f('ix_messages_ingest_id'))
        batch_op.drop_index(batch_op.f('ix_messages_chat_pk'))

    op.drop_table('messages')
    with op.batch_alter_table('statuses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_statuses_source_id'))

    op.drop_table('statuses')
    op.drop_table('chats')
    with op.batch_alter_table('ingests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ingests_raw_sha256'))

    op.drop_table('ingests')
    op.drop_table('accounts')
