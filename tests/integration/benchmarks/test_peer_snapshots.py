"""Two looks in time give nothing away (DESIGN §7): what an organisation sees of its peer
group comes from the group's snapshot, which refreshes only once at least 5 of its members
changed, and at round close; so the figures another organisation sees do not move with one
(or four) submissions, and move with the fifth. The same holds for a fallback group."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import update

from survey.benchmarks.recompute import recompute
from survey.rounds.models import Round
from survey.rounds.service import close_round
from tests.factories import make_round
from tests.integration.assessments.helpers import QUESTIONNAIRE
from tests.integration.benchmarks.helpers import (
    assessment_of,
    manager_of,
    peers,
    submitted_peer,
)
from tests.integration.benchmarks.test_benchmark_result import _benchmark

GROUP = {"sector": "youth-work", "size_band": "10-49"}


async def _recompute(sessionmaker: Any, round_id: int) -> None:
    """What a submission triggers (survey.assessments.service calls the same function)."""
    async with sessionmaker() as session:
        await recompute(session, round_id, QUESTIONNAIRE)
        await session.commit()


async def _newcomer(db: Any, sessionmaker: Any, round_: Round, seed: int, profile: dict) -> None:
    """One more organisation submits (high scores, so every mean it entered would move)."""
    await submitted_peer(db, round_, 4.6, seed=seed, **profile)
    await _recompute(sessionmaker, round_.id)


@pytest.mark.parametrize(
    ("attacker", "newcomers", "level"),
    [
        (GROUP, GROUP, "sector_size"),
        # alone in its size band: compared with its sector, where the newcomers arrive too
        ({"sector": "youth-work", "size_band": "1-9"}, {**GROUP, "size_band": "250+"}, "sector"),
        # alone in its sector: compared with the whole network
        ({"sector": "sport", "size_band": "1-9"}, {**GROUP, "size_band": "250+"}, "network"),
    ],
    ids=["sector-size", "sector-fallback", "network-fallback"],
)
async def test_what_others_see_moves_only_after_five_new_submissions(
    client, db, sessionmaker, attacker: dict, newcomers: dict, level: str
) -> None:
    round_ = await make_round(db, "2026")
    watcher = await submitted_peer(db, round_, 2.9, seed=999, **attacker)
    await peers(db, round_, 6, **GROUP)
    await _recompute(sessionmaker, round_.id)
    watched = await assessment_of(sessionmaker, watcher)
    await manager_of(client, db, watcher)
    first_look = await _benchmark(client, watched)
    assert first_look["overall"]["peer_group"]["level"] == level
    assert first_look["overall"]["peer_group"]["n_organisations"] == 6  # 5–9: rank and mean

    for seed in range(4):  # one, then up to four new submissions: nothing moves
        await _newcomer(db, sessionmaker, round_, 500 + seed, newcomers)
        assert await _benchmark(client, watched) == first_look, f"after {seed + 1}"

    await _newcomer(db, sessionmaker, round_, 504, newcomers)  # the fifth: the group refreshes
    moved = await _benchmark(client, watched)
    assert moved["overall"]["peer_group"]["n_organisations"] == 11
    assert moved["overall"]["peer_mean"] != first_look["overall"]["peer_mean"]


async def test_a_newcomer_is_compared_with_the_snapshot_and_its_own_figures_are_current(
    client, db, sessionmaker
) -> None:
    round_ = await make_round(db, "2026")
    await peers(db, round_, 6, **GROUP)
    await _recompute(sessionmaker, round_.id)
    newcomer = await submitted_peer(db, round_, 4.6, seed=42, **GROUP)
    await _recompute(sessionmaker, round_.id)

    await manager_of(client, db, newcomer)
    own = await _benchmark(client, await assessment_of(sessionmaker, newcomer))
    # the six of the snapshot; its own score is the one it just submitted
    assert own["overall"]["status"] == "shown"
    assert own["overall"]["peer_group"]["n_organisations"] == 6
    assert own["overall"]["percentile_rank"] == 100  # above all six


async def test_the_first_recompute_after_the_round_closed_refreshes_every_group(
    client, db, sessionmaker
) -> None:
    round_ = await make_round(db, "2026")
    watcher = await submitted_peer(db, round_, 2.9, seed=999, **GROUP)
    await peers(db, round_, 6, **GROUP)
    await _recompute(sessionmaker, round_.id)
    watched = await assessment_of(sessionmaker, watcher)
    await manager_of(client, db, watcher)
    first_look = await _benchmark(client, watched)
    await _newcomer(db, sessionmaker, round_, 600, GROUP)
    assert await _benchmark(client, watched) == first_look

    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    async with sessionmaker() as session:
        await session.execute(
            update(Round).where(Round.id == round_.id).values(closes_on=yesterday)
        )
        await session.commit()
    await _recompute(sessionmaker, round_.id)

    at_close = await _benchmark(client, watched)
    assert at_close["overall"]["peer_group"]["n_organisations"] == 7
    assert at_close["overall"]["peer_mean"] != first_look["overall"]["peer_mean"]
    await _recompute(sessionmaker, round_.id)  # only the first recompute after the close
    assert await _benchmark(client, watched) == at_close


async def test_closing_the_round_early_refreshes_every_group_at_once(
    client, db, sessionmaker
) -> None:
    round_ = await make_round(db, "2026")
    watcher = await submitted_peer(db, round_, 2.9, seed=999, **GROUP)
    await peers(db, round_, 6, **GROUP)
    await _recompute(sessionmaker, round_.id)
    watched = await assessment_of(sessionmaker, watcher)
    await manager_of(client, db, watcher)
    first_look = await _benchmark(client, watched)
    await _newcomer(db, sessionmaker, round_, 700, GROUP)
    assert await _benchmark(client, watched) == first_look

    async with (
        sessionmaker() as session,
        session.begin(),
    ):  # an admin closes it (survey rounds close)
        stored = await session.get(Round, round_.id)
        assert stored is not None
        await close_round(session, stored, actor_id=None)

    at_close = await _benchmark(client, watched)  # no submission since: RoundClosed recomputed
    assert at_close["overall"]["peer_group"]["n_organisations"] == 7
    assert at_close["overall"]["peer_mean"] != first_look["overall"]["peer_mean"]
