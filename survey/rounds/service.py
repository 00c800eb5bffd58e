from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from survey import events
from survey.db import utcnow
from survey.errors import Conflict
from survey.i18n import gettext as _
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


async def close_round(db: AsyncSession, round_: Round, actor_id: int | None) -> None:
    """Close an open round now (an admin closing it early): ``RoundClosed`` lets the
    domains take what they take at round close (the indicators' closing release)."""
    if round_.state_on(today()) != RoundState.OPEN:
        raise Conflict(_("Only an open round can be closed."))
    round_.closed_at = utcnow()
    await db.flush()
    await events.publish(db, events.RoundClosed(round_id=round_.id, actor_id=actor_id))
