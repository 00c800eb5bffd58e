"""The invitation form names every field's problem in one answer, a NUL character in the
name next to an address that is no address."""

from __future__ import annotations

from html import escape
from typing import Any

from tests.integration.assessments.helpers import manager_with_assessment, nl
from tests.integration.respondents.helpers import outbox_messages

NUL_MESSAGE = "This contains a character that is not allowed (NUL). Remove it and try again."


async def test_a_nul_in_the_name_does_not_hide_a_wrong_address(
    client: Any, db: Any, settings: Any
) -> None:
    setup = await manager_with_assessment(client, db)

    response = await client.post(
        f"/assessments/{setup.assessment_id}/respondents",
        data={"email": "sara-at-example", "name": "Sara\x00", "_csrf_token": setup.token},
    )

    assert response.status_code == 422, response.text
    assert f'id="name-error">{escape(nl(NUL_MESSAGE))}</p>' in response.text
    assert f'id="email-error">{nl("Enter a valid e-mail address.")}</p>' in response.text
    assert outbox_messages(settings) == []
