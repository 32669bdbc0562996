"""household confirmation: one-time codes, LINE users linked to households, wrong-code guards, witnesses and answers

Revision ID: 0013
Revises: 0011
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa



revision = '0013'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('confirmation_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=80), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('used_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['people.id'], name=op.f('fk_confirmation_codes_created_by_people')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_confirmation_codes_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['used_by'], ['line_users.id'], name=op.f('fk_confirmation_codes_used_by_line_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_confirmation_codes'))
    )
    with op.batch_alter_table('confirmation_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmation_codes_code_hash'), ['code_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_confirmation_codes_household_id'), ['household_id'], unique=False)

    op.create_table('confirmation_guards',
    sa.Column('line_user_id', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['line_user_id'], ['line_users.id'], name=op.f('fk_confirmation_guards_line_user_id_line_users')),
    sa.PrimaryKeyConstraint('line_user_id', name=op.f('pk_confirmation_guards'))
    )
    op.create_table('household_links',
    sa.Column('line_user_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('contacted_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['code_id'], ['confirmation_codes.id'], name=op.f('fk_household_links_code_id_confirmation_codes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_links_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['line_user_id'], ['line_users.id'], name=op.f('fk_household_links_line_user_id_line_users')),
    sa.PrimaryKeyConstraint('line_user_id', name=op.f('pk_household_links'))
    )
    with op.batch_alter_table('household_links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_links_household_id'), ['household_id'], unique=False)

    op.create_table('confirmation_witnesses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.Text(), nullable=True),
    sa.Column('relation', sa.String(length=100), nullable=True),
    sa.Column('witnessed_on', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_confirmation_witnesses_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['volunteer_id'], ['people.id'], name=op.f('fk_confirmation_witnesses_volunteer_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_confirmation_witnesses'))
    )
    with op.batch_alter_table('confirmation_witnesses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_confirmation_witnesses_household_id'), ['household_id'], unique=False)

    op.create_table('problem_confirmations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('problem_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('history_id', sa.Integer(), nullable=True),
    sa.Column('answer', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('voice', sa.Boolean(), nullable=False),
    sa.Column('line_user_id', sa.Integer(), nullable=True),
    sa.Column('witness_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['history_id'], ['problem_history.id'], name=op.f('fk_problem_confirmations_history_id_problem_history'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_problem_confirmations_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['line_user_id'], ['line_users.id'], name=op.f('fk_problem_confirmations_line_user_id_line_users')),
    sa.ForeignKeyConstraint(['problem_id'], ['household_problems.id'], name=op.f('fk_problem_confirmations_problem_id_household_problems'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by'], ['people.id'], name=op.f('fk_problem_confirmations_recorded_by_people')),
    sa.ForeignKeyConstraint(['witness_id'], ['confirmation_witnesses.id'], name=op.f('fk_problem_confirmations_witness_id_confirmation_witnesses'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_confirmations')),
    sa.UniqueConstraint('history_id', name=op.f('uq_problem_confirmations_history_id'))
    )
    with op.batch_alter_table('problem_confirmations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_confirmations_household_id'), ['household_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_problem_confirmations_problem_id'), ['problem_id'], unique=False)


def downgrade() -> None:
    op.drop_table('problem_confirmations')
    op.drop_table('confirmation_witnesses')
    op.drop_table('household_links')
    op.drop_table('confirmation_guards')
    op.drop_table('confirmation_codes')
