"""Re-X-ray: every problem's current status with how it was helped, its history (problem_history), and households' origin, presence and revisit status

Revision ID: 0008
Revises: 0010
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('problem_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('old_status', sa.String(length=16), nullable=True),
    sa.Column('new_status', sa.String(length=16), nullable=False),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('round_name', sa.String(length=32), nullable=True),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['people.id'], name=op.f('fk_problem_history_changed_by_people')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_problem_history_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['problem_id'], ['household_problems.id'], name=op.f('fk_problem_history_problem_id_household_problems'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_history'))
    )
    with op.batch_alter_table('problem_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_history_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_history_problem_id'), ['problem_id'], unique=False)

    with op.batch_alter_table('household_problems', schema=None) as batch_op:
        batch_op.add_column(sa.Column('found_round', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('partners', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('help_kinds', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('agency', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('help_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('status_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('status_changed_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_household_problems_status_changed_by_people'), 'people', ['status_changed_by'], ['id'])

    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('origin', sa.String(length=16), server_default='surveyed', nullable=False))
        batch_op.add_column(sa.Column('presence', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('rexray_status', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('walk_order', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('rexray_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_households_rexray_worklist', ['volunteer_id', 'rexray_status', 'walk_order'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_rexray_worklist')
        batch_op.drop_column('rexray_at')
        batch_op.drop_column('walk_order')
        batch_op.drop_column('rexray_status')
        batch_op.drop_column('presence')
        batch_op.drop_column('origin')

    with op.batch_alter_table('household_problems', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_household_problems_status_changed_by_people'), type_='foreignkey')
        batch_op.drop_column('status_changed_by')
        batch_op.drop_column('status_changed_at')
        batch_op.drop_column('note')
        batch_op.drop_column('help_date')
        batch_op.drop_column('agency')
        batch_op.drop_column('help_kinds')
        batch_op.drop_column('partners')
        batch_op.drop_column('found_round')

    with op.batch_alter_table('problem_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_problem_history_problem_id'))
        batch_op.drop_index(batch_op.f('ix_problem_history_household_id'))

    op.drop_table('problem_history')
