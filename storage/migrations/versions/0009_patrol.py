"""cases.source (群众反映 or 巡查) and staff_grids (the grids a grid worker patrols)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 17:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), server_default='resident', nullable=False))
    op.create_table(
        'staff_grids',
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('grid_code', sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], name=op.f('fk_staff_grids_staff_id_staff'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('staff_id', 'grid_code', name=op.f('pk_staff_grids')),
    )
    op.create_index(op.f('ix_staff_grids_grid_code'), 'staff_grids', ['grid_code'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_staff_grids_grid_code'), table_name='staff_grids')
    op.drop_table('staff_grids')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('source')
