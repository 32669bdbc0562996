"""outbox rows by chat: finding a newer answer to the same chat, which makes an unsent one stale

Revision ID: 0011
Revises: 0008
Create Date: 2026-11-28
"""
from alembic import op


revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_chat', ['chat_id', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_chat')
