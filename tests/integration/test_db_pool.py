"""PostgreSQL connections that rested are pinged before they serve again (issue 15: not
every checkout, which cost a round trip per request)."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from survey import db as database
from survey.db import create_engine


async def test_a_rested_connection_whose_server_side_ended_is_replaced(
    settings, monkeypatch
) -> None:
    if settings.is_sqlite:
        pytest.skip("a PostgreSQL pool")
    monkeypatch.setattr(database, "PING_AFTER_REST_SECONDS", 0.0)
    engine = create_engine(settings.database_url)
    other = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            pid = await connection.scalar(text("SELECT pg_backend_pid()"))
        async with other.connect() as killer:
            await killer.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})

        async with engine.connect() as connection:  # the pooled one is dead: a fresh one
            assert await connection.scalar(text("SELECT pg_backend_pid()")) != pid
    finally:
        await engine.dispose()
        await other.dispose()
