"""survey answers, members, problems, answer changes, survey sessions; households get the household answers and the dialog pointer

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 11:39:12.725609
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('answer_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('member_no', sa.Integer(), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['changed_by'], ['people.id'], name=op.f('fk_answer_changes_changed_by_people')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_answer_changes_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_answer_changes'))
    )
    with op.batch_alter_table('answer_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_changes_household_id'), ['household_id'], unique=False)

    op.create_table('household_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('member_no', sa.Integer(), nullable=False),
    sa.Column('full_name', sa.String(length=200), nullable=True),
    sa.Column('sex', sa.String(length=16), nullable=True),
    sa.Column('relation', sa.String(length=16), nullable=True),
    sa.Column('birth_year_be', sa.Integer(), nullable=True),
    sa.Column('national_id', sa.String(length=13), nullable=True),
    sa.Column('health', sa.String(length=16), nullable=True),
    sa.Column('education', sa.String(length=24), nullable=True),
    sa.Column('occupation', sa.String(length=16), nullable=True),
    sa.Column('monthly_income', sa.Integer(), nullable=True),
    sa.Column('welfare', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_members_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_members')),
    sa.UniqueConstraint('household_id', 'member_no', name=op.f('uq_household_members_household_id'))
    )
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_household_members_national_id'), ['national_id'], unique=False)

    op.create_table('household_problems',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('dimension', sa.String(length=16), nullable=False),
    sa.Column('member_no', sa.Integer(), nullable=True),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_household_problems_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_household_problems')),
    sa.UniqueConstraint('household_id', 'code', name=op.f('uq_household_problems_household_id'))
    )
    op.create_table('survey_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('member_no', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=True),
    sa.Column('answered_by', sa.Integer(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['answered_by'], ['people.id'], name=op.f('fk_survey_answers_answered_by_people')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_survey_answers_household_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_answers')),
    sa.UniqueConstraint('household_id', 'code', 'member_no', name=op.f('uq_survey_answers_household_id'))
    )
    op.create_table('survey_sessions',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_survey_sessions_household_id_households'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_survey_sessions_person_id_people')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_survey_sessions'))
    )
    # Existing households (from 0002) get defaults for the NOT NULL dialog columns.
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('respondent', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('survey_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('moo', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('head_national_id', sa.String(length=13), nullable=True))
        batch_op.add_column(sa.Column('phone', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('member_count', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('latitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('longitude', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('needs', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('dialog_state', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('dialog_member', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('dialog_problem', sa.String(length=16), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('dialog_tries', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('dialog_editing', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('dialog_confirm_cancel', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.create_index(batch_op.f('ix_households_head_national_id'), ['head_national_id'], unique=False)
        batch_op.create_index('ix_households_house_no', ['municipality_id', 'round_name', 'house_no'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_house_no')
        batch_op.drop_index(batch_op.f('ix_households_head_national_id'))
        batch_op.drop_column('dialog_confirm_cancel')
        batch_op.drop_column('dialog_editing')
        batch_op.drop_column('dialog_tries')
        batch_op.drop_column('dialog_problem')
        batch_op.drop_column('dialog_member')
        batch_op.drop_column('dialog_state')
        batch_op.drop_column('note')
        batch_op.drop_column('needs')
        batch_op.drop_column('longitude')
        batch_op.drop_column('latitude')
        batch_op.drop_column('member_count')
        batch_op.drop_column('phone')
        batch_op.drop_column('head_national_id')
        batch_op.drop_column('moo')
        batch_op.drop_column('survey_date')
        batch_op.drop_column('respondent')

    op.drop_table('survey_sessions')
    op.drop_table('survey_answers')
    op.drop_table('household_problems')
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_members_national_id'))

    op.drop_table('household_members')
    with op.batch_alter_table('answer_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_changes_household_id'))

    op.drop_table('answer_changes')
