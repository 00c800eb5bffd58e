"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

import asyncio
import secrets

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from survey.db import create_engine
from survey.migrate import downgrade, upgrade
from survey.models import Base
from tests.conftest import _pg_admin_url, _pg_execute


@pytest.fixture
def fresh_database_url(backend: str, tmp_path):
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    admin_url = _pg_admin_url()
    assert admin_url
    name = f"survey_migrations_{secrets.token_hex(4)}"
    asyncio.run(_pg_execute(admin_url, f'CREATE DATABASE "{name}"'))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _schema_state(url: str) -> tuple[set[str], list[object]]:
    async def inspect_schema() -> tuple[set[str], list[object]]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
        await engine.dispose()
        return tables, diff

    return asyncio.run(inspect_schema())


def test_migrations_up_down_up_match_the_models(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    tables, diff = _schema_state(fresh_database_url)
    assert {
        "organisations",
        "users",
        "memberships",
        "rounds",
        "audit_events",
        "store_entries",
    } <= tables
    assert diff == [], f"models and migrations differ: {diff}"

    downgrade(fresh_database_url, "base")
    tables_after_downgrade, _ = _schema_state(fresh_database_url)
    assert tables_after_downgrade <= {"alembic_version"}

    upgrade(fresh_database_url)
    tables_again, _ = _schema_state(fresh_database_url)
    assert tables_again == tables
