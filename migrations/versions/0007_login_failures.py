"""failed logins counted in the database, per address and per account

The per-address limit kept its counts in the key-value store; those rows are removed.

Revision ID: 0007_login_failures
Revises: 0006_quality_figure_snapshots
Create Date: 2026-12-06 01:00:00
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import survey.db

revision: str = '0007_login_failures'
down_revision: str | None = '0006_quality_figure_snapshots'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('login_failures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('account', sa.String(length=254), nullable=False),
    sa.Column('address', sa.String(length=64), nullable=False),
    sa.Column('failed_at', survey.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures'))
    )
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_login_failures_account'), ['account'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_address'), ['address'], unique=False)
        batch_op.create_index(batch_op.f('ix_login_failures_failed_at'), ['failed_at'], unique=False)
    op.execute("DELETE FROM store_entries WHERE namespace = 'login_attempts'")


def downgrade() -> None:
    with op.batch_alter_table('login_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_login_failures_failed_at'))
        batch_op.drop_index(batch_op.f('ix_login_failures_address'))
        batch_op.drop_index(batch_op.f('ix_login_failures_account'))
    op.drop_table('login_failures')
