"""What the app does on its own at start-up and every hour while it serves:

- removing rows that no longer serve: expired sessions and login failures past every limit
  (also ``survey sessions purge``);
- closing the rounds whose closing day is over, so that what is taken "at round close"
  (``RoundClosed``: the benchmarks' snapshots, the indicators' closing release) is taken
  once per round, also with several workers (see :func:`survey.rounds.service.close_round`).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from survey.accounts.throttle import purge_login_failures
from survey.rounds.service import close_at_closing_date, rounds_past_closing
from survey.web.store import purge_expired_entries

logger = logging.getLogger(__name__)

HOUSEKEEPING_INTERVAL_SECONDS = 3600


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


async def close_past_rounds(sessionmaker: async_sessionmaker[AsyncSession]) -> list[int]:
    """Close every round whose closing day is over, each in a transaction of its own (with
    what its ``RoundClosed`` listeners do), and return the ids of those this call closed.
    A round another worker closes meanwhile is left to it; a failure is logged and the
    round is tried again at the next run."""
    async with sessionmaker() as db:
        due = await rounds_past_closing(db)
    closed: list[int] = []
    for round_id in due:
        try:
            async with sessionmaker() as db, db.begin():
                if await close_at_closing_date(db, round_id):
                    closed.append(round_id)
        except Exception:
            logger.exception("Could not close round %s at its closing date", round_id)
    return closed


async def housekeeping_now(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    await purge_now(sessionmaker)
    await close_past_rounds(sessionmaker)


async def housekeeping_every_hour(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    """Housekeeping every hour, until cancelled."""
    while True:
        await asyncio.sleep(HOUSEKEEPING_INTERVAL_SECONDS)
        await housekeeping_now(sessionmaker)
