"""duplicate_notes: a possible duplicate is shown once per household, and "another household" is remembered

Revision ID: 0010
Revises: 0007
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('duplicate_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('household_id', sa.Integer(), nullable=False),
    sa.Column('other_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_duplicate_notes_household_id_households'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['other_id'], ['households.id'], name=op.f('fk_duplicate_notes_other_id_households'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_notes')),
    sa.UniqueConstraint('household_id', 'other_id', name=op.f('uq_duplicate_notes_household_id')),
    )
    op.create_index(op.f('ix_duplicate_notes_other_id'), 'duplicate_notes', ['other_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_duplicate_notes_other_id'), table_name='duplicate_notes')
    op.drop_table('duplicate_notes')
