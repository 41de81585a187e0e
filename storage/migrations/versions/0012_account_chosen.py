"""channel_account: when the person chose an account by writing from it (linked on two channels, the
routine writes to one)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 15:30:00
"""

from alembic import op
import sqlalchemy as sa

import storage.types

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('channel_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('chosen_at', storage.types.UtcDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('channel_account', schema=None) as batch_op:
        batch_op.drop_column('chosen_at')
