"""The support and coaching forms refuse bad input at the field, in the reader's language,
with what was typed shown again and nothing stored (422)."""

from __future__ import annotations

from html import escape
from typing import Any

import pytest
from sqlalchemy import func, select

from survey.trajectories.models import CoachNote, Goal, SupportRequest
from tests.factories import csrf_token, login, post_form
from tests.integration.assessments.helpers import nl
from tests.integration.trajectories.helpers import (
    World,
    as_user,
    coach_on_the_web,
)

NUL_MESSAGE = "This contains a character that is not allowed (NUL). Remove it and try again."


async def test_a_nul_in_a_coach_note_is_refused_at_the_field(
    client: Any, db: Any, w: World, requested: int
) -> None:
    await coach_on_the_web(client, w)

    response = await post_form(
        client,
        f"/coaching/organisations/{w.organisation.id}/notes",
        data={"body": "Belde\x00op maandag"},
    )

    assert response.status_code == 422, response.text
    assert f'id="body-error">{escape(nl(NUL_MESSAGE))}</p>' in response.text
    assert ">Belde\x00op maandag</textarea>" in response.text
    assert await db.scalar(select(func.count()).select_from(CoachNote)) == 0


async def test_an_over_long_reason_to_withdraw_is_refused_at_the_field(
    client: Any, db: Any, w: World, requested: int
) -> None:
    await login(client, w.manager)
    reason = "We stoppen. " + "x" * 1989  # 2001 characters

    response = await post_form(
        client,
        f"/organisations/{w.organisation.id}/support-requests/{requested}/withdraw",
        data={"note": reason},
    )

    assert response.status_code == 422, response.text
    assert f'id="note-error">{nl("Use at most %(n)s characters.", n=2000)}</p>' in response.text
    assert f">{reason}</textarea>" in response.text
    async with db.begin():
        state = await db.scalar(select(SupportRequest.state).where(SupportRequest.id == requested))
    assert state is not None and state.value == "requested"


async def test_an_over_long_message_with_a_request_is_refused(
    client: Any, db: Any, w: World
) -> None:
    await login(client, w.manager)

    response = await post_form(
        client,
        f"/organisations/{w.organisation.id}/support-requests",
        data={"trajectory_id": "duidelijke-taal", "note": "x" * 2001},
    )

    assert response.status_code == 422, response.text
    assert nl("Use at most %(n)s characters.", n=2000) in response.text
    assert await db.scalar(select(func.count()).select_from(SupportRequest)) == 0


async def test_a_goal_level_that_is_no_level_is_refused_at_the_field(
    client: Any, w: World, running: int
) -> None:
    await login(client, w.huis_coach)
    form = {"_csrf_token": await csrf_token(client), "round": "2026"}

    # The level is picked from a list: whatever else arrives, the message names the levels
    # (never a bare "Enter a whole number.").
    for level in ("9", "", "3x", "2.5", "-1", "0"):
        response = await client.post(
            f"/coaching/requests/{running}/goals",
            data={**form, "dimension_id": "toegankelijkheid/bekendheid", "target_level": level},
        )
        assert response.status_code == 422, response.text
        message = nl("Choose a maturity level from 1 to 5.")
        assert f'id="target_level-error">{message}</p>' in response.text, level
        assert 'value="toegankelijkheid/bekendheid" selected' in response.text


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("nl", "Vul een heel getal in van 1 tot 5."),
        ("fr", "Saisissez un nombre entier de 1 à 5."),
        ("en", "Enter a whole number from 1 to 5."),
    ],
)
async def test_a_goal_level_out_of_range_in_the_api_says_the_levels(
    client: Any, db: Any, w: World, running: int, language: str, message: str
) -> None:
    coach = await as_user(client, w.huis_coach)
    for level in (9, 0, "drie", 2.5, None, True):
        goal = {"dimension_id": "toegankelijkheid/bekendheid", "target_level": level}
        response = await client.put(
            f"/api/v1/support-requests/{running}/goals",
            params={"lang": language},
            json=[{**goal, "round": "2027"}],
            headers={"x-csrftoken": coach},
        )
        assert response.status_code == 400, response.text
        assert response.json()["errors"] == {"data": message}, level
    assert await db.scalar(select(func.count()).select_from(Goal)) == 0
