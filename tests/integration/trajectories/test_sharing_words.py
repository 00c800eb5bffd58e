"""The button that starts sharing again says "share" as a verb in every language, not the
word for a proportion that the indicator tables use ("Aandeel", "Part")."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import login, post_form
from tests.integration.trajectories.helpers import as_user, request_trajectory, world


@pytest.mark.parametrize(
    ("language", "verb", "proportion"), [("nl", "Delen", "Aandeel"), ("fr", "Partager", "Part")]
)
async def test_the_button_to_share_again_is_the_verb(
    client: Any, db: Any, language: str, verb: str, proportion: str
) -> None:
    w = await world(db)
    token = await as_user(client, w.manager)
    assert (await request_trajectory(client, token, w.organisation.id)).status_code == 201
    await login(client, w.manager)
    revoked = await post_form(client, f"/organisations/{w.organisation.id}/shares/huis/revoke")
    assert revoked.status_code == 303

    page = (
        await client.get(f"/organisations/{w.organisation.id}/support-requests?lang={language}")
    ).text

    grant = page.split(f'action="/organisations/{w.organisation.id}/shares/huis/grant"', 1)[1]
    button = grant.split("<button", 1)[1].split("</button>", 1)[0]
    assert f">{verb}<span" in button
    assert f">{proportion}<span" not in button


async def test_a_joint_request_says_both_providers_now_see_the_results(
    client: Any, db: Any
) -> None:
    w = await world(db)
    await login(client, w.manager)

    sent = await post_form(
        client,
        f"/organisations/{w.organisation.id}/support-requests",
        data={"trajectory_id": "brede-toegankelijkheid"},
    )
    assert sent.status_code == 303, sent.text
    page = (await client.get(sent.headers["location"])).text

    flash = page.split('class="flash"', 1)[1].split("</div>", 1)[0]
    assert "Agentschap Integratie en Inburgering" in flash
    assert "Huis van het Nederlands Brussel" in flash
