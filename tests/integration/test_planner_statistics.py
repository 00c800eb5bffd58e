"""After a bulk load (the demo) PostgreSQL's planner knows the tables' sizes at once, so
it reads one response's answers through the index instead of the whole table (issue 15)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text

from survey.db import refresh_planner_statistics


async def test_the_planner_statistics_are_fresh_after_a_refresh(db: Any, backend: str) -> None:
    before = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)

    async with db.begin():
        await refresh_planner_statistics(db)

    if backend == "postgresql":
        analysed = await db.scalar(
            text("SELECT last_analyze FROM pg_stat_user_tables WHERE relname = 'answers'")
        )
        assert analysed is not None and analysed >= before
