"""HTML forms decode into the same Structs as the API: a field over a limit of its Struct's
``Meta`` is refused at the field, in the reader's language, with what was typed kept (422)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from survey.accounts.models import LoginFailure, Role
from survey.assessments.models import Evidence
from survey.organisations.models import Organisation
from tests.factories import make_organisation, make_user, post_form
from tests.integration.assessments.helpers import manager_with_assessment

PROFILE = {
    "enterprise_number": "BE 0403.170.701",
    "sector": "sport",
    "size_band": "50-249",
    "municipality": "21015",
}
ITEM = "vb-missie"


@pytest.mark.organisation(name="Kept name")
async def test_an_organisation_name_over_200_characters_is_refused_at_the_field(
    client, db, sessionmaker, organisation, web_manager
) -> None:
    name = "Sportclub " + "x" * 191  # 201 characters

    response = await post_form(
        client, f"/organisations/{organisation.id}/edit", data={**PROFILE, "name": name}
    )

    assert response.status_code == 422
    assert 'id="name-error">Gebruik maximaal 200 tekens.' in response.text
    assert f'value="{name}"' in response.text
    async with sessionmaker() as check:
        stored = await check.get(Organisation, organisation.id)
    assert stored is not None and stored.name == "Kept name"


async def test_a_note_over_2000_characters_is_refused_at_the_field(client, db) -> None:
    a = await manager_with_assessment(client, db)
    note = "Zie het jaarverslag. " + "x" * 1980  # 2001 characters

    response = await client.post(
        f"/assessments/{a.assessment_id}/evidence/{ITEM}",
        data={"_csrf_token": a.token, "kind": "note", "note": note},
    )

    assert response.status_code == 422
    assert 'id="note-error">Gebruik maximaal 2000 tekens.' in response.text
    assert note in response.text
    assert (await db.scalar(select(func.count()).select_from(Evidence))) == 0


async def test_an_invitee_name_over_200_characters_is_refused_at_the_field(client, db) -> None:
    a = await manager_with_assessment(client, db)

    response = await client.post(
        f"/assessments/{a.assessment_id}/respondents",
        data={
            "email": "sara@example.org",
            "name": "S" * 201,
            "language": "nl",
            "_csrf_token": a.token,
        },
    )

    assert response.status_code == 422
    assert 'id="name-error">Gebruik maximaal 200 tekens.' in response.text
    assert 'value="sara@example.org"' in response.text


async def test_a_password_over_its_limit_is_not_a_login_attempt(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))

    response = await post_form(client, "/login", data={"email": user.email, "password": "p" * 1025})

    assert response.status_code == 422
    assert "Het e-mailadres of wachtwoord klopt niet." in response.text
    assert f'value="{user.email}"' in response.text
    assert (await db.scalar(select(func.count()).select_from(LoginFailure))) == 0
