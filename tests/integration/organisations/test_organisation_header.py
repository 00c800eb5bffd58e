"""The organisation's header (its profile above its page, a coach's file, a caseload line)
says the same thing everywhere, in the reader's language."""

from __future__ import annotations

from typing import Any

from survey.accounts.models import Provider, Role
from tests.factories import login, make_organisation, make_user
from tests.integration.trajectories.helpers import as_user, request_trajectory


async def test_the_manager_and_the_coach_see_the_same_header_in_french(
    client: Any, db: Any
) -> None:
    organisation = await make_organisation(
        db, name="Maison de Jeunes", sector="youth-work", size_band="50-249", municipality="21009"
    )
    manager = await make_user(db, Role.MANAGER, organisation, language="fr")
    coach = await make_user(db, Role.COACH, provider=Provider.HUIS, language="fr")
    token = await as_user(client, manager)
    assert (await request_trajectory(client, token, organisation.id)).status_code == 201

    await login(client, manager)
    page = (await client.get(f"/organisations/{organisation.id}")).text
    assert "<dd>Travail de jeunesse</dd>" in page
    assert "<dd>50 à 249 ETP</dd>" in page
    assert "<dd>Ixelles</dd>" in page

    await as_user(client, coach)
    await login(client, coach)
    file = (await client.get(f"/coaching/organisations/{organisation.id}")).text
    assert "<p>Travail de jeunesse · Ixelles</p>" in file
    caseload = (await client.get("/coaching")).text
    assert "· Travail de jeunesse · Ixelles</span>" in caseload
