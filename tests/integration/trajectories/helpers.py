"""Helpers for the support-request tests: an organisation with its manager, a coach of each
provider, requests made and moved through the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from survey.accounts.models import Provider, Role, User
from survey.audit.models import AuditEvent
from survey.organisations.models import Organisation
from tests.factories import api_login, login, make_organisation, make_user, post_form

# A trajectory of the Huis van het Nederlands and a joint one led by the Agentschap.
HUIS_TRAJECTORY = "duidelijke-taal"
AGENTSCHAP_TRAJECTORY = "coaching-cultuursensitief-werken"


@dataclass
class World:
    organisation: Organisation
    manager: User
    huis_coach: User
    agentschap_coach: User


async def world(db: Any) -> World:
    organisation = await make_organisation(db)
    return World(
        organisation=organisation,
        manager=await make_user(db, Role.MANAGER, organisation),
        huis_coach=await make_user(db, Role.COACH, provider=Provider.HUIS),
        agentschap_coach=await make_user(db, Role.COACH, provider=Provider.AGENTSCHAP),
    )


async def as_user(client: Any, user: User) -> str:
    """Log ``user`` in (a fresh session) and return their CSRF token."""
    client.cookies.clear()
    return await api_login(client, user)


async def coach_on_the_web(client: Any, w: World) -> None:
    """The Huis coach logged in on the web pages (after an API visit of their own)."""
    await as_user(client, w.huis_coach)
    await login(client, w.huis_coach)


async def request_trajectory(
    client: Any,
    token: str,
    organisation_id: int,
    trajectory_id: str = HUIS_TRAJECTORY,
    **extra: Any,
) -> Any:
    return await client.post(
        "/api/v1/support-requests",
        json={"organisation_id": organisation_id, "trajectory_id": trajectory_id, **extra},
        headers={"x-csrftoken": token},
    )


async def move(
    client: Any, token: str, request_id: int, state: str, note: str | None = None
) -> Any:
    body: dict[str, Any] = {"state": state}
    if note is not None:
        body["note"] = note
    return await client.patch(
        f"/api/v1/support-requests/{request_id}", json=body, headers={"x-csrftoken": token}
    )


async def post_goal(
    client: Any,
    request_id: int,
    round_name: str,
    dimension_id: str = "toegankelijkheid/bekendheid",
    query: str = "",
) -> Any:
    """The coach's goal form sent: level 3 for the part by the round."""
    return await post_form(
        client,
        f"/coaching/requests/{request_id}/goals{query}",
        data={"dimension_id": dimension_id, "target_level": "3", "round": round_name},
    )


async def audit_actions(sessionmaker: Any, object_type: str) -> list[tuple[str, dict[str, Any]]]:
    async with sessionmaker() as db:
        events = await db.scalars(
            select(AuditEvent).where(AuditEvent.object_type == object_type).order_by(AuditEvent.id)
        )
        return [(e.action, e.details) for e in events]
