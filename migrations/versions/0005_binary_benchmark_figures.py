"""benchmark figures as fixed binary records, rewritten only when they change

The figures are derived data: the table is emptied and recreated with a binary
column; ``survey db upgrade`` recomputes every round afterwards.

Revision ID: 0005_binary_benchmark_figures
Revises: 0004_respondents_evidence
Create Date: 2026-12-01 01:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import survey.db

revision: str = '0005_binary_benchmark_figures'
down_revision: str | None = '0004_respondents_evidence'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(figures_type: sa.types.TypeEngine[object]) -> None:
    op.create_table('assessment_benchmarks',
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=80), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('size_band', sa.String(length=10), nullable=False),
    sa.Column('method_version', sa.String(length=20), nullable=False),
    sa.Column('computed_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('figures', figures_type, nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_assessment_benchmarks_assessment_id_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_assessment_benchmarks_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('assessment_id', name=op.f('pk_assessment_benchmarks'))
    )
    with op.batch_alter_table('assessment_benchmarks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessment_benchmarks_round_id'), ['round_id', 'questionnaire_id'], unique=False)


def _drop() -> None:
    with op.batch_alter_table('assessment_benchmarks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessment_benchmarks_round_id'))
    op.drop_table('assessment_benchmarks')


def upgrade() -> None:
    _drop()
    _create(sa.LargeBinary())


def downgrade() -> None:
    _drop()
    _create(sa.Text())
