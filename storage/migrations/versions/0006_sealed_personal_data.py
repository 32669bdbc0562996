"""personal data sealed at rest: IDs and phones as sealed text with lookup hashes, invite codes as hashes; households.forgotten_at

Plain values already stored stay readable and are sealed by `thaiqm-bot db upgrade` right after
this revision (storage/resealing.py), since sealing needs the data key, which migrations do not
have. Invite codes cannot be hashed without it either: codes made before this revision stop
working (they last days; make new ones).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index('ix_households_head_national_id')
        batch_op.alter_column('head_national_id', existing_type=sa.String(length=13), type_=sa.Text(), existing_nullable=True)
        batch_op.alter_column('phone', existing_type=sa.String(length=20), type_=sa.Text(), existing_nullable=True)
        batch_op.add_column(sa.Column('head_national_id_hash', sa.String(length=80), nullable=True))
        batch_op.add_column(sa.Column('forgotten_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_households_head_national_id_hash'), ['head_national_id_hash'], unique=False)
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_index('ix_household_members_national_id')
        batch_op.alter_column('national_id', existing_type=sa.String(length=13), type_=sa.Text(), existing_nullable=True)
        batch_op.add_column(sa.Column('national_id_hash', sa.String(length=80), nullable=True))
        batch_op.create_index(batch_op.f('ix_household_members_national_id_hash'), ['national_id_hash'], unique=False)
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=20), type_=sa.Text(), existing_nullable=True)
    with op.batch_alter_table('registration_drafts', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.String(length=20), type_=sa.Text(), existing_nullable=True)
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code_hash', sa.String(length=80), nullable=True))
    # No key here: an old code gets a hash no typed code can match (see the docstring).
    op.execute("UPDATE invite_codes SET code_hash = 'retired:' || id")
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.alter_column('code_hash', existing_type=sa.String(length=80), nullable=False)
        batch_op.drop_constraint('uq_invite_codes_code', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_invite_codes_code_hash'), ['code_hash'])
        batch_op.drop_column('code')


def downgrade() -> None:
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=16), nullable=True))
    op.execute("UPDATE invite_codes SET code = 'RETIRED' || id")
    with op.batch_alter_table('invite_codes', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=16), nullable=False)
        batch_op.drop_constraint('uq_invite_codes_code_hash', type_='unique')
        batch_op.create_unique_constraint('uq_invite_codes_code', ['code'])
        batch_op.drop_column('code_hash')
    with op.batch_alter_table('registration_drafts', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=20), existing_nullable=True)
    with op.batch_alter_table('people', schema=None) as batch_op:
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=20), existing_nullable=True)
    with op.batch_alter_table('household_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_household_members_national_id_hash'))
        batch_op.drop_column('national_id_hash')
        batch_op.alter_column('national_id', existing_type=sa.Text(), type_=sa.String(length=13), existing_nullable=True)
        batch_op.create_index('ix_household_members_national_id', ['national_id'], unique=False)
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_households_head_national_id_hash'))
        batch_op.drop_column('head_national_id_hash')
        batch_op.drop_column('forgotten_at')
        batch_op.alter_column('phone', existing_type=sa.Text(), type_=sa.String(length=20), existing_nullable=True)
        batch_op.alter_column('head_national_id', existing_type=sa.Text(), type_=sa.String(length=13), existing_nullable=True)
        batch_op.create_index('ix_households_head_national_id', ['head_national_id'], unique=False)
