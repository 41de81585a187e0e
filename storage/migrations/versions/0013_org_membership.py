"""org_membership: each person's unit and active flag over time, for the month export to count every day
with the unit the person was in that day; backfilled with how things stand now

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 23:00:00
"""

from alembic import op
import sqlalchemy as sa

import storage.types

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_person = sa.table("person", sa.column("id", sa.Integer), sa.column("unit_id", sa.Integer),
                   sa.column("active", sa.Boolean), sa.column("created_at", storage.types.UtcDateTime),
                   sa.column("deactivated_at", storage.types.UtcDateTime))
_membership = sa.table("org_membership", sa.column("person_id", sa.Integer), sa.column("unit_id", sa.Integer),
                       sa.column("active", sa.Boolean), sa.column("valid_from", storage.types.UtcDateTime),
                       sa.column("valid_until", storage.types.UtcDateTime))


def upgrade() -> None:
    op.create_table('org_membership',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('valid_from', storage.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('valid_until', storage.types.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
    sa.ForeignKeyConstraint(['unit_id'], ['org_unit.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('org_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_membership_person_id'), ['person_id'], unique=False)
    _backfill()


def _backfill() -> None:
    """What the data knows: in their unit from when they were added; a deactivated person was active until
    `deactivated_at` (without one, the export never counted them, and still does not). Earlier moves and
    absences were never recorded."""
    p = _person.c
    columns = ["person_id", "unit_id", "active", "valid_from", "valid_until"]
    gone = p.active.is_(False) & p.deactivated_at.is_not(None)
    op.execute(_membership.insert().from_select(columns, sa.select(
        p.id, p.unit_id, p.active, p.created_at, sa.null()).where(~gone)))
    op.execute(_membership.insert().from_select(columns, sa.select(
        p.id, p.unit_id, sa.true(), p.created_at, p.deactivated_at).where(gone)))
    op.execute(_membership.insert().from_select(columns, sa.select(
        p.id, p.unit_id, sa.false(), p.deactivated_at, sa.null()).where(gone)))


def downgrade() -> None:
    with op.batch_alter_table('org_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_membership_person_id'))
    op.drop_table('org_membership')
