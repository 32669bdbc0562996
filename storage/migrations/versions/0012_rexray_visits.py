"""Re-X-ray visits in the chat: a visit's record points at the earlier round's household it revisits

Revision ID: 0012
Revises: 0014
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revisit_of', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_households_revisit_of'), ['revisit_of'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_households_revisit_of_households'), 'households', ['revisit_of'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_households_revisit_of_households'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_households_revisit_of'))
        batch_op.drop_column('revisit_of')
