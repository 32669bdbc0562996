"""a supervisor's approval of a submitted survey or Re-X-ray: status, who, when and the note sent back

Revision ID: 0015
Revises: 0013
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('approved_by', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sent_back_note', sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_households_approved_by_people'), 'people', ['approved_by'], ['id'])
        batch_op.create_index('ix_households_approval', ['municipality_id', 'approval'], unique=False)
    # Records submitted before approval existed wait for a supervisor like new ones.
    op.execute("UPDATE households SET approval = 'awaiting' WHERE status = 'submitted' OR rexray_status = 'done'")


def downgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_approval')
        batch_op.drop_constraint(batch_op.f('fk_households_approved_by_people'), type_='foreignkey')
        batch_op.drop_column('sent_back_note')
        batch_op.drop_column('approved_at')
        batch_op.drop_column('approved_by')
        batch_op.drop_column('approval')
