"""Checks before serving: a clear sentence instead of a stack trace."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from survey.db import create_engine
from survey.migrate import alembic_config
from survey.settings import Settings


async def check_ready(settings: Settings) -> str | None:
    """Why the app cannot start yet, or None."""
    from survey.app import HTMX_DIST

    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            current = await connection.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )
    except Exception as error:
        return f"cannot reach the database ({error.__class__.__name__}: {error})."
    finally:
        await engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_current_head()
    if current != head:
        return "the database schema is not up to date: run `survey db upgrade` first."
    if not (HTMX_DIST / "htmx.min.js").exists():
        return "front-end files are missing: run `npm ci` in the project folder first."
    return None
