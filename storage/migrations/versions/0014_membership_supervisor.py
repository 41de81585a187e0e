"""org_membership: the supervisor of each membership, for a supervisor's month export and a past day's digest
to follow the supervision chain as it stood that day; backfilled on the open rows only

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 23:30:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_person = sa.table("person", sa.column("id", sa.Integer), sa.column("supervisor_id", sa.Integer))
_membership = sa.table("org_membership", sa.column("person_id", sa.Integer), sa.column("supervisor_id", sa.Integer),
                       sa.column("supervisor_known", sa.Boolean), sa.column("valid_until", sa.DateTime))


def upgrade() -> None:
    with op.batch_alter_table('org_membership', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervisor_id', sa.Integer(), nullable=True))
        # Existing rows start as "not known"; the backfill below marks the open ones known.
        batch_op.add_column(sa.Column('supervisor_known', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_foreign_key('fk_org_membership_supervisor_id_person', 'person', ['supervisor_id'], ['id'])
    _backfill()
    with op.batch_alter_table('org_membership', schema=None) as batch_op:
        batch_op.alter_column('supervisor_known', server_default=None)


def _backfill() -> None:
    """The open rows are how things stand now: their supervisor is the person's. Closed rows (a unit or an
    active flag an import changed before this migration) had a supervisor nobody recorded; they stay
    `supervisor_known` false and readers take today's supervisor for their days, as before."""
    m = _membership.c
    boss = sa.select(_person.c.supervisor_id).where(_person.c.id == m.person_id).scalar_subquery()
    op.execute(_membership.update().where(m.valid_until.is_(None)).values(supervisor_id=boss, supervisor_known=True))


def downgrade() -> None:
    with op.batch_alter_table('org_membership', schema=None) as batch_op:
        batch_op.drop_constraint('fk_org_membership_supervisor_id_person', type_='foreignkey')
        batch_op.drop_column('supervisor_known')
        batch_op.drop_column('supervisor_id')
