"""indicator releases and read-only API tokens: every cell of a round per filter combination, and its members

Revision ID: 0009_indicators_releases
Revises: 0009_requests_support
Create Date: 2026-12-06 04:45:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import survey.db

revision: str = '0009_indicators_releases'
down_revision: str | None = '0009_requests_support'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', survey.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_api_tokens_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    op.create_table('indicator_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('taken_by', sa.Integer(), nullable=True),
    sa.Column('organisations', sa.Integer(), nullable=False),
    sa.Column('families', sa.Text(), nullable=False),
    sa.Column('columns', sa.Text(), nullable=False),
    sa.Column('members', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_indicator_releases_round_id_rounds'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taken_by'], ['users.id'], name=op.f('fk_indicator_releases_taken_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_indicator_releases'))
    )
    with op.batch_alter_table('indicator_releases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_indicator_releases_round_id'), ['round_id', 'taken_at'], unique=False)

    op.create_table('indicator_cells',
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('size_band', sa.String(length=10), nullable=False),
    sa.Column('municipality', sa.String(length=10), nullable=False),
    sa.Column('funded', sa.String(length=5), nullable=False),
    sa.Column('cells', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['release_id'], ['indicator_releases.id'], name=op.f('fk_indicator_cells_release_id_indicator_releases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('release_id', 'sector', 'size_band', 'municipality', 'funded', name=op.f('pk_indicator_cells'))
    )


def downgrade() -> None:
    op.drop_table('indicator_cells')
    with op.batch_alter_table('indicator_releases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_indicator_releases_round_id'))
    op.drop_table('indicator_releases')
    op.drop_table('api_tokens')
