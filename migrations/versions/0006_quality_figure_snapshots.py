"""questionnaire quality as per-version snapshots, without the stale flag

The stored figures are derived data in a new layout (each version's snapshot keeps its
"as of" and the submitted assessments it was built on): the table is emptied and
recreated without ``stale``; the next look at the figures computes them again.

Revision ID: 0006_quality_figure_snapshots
Revises: 0005_binary_benchmark_figures
Create Date: 2026-12-06 01:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import survey.db

revision: str = '0006_quality_figure_snapshots'
down_revision: str | None = '0005_binary_benchmark_figures'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(*, with_stale: bool) -> None:
    stale = [sa.Column('stale', sa.Boolean(), nullable=False)] if with_stale else []
    op.create_table('questionnaire_quality',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=80), nullable=False),
    *stale,
    sa.Column('computed_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_questionnaire_quality_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'questionnaire_id', name=op.f('pk_questionnaire_quality'))
    )


def upgrade() -> None:
    op.drop_table('questionnaire_quality')
    _create(with_stale=False)


def downgrade() -> None:
    op.drop_table('questionnaire_quality')
    _create(with_stale=True)
