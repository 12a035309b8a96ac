"""Residents' personal information (PIPL): cases.contact_name (a caller's name, masked like the phone)
and erasure_requests (删除我的信息, decided on the administrators' privacy page)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 20:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('contact_name', sa.String(length=64), nullable=True))
    op.create_table(
        'erasure_requests',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('channel', sa.String(length=32), nullable=False),
        sa.Column('user_ref', sa.String(length=128), nullable=False),
        sa.Column('cases', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('request', sa.String(length=200), nullable=True),
        sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=64), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('erased', sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_erasure_requests')),
        sa.UniqueConstraint('request', name=op.f('uq_erasure_requests_request')),
    )
    op.create_index('ix_erasure_requests_status', 'erasure_requests', ['status', 'requested_at'], unique=False)
    op.create_index('ix_erasure_requests_resident', 'erasure_requests', ['channel', 'user_ref', 'status'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_erasure_requests_resident', table_name='erasure_requests')
    op.drop_index('ix_erasure_requests_status', table_name='erasure_requests')
    op.drop_table('erasure_requests')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('contact_name')
