"""evidence: the perceptual hash cut into five indexed bands, for the near-duplicate lookup

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 08:00:00.000000
"""

from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

BANDS = ("phash_b0", "phash_b1", "phash_b2", "phash_b3", "phash_b4")


def upgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        for name in BANDS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f"ix_evidence_{name}"), [name], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        for name in BANDS:
            batch_op.drop_index(batch_op.f(f"ix_evidence_{name}"))
            batch_op.drop_column(name)
