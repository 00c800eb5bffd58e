"""benchmarks: stored peer figures per assessment and questionnaire quality per round; the
dimension scores of each assessment result compactly (one row per assessment to read)

Revision ID: 0003_benchmarks
Revises: 0002_assessments
Create Date: 2026-11-30 20:00:00
"""
from __future__ import annotations

import json
import struct
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import survey.db

revision: str = '0003_benchmarks'
down_revision: str | None = '0002_assessments'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fill_dimension_scores() -> None:
    """The compact copy of the stored dimension scores, from ``dimension_results``: ids as a
    JSON array, scores as little-endian float64 in the same order (NaN: no score)."""
    bind = op.get_bind()
    results = sa.table('assessment_results', sa.column('assessment_id', sa.Integer()), sa.column('dimension_ids', sa.Text()), sa.column('dimension_scores', sa.LargeBinary()))
    dimensions = sa.table('dimension_results', sa.column('assessment_id', sa.Integer()), sa.column('dimension_id', sa.String()), sa.column('score', sa.Float()))
    pairs: dict[int, list[tuple[str, float]]] = {a: [] for a in bind.scalars(sa.select(results.c.assessment_id))}
    for assessment_id, dimension_id, score in bind.execute(
        sa.select(dimensions.c.assessment_id, dimensions.c.dimension_id, dimensions.c.score).order_by(dimensions.c.assessment_id, dimensions.c.dimension_id)
    ):
        if assessment_id in pairs:
            pairs[assessment_id].append((dimension_id, float('nan') if score is None else float(score)))
    if pairs:
        bind.execute(
            results.update().where(results.c.assessment_id == sa.bindparam('id')).values(dimension_ids=sa.bindparam('ids'), dimension_scores=sa.bindparam('scores')),
            [
                {'id': a, 'ids': json.dumps([d for d, _ in p], separators=(',', ':')), 'scores': struct.pack(f'<{len(p)}d', *(v for _, v in p))}
                for a, p in pairs.items()
            ],
        )


def upgrade() -> None:
    with op.batch_alter_table('assessment_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dimension_ids', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('dimension_scores', sa.LargeBinary(), nullable=True))
    _fill_dimension_scores()
    with op.batch_alter_table('assessment_results', schema=None) as batch_op:
        batch_op.alter_column('dimension_ids', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('dimension_scores', existing_type=sa.LargeBinary(), nullable=False)

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
    with op.batch_alter_table('assessment_results', schema=None) as batch_op:
        batch_op.drop_column('dimension_scores')
        batch_op.drop_column('dimension_ids')
