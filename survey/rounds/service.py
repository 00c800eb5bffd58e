from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

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


async def latest_opened(db: AsyncSession) -> Round | None:
    """The round that opened most recently by today (open now, or closed since), if any."""
    day = today()
    return next((r for r in await list_rounds(db) if r.opens_on <= day), None)


async def round_to_show(db: AsyncSession) -> Round | None:
    """The round a page shows when none is asked for: the one that opened most recently
    by today (open now, or closed since), else the first one to open."""
    rounds = await list_rounds(db)
    day = today()
    return next((r for r in rounds if r.opens_on <= day), rounds[-1] if rounds else None)


async def get_by_name(db: AsyncSession, name: str) -> Round | None:
    return await db.scalar(select(Round).where(Round.name == name))


def close_moment(round_: Round) -> dt.datetime:
    """When a round closes by its dates: the end of its closing day in Brussels (UTC)."""
    day_after = round_.closes_on + dt.timedelta(days=1)
    return dt.datetime.combine(day_after, dt.time(), BRUSSELS).astimezone(dt.UTC)


async def _mark_closed(
    db: AsyncSession, round_: Round, at: dt.datetime, actor_id: int | None
) -> bool:
    """Mark the round closed and publish ``RoundClosed``, once: the row is changed only
    while it is not marked yet (``UPDATE … WHERE closed_at IS NULL``), so of two workers or
    an admin and the housekeeping closing it at once, one publishes and the other learns
    it was too late (False)."""
    marked = await db.scalar(
        update(Round)
        .where(Round.id == round_.id, Round.closed_at.is_(None))
        .values(closed_at=at)
        .returning(Round.id)
        .execution_options(synchronize_session=False)
    )
    if marked is None:
        return False
    set_committed_value(round_, "closed_at", at)
    await events.publish(db, events.RoundClosed(round_id=round_.id, actor_id=actor_id))
    return True


async def close_round(db: AsyncSession, round_: Round, actor_id: int | None) -> None:
    """Close a round now (an admin closing it early, ``survey rounds close``): ``RoundClosed``
    lets the domains take what they take at round close (the benchmarks' snapshots, the
    indicators' closing release). A round past its closing date that the housekeeping has
    not closed yet is closed as of that date."""
    day = today()
    if round_.state_on(day) == RoundState.UPCOMING:
        raise Conflict(_("Only an open round can be closed."))
    at = utcnow() if day <= round_.closes_on else close_moment(round_)
    if not await _mark_closed(db, round_, at, actor_id):
        raise Conflict(_("Only an open round can be closed."))


async def rounds_past_closing(db: AsyncSession) -> list[int]:
    """The ids of the rounds whose closing day is over and that nobody marked closed yet."""
    return list(
        await db.scalars(
            select(Round.id)
            .where(Round.closed_at.is_(None), Round.closes_on < today())
            .order_by(Round.closes_on, Round.id)
        )
    )


async def close_at_closing_date(db: AsyncSession, round_id: int) -> bool:
    """Close a round whose closing day is over, as of the end of that day. False when it is
    not over, or the round is closed already (someone else published its ``RoundClosed``)."""
    round_ = await db.get(Round, round_id)
    if round_ is None or today() <= round_.closes_on:
        return False
    return await _mark_closed(db, round_, close_moment(round_), actor_id=None)
