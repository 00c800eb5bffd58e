"""support requests with their history, shares (consent per provider), coach notes, goals, coaches' suggestions

Revision ID: 0009_requests_support
Revises: 0008_peer_snapshots
Create Date: 2026-12-06 04:02:54.027218
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import survey.db

revision: str = '0009_requests_support'
down_revision: str | None = '0008_peer_snapshots'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('coach_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.Enum('agentschap', 'huis', name='provider', native_enum=False, length=20), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_coach_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_coach_notes_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coach_notes'))
    )
    with op.batch_alter_table('coach_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coach_notes_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('coach_suggestions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('trajectory_id', sa.String(length=80), nullable=False),
    sa.Column('provider', sa.Enum('agentschap', 'huis', name='provider', native_enum=False, length=20), nullable=False),
    sa.Column('suggested_by', sa.Integer(), nullable=True),
    sa.Column('created_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_coach_suggestions_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['suggested_by'], ['users.id'], name=op.f('fk_coach_suggestions_suggested_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coach_suggestions')),
    sa.UniqueConstraint('organisation_id', 'trajectory_id', name=op.f('uq_coach_suggestions_organisation_id'))
    )
    with op.batch_alter_table('coach_suggestions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coach_suggestions_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('shares',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('provider', sa.Enum('agentschap', 'huis', name='provider', native_enum=False, length=20), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('granted_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', survey.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('changed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['changed_by'], ['users.id'], name=op.f('fk_shares_changed_by_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_shares_organisation_id_organisations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shares')),
    sa.UniqueConstraint('organisation_id', 'provider', name=op.f('uq_shares_organisation_id'))
    )
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shares_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('support_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organisation_id', sa.Integer(), nullable=False),
    sa.Column('trajectory_id', sa.String(length=80), nullable=False),
    sa.Column('provider', sa.Enum('agentschap', 'huis', name='provider', native_enum=False, length=20), nullable=False),
    sa.Column('partner', sa.Enum('agentschap', 'huis', name='provider', native_enum=False, length=20), nullable=True),
    sa.Column('assessment_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('requested', 'intake', 'running', 'completed', 'declined', 'withdrawn', name='requeststate', native_enum=False, length=20), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('requested_by', sa.Integer(), nullable=True),
    sa.Column('coach_id', sa.Integer(), nullable=True),
    sa.Column('created_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_support_requests_assessment_id_assessments'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['coach_id'], ['users.id'], name=op.f('fk_support_requests_coach_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_support_requests_organisation_id_organisations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_support_requests_requested_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_requests'))
    )
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_requests_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_requests_provider'), ['provider'], unique=False)
        batch_op.create_index(batch_op.f('ix_support_requests_state'), ['state'], unique=False)

    op.create_table('support_goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=80), nullable=False),
    sa.Column('dimension_id', sa.String(length=80), nullable=False),
    sa.Column('target_level', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('set_by', sa.Integer(), nullable=True),
    sa.Column('set_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_support_goals_request_id_support_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_support_goals_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['set_by'], ['users.id'], name=op.f('fk_support_goals_set_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_goals')),
    sa.UniqueConstraint('request_id', 'questionnaire_id', 'dimension_id', name=op.f('uq_support_goals_request_id'))
    )
    with op.batch_alter_table('support_goals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_goals_request_id'), ['request_id'], unique=False)

    op.create_table('support_request_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('from_state', sa.Enum('requested', 'intake', 'running', 'completed', 'declined', 'withdrawn', name='requeststate', native_enum=False, length=20), nullable=True),
    sa.Column('to_state', sa.Enum('requested', 'intake', 'running', 'completed', 'declined', 'withdrawn', name='requeststate', native_enum=False, length=20), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_support_request_changes_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['request_id'], ['support_requests.id'], name=op.f('fk_support_request_changes_request_id_support_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_support_request_changes'))
    )
    with op.batch_alter_table('support_request_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_support_request_changes_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('support_request_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_request_changes_request_id'))

    op.drop_table('support_request_changes')
    with op.batch_alter_table('support_goals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_goals_request_id'))

    op.drop_table('support_goals')
    with op.batch_alter_table('support_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_support_requests_state'))
        batch_op.drop_index(batch_op.f('ix_support_requests_provider'))
        batch_op.drop_index(batch_op.f('ix_support_requests_organisation_id'))

    op.drop_table('support_requests')
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_shares_organisation_id'))

    op.drop_table('shares')
    with op.batch_alter_table('coach_suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coach_suggestions_organisation_id'))

    op.drop_table('coach_suggestions')
    with op.batch_alter_table('coach_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coach_notes_organisation_id'))

    op.drop_table('coach_notes')
