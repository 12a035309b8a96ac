"""processed_inbound as a lease: when the turn was taken, whether it finished, how often it ran, and
the outbox watermark at its first run, so a redelivery takes over a turn its process died in

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 17:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('processed_inbound', schema=None) as batch_op:
        batch_op.add_column(sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('attempt', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('outbox_mark', sa.Integer(), nullable=True))
    # A claim stored with replies finished; one without is a turn whose process may have died.
    op.execute(
        "UPDATE processed_inbound SET taken_at = created_at, attempt = 1,"
        " outbox_mark = (SELECT COALESCE(MAX(id), 0) FROM outbox),"
        " finished_at = CASE WHEN CAST(replies AS TEXT) <> '[]' THEN created_at END"
    )
    with op.batch_alter_table('processed_inbound', schema=None) as batch_op:
        batch_op.alter_column('taken_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.alter_column('attempt', existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column('outbox_mark', existing_type=sa.Integer(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('processed_inbound', schema=None) as batch_op:
        batch_op.drop_column('outbox_mark')
        batch_op.drop_column('attempt')
        batch_op.drop_column('finished_at')
        batch_op.drop_column('taken_at')
