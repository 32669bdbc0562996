"""rounds as data: form, deadlines, basic-needs line and survey-date window per round; a municipality's current round

The round of the ministry letter มท 0810.6/ว 47(23) (thaiqm-form.md §1) is inserted as the
current round, so the households already recorded under "2566" keep their round.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28
"""
import datetime as dt

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    rounds = op.create_table(
        'rounds',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('form_id', sa.String(length=64), nullable=False),
        sa.Column('form_version', sa.String(length=32), nullable=True),
        sa.Column('survey_deadline', sa.Date(), nullable=True),
        sa.Column('resolution_deadline', sa.Date(), nullable=True),
        sa.Column('basic_needs_line', sa.Integer(), nullable=True),
        sa.Column('survey_opens', sa.Date(), nullable=True),
        sa.Column('survey_days_back', sa.Integer(), nullable=False),
        sa.Column('current', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds')),
        sa.UniqueConstraint('name', name=op.f('uq_rounds_name')),
    )
    op.bulk_insert(rounds, [{
        'name': '2566', 'form_id': 'thaiqm-2566', 'form_version': None,
        'survey_deadline': dt.date(2024, 1, 15), 'resolution_deadline': dt.date(2024, 9, 30),
        'basic_needs_line': 38000, 'survey_opens': dt.date(2023, 11, 14), 'survey_days_back': 366,
        'current': True, 'created_at': dt.datetime.now(dt.timezone.utc),
    }])
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('current_round', sa.String(length=32), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_municipalities_current_round_rounds'), 'rounds', ['current_round'], ['name'])


def downgrade() -> None:
    with op.batch_alter_table('municipalities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_municipalities_current_round_rounds'), type_='foreignkey')
        batch_op.drop_column('current_round')
    op.drop_table('rounds')
