"""outbox: the claim reads the messages waiting for a retry through a small partial index; the chat index
leads with the chat id, so it is never taken for a scan of every queued message

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 21:00:00
"""

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

WAITING = sa.text("status = 'queued' AND not_before IS NOT NULL")


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_chat')
        batch_op.create_index('ix_outbox_chat', ['external_id', 'channel', 'status'], unique=False)
        batch_op.create_index('ix_outbox_waiting', ['channel', 'external_id', 'id'], unique=False,
                              postgresql_where=WAITING, sqlite_where=WAITING)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_waiting')
        batch_op.drop_index('ix_outbox_chat')
        batch_op.create_index('ix_outbox_chat', ['channel', 'external_id', 'status'], unique=False)
