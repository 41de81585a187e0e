"""org_membership.supervisor_id indexed: a supervisor's /rekap of a past day and each level of their /ekspor
read the memberships under given supervisors, a sequential scan of the whole history without it

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08 02:30:00
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('org_membership', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_org_membership_supervisor_id'), ['supervisor_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('org_membership', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_org_membership_supervisor_id'))
