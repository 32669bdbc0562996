"""Wrong confirmation codes keep their time: guesses spread over many LINE accounts are counted together

Revision ID: 0016
Revises: 0012
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('confirmation_guards', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_failed_at', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('confirmation_guards', schema=None) as batch_op:
        batch_op.drop_column('last_failed_at')
