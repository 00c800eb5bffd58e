"""A round closes at the end of its closing day without anybody doing it: the housekeeping
(at start-up and every hour) publishes its ``RoundClosed`` once, so the benchmarks renew
their snapshots and the indicators take the closing release, also with two workers."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from survey.benchmarks.models import PeerSnapshotClose
from survey.errors import Conflict
from survey.housekeeping import close_past_rounds
from survey.indicators.models import IndicatorRelease
from survey.listeners import connect
from survey.rounds.models import Round, RoundState
from survey.rounds.service import BRUSSELS, close_round, today
from tests.integration.indicators.helpers import network

YOUTH = {"sector": "youth-work", "size_band": "10-49", "funded_by_vgc": True}


@pytest.fixture(autouse=True)
def _listeners() -> None:
    connect()  # what the app and the command line do at start


async def _round(db: Any, name: str, closes_on: dt.date) -> Round:
    round_ = Round(name=name, opens_on=closes_on - dt.timedelta(days=60), closes_on=closes_on)
    db.add(round_)
    await db.commit()
    return round_


async def _releases(sessionmaker: Any, round_id: int) -> list[str]:
    async with sessionmaker() as check:
        return list(
            await check.scalars(
                select(IndicatorRelease.reason).where(IndicatorRelease.round_id == round_id)
            )
        )


async def _closed_at(sessionmaker: Any, round_id: int) -> dt.datetime | None:
    async with sessionmaker() as check:
        round_ = await check.get(Round, round_id)
        assert round_ is not None
        return round_.closed_at


async def test_a_round_past_its_closing_day_is_closed_once_with_its_closing_release(
    db: Any, sessionmaker: Any
) -> None:
    yesterday = today() - dt.timedelta(days=1)
    ended = await _round(db, "2025", yesterday)
    running = await _round(db, "2026", today())  # its closing day is not over yet
    await network(db, ended, [(5, {**YOUTH, "municipality": "21004"}, 50.0)])
    ended_id, running_id = ended.id, running.id
    await db.close()

    assert await close_past_rounds(sessionmaker) == [ended_id]

    # closed as of the end of its closing day in Brussels, with what is taken at close
    midnight = dt.datetime.combine(today(), dt.time(), BRUSSELS)
    assert await _closed_at(sessionmaker, ended_id) == midnight.astimezone(dt.UTC)
    assert await _releases(sessionmaker, ended_id) == ["close"]
    async with sessionmaker() as check:
        renewed = await check.scalar(
            select(func.count())
            .select_from(PeerSnapshotClose)
            .where(PeerSnapshotClose.round_id == ended_id)
        )
    assert renewed == 1
    assert await _closed_at(sessionmaker, running_id) is None

    # the next run finds nothing to do
    assert await close_past_rounds(sessionmaker) == []
    assert await _releases(sessionmaker, ended_id) == ["close"]


async def test_two_workers_at_once_close_a_round_once(db: Any, sessionmaker: Any) -> None:
    ended = await _round(db, "2025", today() - dt.timedelta(days=3))
    await network(db, ended, [(5, {**YOUTH, "municipality": "21004"}, 50.0)])
    ended_id = ended.id
    await db.close()

    first, second = await asyncio.gather(
        close_past_rounds(sessionmaker), close_past_rounds(sessionmaker)
    )

    assert sorted(first + second) == [ended_id]
    assert await _releases(sessionmaker, ended_id) == ["close"]


async def test_an_admin_closing_a_round_leaves_the_housekeeping_nothing(
    db: Any, sessionmaker: Any
) -> None:
    open_round = await _round(db, "2026", today() + dt.timedelta(days=10))
    open_id = open_round.id
    await close_round(db, open_round, actor_id=None)
    await db.commit()
    assert open_round.state_on(today()) == RoundState.CLOSED
    with pytest.raises(Conflict):
        await close_round(db, open_round, actor_id=None)
    await db.rollback()
    await db.close()

    assert await close_past_rounds(sessionmaker) == []
    assert await _releases(sessionmaker, open_id) == ["close"]


async def test_an_admin_closing_a_round_past_its_date_closes_it_as_of_that_date(
    db: Any, sessionmaker: Any
) -> None:
    ended = await _round(db, "2025", today() - dt.timedelta(days=5))
    await close_round(db, ended, actor_id=None)
    await db.commit()
    ended_id = ended.id
    await db.close()

    day_after = dt.datetime.combine(today() - dt.timedelta(days=4), dt.time(), BRUSSELS)
    assert await _closed_at(sessionmaker, ended_id) == day_after.astimezone(dt.UTC)
    assert await close_past_rounds(sessionmaker) == []
    assert await _releases(sessionmaker, ended_id) == ["close"]


async def test_an_upcoming_round_cannot_be_closed(db: Any) -> None:
    upcoming = Round(
        name="2027",
        opens_on=today() + dt.timedelta(days=10),
        closes_on=today() + dt.timedelta(days=60),
    )
    db.add(upcoming)
    await db.commit()
    with pytest.raises(Conflict):
        await close_round(db, upcoming, actor_id=None)


async def test_the_app_closes_a_past_round_when_it_starts(
    db: Any, sessionmaker: Any, app: Any
) -> None:
    ended = await _round(db, "2025", today() - dt.timedelta(days=1))
    ended_id = ended.id
    await db.close()

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
        rounds = (await client.get("/api/v1/rounds")).status_code

    assert rounds in (200, 401)  # the app served after its housekeeping
    assert await _closed_at(sessionmaker, ended_id) is not None
    assert await _releases(sessionmaker, ended_id) == ["close"]
