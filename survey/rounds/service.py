from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey.rounds.models import Round, RoundState

BRUSSELS = ZoneInfo("Europe/Brussels")


def today() -> dt.date:
    """Rounds open and close on Brussels calendar days."""
    return dt.datetime.now(BRUSSELS).date()


async def list_rounds(db: AsyncSession) -> list[Round]:
    return list(await db.scalars(select(Round).order_by(Round.opens_on.desc())))


async def current_round(db: AsyncSession) -> Round | None:
    """The open round (the most recently opened one if several overlap)."""
    day = today()
    for round_ in await list_rounds(db):
        if round_.state_on(day) == RoundState.OPEN:
            return round_
    return None


async def get_by_name(db: AsyncSession, name: str) -> Round | None:
    return await db.scalar(select(Round).where(Round.name == name))
