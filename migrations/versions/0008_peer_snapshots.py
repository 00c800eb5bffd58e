"""peer-group snapshots: each assessment's entry in its groups' snapshots, and the round close

The figures are derived data; the new method version makes ``survey db upgrade``
recompute every round, which takes the first snapshots.

Revision ID: 0008_peer_snapshots
Revises: 0007_login_failures
Create Date: 2026-12-06 01:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import survey.db

revision: str = '0008_peer_snapshots'
down_revision: str | None = '0007_login_failures'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('peer_snapshot_closes',
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('questionnaire_id', sa.String(length=80), nullable=False),
    sa.Column('refreshed_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_peer_snapshot_closes_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_id', 'questionnaire_id', name=op.f('pk_peer_snapshot_closes'))
    )
    with op.batch_alter_table('assessment_benchmarks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('snapshot', sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('assessment_benchmarks', schema=None) as batch_op:
        batch_op.drop_column('snapshot')
    op.drop_table('peer_snapshot_closes')
