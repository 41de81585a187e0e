"""leave_request: the reason a superior gave for a refusal (told to the person)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('leave_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('refusal_reason', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('leave_request', schema=None) as batch_op:
        batch_op.drop_column('refusal_reason')
