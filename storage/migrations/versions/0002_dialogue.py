"""dialogue: conversation state, processed inbound message ids, per-resident message history

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 09:17:50.198205
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

def upgrade() -> None:
    op.create_table('conversation_messages',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('user_ref', sa.String(length=128), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_messages')),
    sa.UniqueConstraint('key', name=op.f('uq_conversation_messages_key'))
    )
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_messages_user', ['channel', 'user_ref', 'id'], unique=False)

    op.create_table('conversations',
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('user_ref', sa.String(length=128), nullable=False),
    sa.Column('state', sa.JSON(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('channel', 'user_ref', name=op.f('pk_conversations'))
    )
    op.create_table('processed_inbound',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('message_id', sa.String(length=128), nullable=False),
    sa.Column('user_ref', sa.String(length=128), nullable=False),
    sa.Column('replies', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_processed_inbound')),
    sa.UniqueConstraint('channel', 'message_id', name='uq_processed_inbound_channel_message')
    )
    with op.batch_alter_table('processed_inbound', schema=None) as batch_op:
        batch_op.create_index('ix_processed_inbound_created', ['created_at'], unique=False)

    # Declared on OutboxRow by the case spine but missing from 0001; added here so the schema matches.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_recipient', ['channel', 'recipient', 'status', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_recipient')

    with op.batch_alter_table('processed_inbound', schema=None) as batch_op:
        batch_op.drop_index('ix_processed_inbound_created')

    op.drop_table('processed_inbound')
    op.drop_table('conversations')
    with op.batch_alter_table('conversation_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_messages_user')

    op.drop_table('conversation_messages')
