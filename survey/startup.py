"""Checks before serving: a clear sentence instead of a stack trace."""

from __future__ import annotations

from survey.db import create_engine, create_sessionmaker
from survey.indicators.spearheads import SpearheadPlanError, spearhead_plan
from survey.migrate import current_revision, head_revision
from survey.questionnaires import DefinitionError, registry
from survey.questionnaires.publishing import changed_published_versions
from survey.settings import PROJECT_ROOT, Settings
from survey.trajectories.catalogue import CatalogueError, catalogue

HTMX_FILE = PROJECT_ROOT / "node_modules" / "htmx.org" / "dist" / "htmx.min.js"


async def check_ready(settings: Settings) -> str | None:
    """Why the app cannot start yet, or None."""
    try:
        registry()
    except DefinitionError as error:
        return f"a questionnaire definition is invalid, so the app does not start.\n{error}"
    try:
        catalogue()
    except CatalogueError as error:
        return f"the trajectory catalogue is invalid, so the app does not start.\n{error}"
    try:
        spearhead_plan()
    except SpearheadPlanError as error:
        return f"the mapping of the VGC plan's spearheads is invalid, so the app does not start.\n{error}"
    if not HTMX_FILE.exists():
        return "front-end files are missing: run `npm ci` in the project folder first."

    engine = create_engine(settings.database_url)
    try:
        if await current_revision(engine) != head_revision(settings.database_url):
            return "the database schema is not up to date: run `survey db upgrade` first."
        async with create_sessionmaker(engine)() as db:
            changed = await changed_published_versions(db)
        return " ".join(changed) or None
    except Exception as error:
        return f"cannot reach the database ({error.__class__.__name__}: {error})."
    finally:
        await engine.dispose()
