"""并单: cases.duplicate_of and cases.reporters, and each open case's text signature (filled here for
the open cases already filed) with an index on filing time (storage/duplicate_queries.py reads the
cases filed since it last looked)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06 18:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from handlers.duplicates import signature

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicate_of', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('reporters', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('text_signature', sa.LargeBinary(), nullable=True))
        batch_op.create_index(batch_op.f('ix_cases_duplicate_of'), ['duplicate_of'], unique=False)
        batch_op.create_index('ix_cases_created', ['created_at'], unique=False)
    cases = sa.table('cases', sa.column('id', sa.Integer), sa.column('text', sa.Text),
                     sa.column('status', sa.String), sa.column('text_signature', sa.LargeBinary))
    connection = op.get_bind()
    open_cases = connection.execute(
        sa.select(cases.c.id, cases.c.text).where(cases.c.status.not_in(('closed', 'cancelled')))
    ).all()
    for case_id, text in open_cases:
        connection.execute(sa.update(cases).where(cases.c.id == case_id).values(text_signature=signature(text)))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_created')
        batch_op.drop_index(batch_op.f('ix_cases_duplicate_of'))
        batch_op.drop_column('text_signature')
        batch_op.drop_column('reporters')
        batch_op.drop_column('duplicate_of')
