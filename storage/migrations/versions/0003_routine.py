"""the routine clock

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 04:28:20.895730
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduler_lease',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('holder', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('expires_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )
    op.create_table('calendar_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('calendar_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_entry_day'), ['day'], unique=False)

    op.create_table('unit_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('values', sa.Text(), nullable=False),
    sa.Column('updated_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('unit_schedule', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_unit_schedule_unit_id'), ['unit_id'], unique=False)

    op.create_table('delivery',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('created_at', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.PrimaryKeyConstraint('key')
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_day'), ['day'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_person_id'), ['person_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_person_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_day'))

    op.drop_table('delivery')
    with op.batch_alter_table('unit_schedule', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_unit_schedule_unit_id'))

    op.drop_table('unit_schedule')
    with op.batch_alter_table('calendar_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_entry_day'))

    op.drop_table('calendar_entry')
    op.drop_table('scheduler_lease')
