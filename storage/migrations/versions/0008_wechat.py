"""wechat_followers (the 48-hour window, unfollows) and wechat_tokens (one access_token for all workers)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 17:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'wechat_followers',
        sa.Column('open_id', sa.String(length=64), nullable=False),
        sa.Column('last_inbound_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('following', sa.Boolean(), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('open_id'),
    )
    op.create_table(
        'wechat_tokens',
        sa.Column('key', sa.String(length=128), nullable=False),
        sa.Column('value', sa.String(length=1024), nullable=False),
        sa.Column('expires_at', sa.Integer(), nullable=False),
        sa.Column('fetched_at', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key'),
    )


def downgrade() -> None:
    op.drop_table('wechat_tokens')
    op.drop_table('wechat_followers')
