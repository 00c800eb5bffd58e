"""The setup most support-request tests share: an organisation with its manager and a coach
of each provider (``w``), the manager's request for a trajectory of the Huis van het
Nederlands (``requested``), that request taken to running by its coach (``running``), and
the rounds a goal is agreed in and aims at (``goal_rounds``)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import make_round
from tests.integration.trajectories.helpers import (
    World,
    as_user,
    move,
    request_trajectory,
    world,
)


@pytest.fixture
async def goal_rounds(db: Any) -> None:
    """The open round "2026" and the round after it, "2027", not open yet."""
    await make_round(db, "2026")
    await make_round(db, "2027", state="upcoming")


@pytest.fixture
async def w(db: Any) -> World:
    return await world(db)


@pytest.fixture
async def requested(client: Any, w: World) -> int:
    """The id of the manager's request (state "requested"); the manager is logged in."""
    token = await as_user(client, w.manager)
    response = await request_trajectory(client, token, w.organisation.id)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.fixture
async def running(client: Any, w: World, requested: int) -> int:
    """The id of the request, taken through intake to running by the Huis coach (logged in
    through the API)."""
    coach = await as_user(client, w.huis_coach)
    for state in ("intake", "running"):
        moved = await move(client, coach, requested, state)
        assert moved.status_code == 200, moved.text
    return requested
