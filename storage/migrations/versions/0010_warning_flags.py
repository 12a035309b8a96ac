"""warning_flags: early-warning flags (surges, repeated disputes, 不满意 reopenings), one row per key

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 17:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'warning_flags',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('grid_code', sa.String(length=32), nullable=True),
        sa.Column('community_code', sa.String(length=32), nullable=True),
        sa.Column('street_code', sa.String(length=32), nullable=True),
        sa.Column('category', sa.String(length=16), nullable=True),
        sa.Column('topic', sa.String(length=64), nullable=True),
        sa.Column('subject', sa.String(length=160), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('baseline', sa.Float(), nullable=True),
        sa.Column('threshold', sa.Integer(), nullable=True),
        sa.Column('cases', sa.JSON(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_warning_flags')),
        sa.UniqueConstraint('key', name=op.f('uq_warning_flags_key')),
    )
    op.create_index('ix_warning_flags_open', 'warning_flags', ['acknowledged_at', 'week'], unique=False)
    op.create_index('ix_warning_flags_week', 'warning_flags', ['week', 'grid_code'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_warning_flags_week', table_name='warning_flags')
    op.drop_index('ix_warning_flags_open', table_name='warning_flags')
    op.drop_table('warning_flags')
