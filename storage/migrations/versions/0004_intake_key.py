"""cases.intake_key: a conversation files its draft at most once

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:52:01.388567
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intake_key', sa.String(length=200), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_cases_intake_key'), ['intake_key'])



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_cases_intake_key'), type_='unique')
        batch_op.drop_column('intake_key')

