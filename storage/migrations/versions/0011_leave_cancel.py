"""leave_request: who was asked to decide, the work days an approval overwrote, and the person's own
cancellation

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08 10:00:00
"""

from alembic import op
import sqlalchemy as sa

import storage.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('leave_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('asked_ids', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('replaced_modes', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('cancelled_at', storage.types.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('leave_request', schema=None) as batch_op:
        batch_op.drop_column('cancelled_at')
        batch_op.drop_column('replaced_modes')
        batch_op.drop_column('asked_ids')
