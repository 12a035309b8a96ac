"""cases.suggested_category / suggested_topic: the model's reading at filing, kept whatever a person
chose instead, so that a correction is a label retraining can weigh

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 14:25:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('suggested_category', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('suggested_topic', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('suggested_topic')
        batch_op.drop_column('suggested_category')
