"""Invitations are capped (issue 11): 30 an hour per manager, 3 a day per address, with a
message at the e-mail field and no e-mail sent past the cap."""

from __future__ import annotations

from survey.respondents.invitations import INVITATIONS_PER_ADDRESS_PER_DAY, INVITATIONS_PER_HOUR
from tests.integration.assessments.helpers import manager_with_assessment
from tests.integration.respondents.helpers import invite, outbox_messages


async def test_a_manager_sends_at_most_30_invitations_an_hour(client, db, settings) -> None:
    setup = await manager_with_assessment(client, db)
    for n in range(INVITATIONS_PER_HOUR):
        sent = await invite(client, setup.token, setup.assessment_id, f"person{n}@example.org")
        assert sent.status_code == 201, sent.text

    refused = await invite(client, setup.token, setup.assessment_id, "one.more@example.org")

    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert 0 < int(refused.headers["retry-after"]) <= 3600
    assert "email" in refused.json()["errors"]
    assert len(outbox_messages(settings)) == INVITATIONS_PER_HOUR


async def test_one_address_gets_at_most_3_invitations_a_day(client, db, settings) -> None:
    setup = await manager_with_assessment(client, db)
    for _ in range(INVITATIONS_PER_ADDRESS_PER_DAY):
        sent = await invite(client, setup.token, setup.assessment_id, "sara@example.org")
        assert sent.status_code == 201, sent.text

    page = await client.post(
        f"/assessments/{setup.assessment_id}/respondents",
        data={
            "email": "Sara@example.org",
            "name": "",
            "language": "nl",
            "_csrf_token": setup.token,
        },
    )

    assert page.status_code == 422
    assert "Dit adres kreeg de voorbije 24 uur al 3 uitnodigingen" in page.text
    assert 'aria-invalid="true"' in page.text
    assert len(outbox_messages(settings)) == INVITATIONS_PER_ADDRESS_PER_DAY
    other = await invite(client, setup.token, setup.assessment_id, "tom@example.org")
    assert other.status_code == 201
