"""Alembic configured in code, so `survey db upgrade` works from any folder."""

from __future__ import annotations

import asyncio

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine

from survey.db import create_engine
from survey.settings import PROJECT_ROOT


def alembic_config(database_url: str) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The schema's revision; None for a database no migration has touched yet."""
    async with engine.connect() as connection:
        return await connection.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


def head_revision(database_url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()


def upgrade_and_say(database_url: str, revision: str = "head") -> str:
    """Upgrade, and say in one sentence what happened to the database."""

    async def revision_now() -> str | None:
        engine = create_engine(database_url)
        try:
            return await current_revision(engine)
        finally:
            await engine.dispose()

    before = asyncio.run(revision_now())
    upgrade(database_url, revision)
    after = asyncio.run(revision_now())
    if before is None:
        return f"Created the database (schema revision {after})."
    if before == after:
        return f"The database is already up to date (schema revision {after})."
    return f"Upgraded the database from schema revision {before} to {after}."
