"""invite codes, registration lockout and drafts, audit log, rich menu ids per role

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rich_menus',
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('line_rich_menu_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('role', name=op.f('pk_rich_menus'))
    )
    op.create_table('registration_guards',
    sa.Column('line_user_id', sa.Integer(), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['line_user_id'], ['line_users.id'], name=op.f('fk_registration_guards_line_user_id_line_users')),
    sa.PrimaryKeyConstraint('line_user_id', name=op.f('pk_registration_guards'))
    )
    op.create_table('invite_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('max_uses', sa.Integer(), nullable=False),
    sa.Column('uses', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_invite_codes_community_id_communities')),
    sa.ForeignKeyConstraint(['created_by_id'], ['people.id'], name=op.f('fk_invite_codes_created_by_id_people')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_invite_codes_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invite_codes')),
    sa.UniqueConstraint('code', name=op.f('uq_invite_codes_code'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('action', sa.String(length=32), nullable=False),
    sa.Column('actor_person_id', sa.Integer(), nullable=True),
    sa.Column('subject_person_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('details', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['actor_person_id'], ['people.id'], name=op.f('fk_audit_log_actor_person_id_people')),
    sa.ForeignKeyConstraint(['household_id'], ['households.id'], name=op.f('fk_audit_log_household_id_households')),
    sa.ForeignKeyConstraint(['subject_person_id'], ['people.id'], name=op.f('fk_audit_log_subject_person_id_people')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index('ix_audit_log_subject', ['subject_person_id', 'at'], unique=False)

    op.create_table('registration_drafts',
    sa.Column('line_user_id', sa.Integer(), nullable=False),
    sa.Column('step', sa.String(length=16), nullable=False),
    sa.Column('invite_code_id', sa.Integer(), nullable=True),
    sa.Column('full_name', sa.String(length=200), nullable=True),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('volunteer_type', sa.String(length=16), nullable=True),
    sa.Column('community_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['community_id'], ['communities.id'], name=op.f('fk_registration_drafts_community_id_communities')),
    sa.ForeignKeyConstraint(['invite_code_id'], ['invite_codes.id'], name=op.f('fk_registration_drafts_invite_code_id_invite_codes')),
    sa.ForeignKeyConstraint(['line_user_id'], ['line_users.id'], name=op.f('fk_registration_drafts_line_user_id_line_users')),
    sa.PrimaryKeyConstraint('line_user_id', name=op.f('pk_registration_drafts'))
    )


def downgrade() -> None:
    op.drop_table('registration_drafts')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_log_subject')

    op.drop_table('audit_log')
    op.drop_table('invite_codes')
    op.drop_table('registration_guards')
    op.drop_table('rich_menus')
