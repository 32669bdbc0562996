"""push_records: each scheduled push claimed once per person, kind and local day; outbox rows that multicast

Revision ID: 0014
Revises: 0015
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('recipients', sa.JSON(), nullable=True))
    op.create_table('push_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('retry_key', sa.String(length=36), nullable=False),
    sa.Column('outbox_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], name=op.f('fk_push_records_person_id_people'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_push_records_outbox_id_outbox'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_push_records')),
    sa.UniqueConstraint('person_id', 'kind', 'day', name=op.f('uq_push_records_person_id')),
    sa.UniqueConstraint('retry_key', name=op.f('uq_push_records_retry_key')),
    )
    op.create_index('ix_push_records_day', 'push_records', ['day', 'kind'], unique=False)
    op.create_index(op.f('ix_push_records_outbox_id'), 'push_records', ['outbox_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_push_records_outbox_id'), table_name='push_records')
    op.drop_index('ix_push_records_day', table_name='push_records')
    op.drop_table('push_records')
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('recipients')
