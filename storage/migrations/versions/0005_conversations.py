"""one conversation per LINE user (dialog, step, draft) replaces survey sessions and the registration draft's step

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('conversations',
    sa.Column('line_user_id', sa.Integer(), nullable=False),
    sa.Column('dialog', sa.String(length=24), nullable=True),
    sa.Column('step', sa.String(length=40), nullable=True),
    sa.Column('draft_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['line_user_id'], ['line_users.id'], name=op.f('fk_conversations_line_user_id_line_users')),
    sa.PrimaryKeyConstraint('line_user_id', name=op.f('pk_conversations'))
    )
    op.create_index('ix_conversations_dialog_draft', 'conversations', ['dialog', 'draft_id'], unique=False)
    # The drafts people hold and the registrations under way carry over (a person holds one at most).
    op.execute(
        "INSERT INTO conversations (line_user_id, dialog, step, draft_id, updated_at) "
        "SELECT p.line_user_id, 'survey', NULL, s.household_id, s.updated_at FROM survey_sessions s "
        "JOIN people p ON p.id = s.person_id WHERE s.household_id IS NOT NULL AND p.line_user_id IS NOT NULL"
    )
    op.execute(
        "INSERT INTO conversations (line_user_id, dialog, step, draft_id, updated_at) "
        "SELECT d.line_user_id, 'registration', d.step, NULL, d.updated_at FROM registration_drafts d "
        "WHERE d.line_user_id NOT IN (SELECT line_user_id FROM conversations)"
    )
    op.drop_table('survey_sessions')
    with op.batch_alter_table('registration_drafts', schema=None) as batch_op:
        batch_op.drop_column('step')


def downgrade() -> None:
    with op.batch_alter_table('registration_drafts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('step', sa.String(length=16), nullable=False, server_default='code'))
    op.execute(
        "UPDATE registration_drafts SET step = (SELECT c.step FROM conversations c WHERE c.line_user_id = registration_drafts.line_user_id "
        "AND c.dialog = 'registration' AND c.step IS NOT NULL) WHERE line_user_id IN "
        "(SELECT line_user_id FROM conversations WHERE dialog = 'registration' AND step IS NOT NULL)"
    )
    with op.batch_alter_table('registration_drafts', schema=None) as batch_op:
        batch_op.alter_column('step', server_default=None)
    op.create_table('survey_sessions',
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_survey_sessions_household_id_households'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_survey_sessions_person_id_people')),
    sa.PrimaryKeyConstraint('person_id', name=op.f('pk_survey_sessions'))
    )
    op.execute(
        "INSERT INTO survey_sessions (person_id, household_id, updated_at) "
        "SELECT p.id, c.draft_id, c.updated_at FROM conversations c JOIN people p ON p.line_user_id = c.line_user_id "
        "JOIN households h ON h.id = c.draft_id WHERE c.dialog = 'survey'"
    )
    op.drop_index('ix_conversations_dialog_draft', table_name='conversations')
    op.drop_table('conversations')
