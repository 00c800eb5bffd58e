"""A synthetic network stored in SQLite, copied into a temporary PostgreSQL database so a
benchmark times the same rows on both backends (``--postgresql URL`` of the benchmarks)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from survey.db import UTCDateTime
from survey.migrate import upgrade
from survey.models import Base
from survey.settings import normalise_database_url


async def pg_connect(url: str) -> Any:
    import asyncpg

    parts = make_url(url)
    return await asyncpg.connect(
        host=parts.host,
        port=parts.port or 5432,
        user=parts.username,
        password=parts.password,
        database=parts.database or "postgres",
    )


def copy_to_postgresql(path: Path, admin_url: str, tables: Iterable[str]) -> str:
    """A new database on the server with the rows of ``tables`` (in that order) of the
    SQLite database at ``path``: migrated, then COPY, sequences moved past the copied ids,
    analysed. Returns its URL (drop it with :func:`drop_postgresql`)."""
    name = f"nscan_bench_{secrets.token_hex(3)}"
    admin = normalise_database_url(admin_url)

    async def create() -> None:
        connection = await pg_connect(admin)
        await connection.execute(f'CREATE DATABASE "{name}"')
        await connection.close()

    asyncio.run(create())
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    upgrade(url)

    async def copy() -> None:
        source = sqlite3.connect(path)
        target = await pg_connect(url)
        try:
            for table_name in tables:
                table = Base.metadata.tables[table_name]
                names = [column.name for column in table.columns]
                converters = [_converter(column.type) for column in table.columns]
                rows = source.execute(f"SELECT {', '.join(names)} FROM {table_name}").fetchall()
                records = [
                    tuple(
                        None if v is None else convert(v)
                        for v, convert in zip(row, converters, strict=True)
                    )
                    for row in rows
                ]
                await target.copy_records_to_table(table_name, records=records, columns=names)
                if "id" in table.columns and table_name != "organisations":
                    await target.execute(
                        f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'),"
                        f" (SELECT max(id) FROM {table_name}))"
                    )
            await target.execute("ANALYZE")
        finally:
            source.close()
            await target.close()

    asyncio.run(copy())
    return url


def _converter(column_type: Any) -> Callable[[Any], Any]:
    """SQLite's stored text or integers as the Python values asyncpg's COPY expects."""
    if isinstance(column_type, UTCDateTime | sa.DateTime):
        return lambda value: dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)
    if isinstance(column_type, sa.Date):
        return dt.date.fromisoformat
    if isinstance(column_type, sa.Boolean):
        return bool
    if isinstance(column_type, sa.JSON):  # SQLite's affinity turned JSON numbers into numbers
        return lambda value: value if isinstance(value, str) else json.dumps(value)
    return lambda value: value


def drop_postgresql(admin_url: str, url: str) -> None:
    async def drop() -> None:
        connection = await pg_connect(normalise_database_url(admin_url))
        await connection.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
        await connection.close()

    asyncio.run(drop())
