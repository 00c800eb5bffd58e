"""indicator releases: the cells and members blobs stored as they are on PostgreSQL

PostgreSQL tried to compress every blob of a release (pglz, TOAST storage EXTENDED),
which costs more than it saves on packed floats and integers; EXTERNAL keeps them out of
line, uncompressed. SQLite has no such setting: nothing to do there.

Revision ID: 0010_relspeed_cell_storage
Revises: 0009_indicators_releases
Create Date: 2026-12-06 09:05:00
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0010_relspeed_cell_storage'
down_revision: str | None = '0009_indicators_releases'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BLOBS = (("indicator_cells", "cells"), ("indicator_releases", "members"))


def _set_storage(storage: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, column in _BLOBS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET STORAGE {storage}")


def upgrade() -> None:
    _set_storage("EXTERNAL")


def downgrade() -> None:
    _set_storage("EXTENDED")
