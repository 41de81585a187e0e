"""plh_designation: an acting official (Plh) designated for an official's days away

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-08 00:00:00
"""

from alembic import op
import sqlalchemy as sa

import storage.types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('plh_designation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=False),
    sa.Column('plh_id', sa.Integer(), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['official_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['plh_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('plh_designation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plh_designation_official_id'), ['official_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_plh_designation_plh_id'), ['plh_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('plh_designation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plh_designation_plh_id'))
        batch_op.drop_index(batch_op.f('ix_plh_designation_official_id'))
    op.drop_table('plh_designation')
