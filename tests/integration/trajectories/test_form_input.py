"""The support and coaching forms refuse bad input at the field, in the reader's language,
with what was typed shown again and nothing stored (422)."""

from __future__ import annotations

from html import escape
from typing import Any

from sqlalchemy import func, select

from survey.trajectories.models import CoachNote, SupportRequest
from tests.factories import csrf_token, login, post_form
from tests.integration.assessments.helpers import nl
from tests.integration.trajectories.helpers import (
    World,
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

    out_of_range = "Choose a maturity level from 1 to 5."
    for level, message in (
        ("9", out_of_range),
        ("", out_of_range),
        ("3x", "Enter a whole number."),
    ):
        response = await client.post(
            f"/coaching/requests/{running}/goals",
            data={**form, "dimension_id": "toegankelijkheid/bekendheid", "target_level": level},
        )
        assert response.status_code == 422, response.text
        assert f'id="target_level-error">{nl(message)}</p>' in response.text
        assert 'value="toegankelijkheid/bekendheid" selected' in response.text
