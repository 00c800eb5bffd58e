"""Removing rows that no longer serve: expired sessions and login failures past every limit.

Run at start-up, every hour while the app serves, and by ``survey sessions purge``.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from survey.accounts.throttle import purge_login_failures
from survey.web.store import purge_expired_entries

logger = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class Purged:
    sessions: int
    login_failures: int


async def purge_expired(db: AsyncSession) -> Purged:
    return Purged(
        sessions=await purge_expired_entries(db), login_failures=await purge_login_failures(db)
    )


async def purge_now(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Purge in a transaction of its own; a failure is logged, never fatal."""
    try:
        async with sessionmaker() as db, db.begin():
            await purge_expired(db)
    except Exception:
        logger.exception("Could not purge expired sessions and login failures")


async def purge_every_hour(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Purge every hour, until cancelled."""
    while True:
        await asyncio.sleep(PURGE_INTERVAL_SECONDS)
        await purge_now(sessionmaker)
