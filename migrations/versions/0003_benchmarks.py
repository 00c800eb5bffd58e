"""benchmarks: stored peer figures per assessment and questionnaire quality per round

Revision ID: 0003_benchmarks
Revises: 0002_assessments
Create Date: 2026-11-30 20:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import survey.db

revision: str = '0003_benchmarks'
down_revision: str | None = '0002_assessments'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('assessment_benchmarks',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=80), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('size_band', sa.String(length=10), nullable=False),
    sa.Column('method_version', sa.String(length=20), nullable=False),
    sa.Column('computed_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_benchmarks_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_assessment_benchmarks_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_assessment_benchmarks'))
    )
    with op.batch_alter_table('assessment_benchmarks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_benchmarks_round_id'), ['round_id', 'questionnaire_id'], unique=False)

    op.create_table('questionnaire_quality',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=80), nullable=False),
    sa.Column('stale', sa.Boolean(), nullable=False),
    sa.Column('computed_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_questionnaire_quality_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'questionnaire_id', name=op.f('pk_questionnaire_quality'))
    )


def downgrade() -> None:
    op.drop_table('questionnaire_quality')
    with op.batch_alter_table('assessment_benchmarks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_benchmarks_round_id'))

    op.drop_table('assessment_benchmarks')
