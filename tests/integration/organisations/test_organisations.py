import re

import pytest

from survey.accounts.models import Provider, Role
from survey.audit.models import AuditEvent
from survey.organisations.models import Organisation
from tests.factories import api_login, login, make_organisation, make_user, post_form

VALID_FORM = {
    "name": "Sportclub Horizon",
    "enterprise_number": "BE 0403.170.701",
    "sector": "sport",
    "size_band": "50-249",
    "municipality": "21015",
    "funded_by_vgc": "on",
}


async def _stored(sessionmaker, organisation_id: int) -> Organisation:
    async with sessionmaker() as check:
        stored = await check.get(Organisation, organisation_id)
    assert stored is not None
    return stored


@pytest.mark.organisation(funded_by_vgc=False)
async def test_manager_edits_the_profile(
    client, db, sessionmaker, organisation, web_manager
) -> None:
    form = await client.get(f"/organisations/{organisation.id}/edit")
    response = await post_form(
        client, f"/organisations/{organisation.id}/edit", data={**VALID_FORM}
    )

    assert form.status_code == 200
    assert response.status_code == 303
    page = await client.get(response.headers["location"])
    assert "Het profiel is bewaard." in page.text
    assert "0403.170.701" in page.text
    assert "Schaarbeek" in page.text
    stored = await _stored(sessionmaker, organisation.id)
    assert (stored.name, stored.enterprise_number, stored.sector, stored.size_band) == (
        "Sportclub Horizon",
        "0403170701",
        "sport",
        "50-249",
    )
    assert stored.funded_by_vgc is True


@pytest.mark.organisation(name="Kept name")
async def test_invalid_profile_is_re_rendered_with_a_message_at_each_field(
    client, db, sessionmaker, organisation, web_manager
) -> None:
    response = await post_form(
        client,
        f"/organisations/{organisation.id}/edit",
        data={
            **VALID_FORM,
            "name": "",
            "enterprise_number": "0403.170.702",
            "sector": "astrology",
            "municipality": "99999",
        },
    )

    assert response.status_code == 422
    html = response.text
    assert 'id="name-error"' in html and "Dit veld is verplicht." in html
    assert 'id="enterprise_number-error"' in html
    assert 'aria-describedby="enterprise_number-hint enterprise_number-error"' in html
    assert 'id="sector-error"' in html and 'id="municipality-error"' in html
    assert 'value="0403.170.702"' in html  # the submitted value is kept for correction
    assert (await _stored(sessionmaker, organisation.id)).name == "Kept name"


async def test_invalid_profile_via_htmx_returns_just_the_form(
    client, db, organisation, web_manager
) -> None:
    response = await post_form(
        client,
        f"/organisations/{organisation.id}/edit",
        data={**VALID_FORM, "enterprise_number": "12"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 422
    assert response.text.lstrip().startswith("<form")
    assert "<html" not in response.text


async def test_enterprise_number_of_another_organisation_is_refused(client, db) -> None:
    other = await make_organisation(db)
    organisation = await make_organisation(db)
    user = await make_user(db, Role.MANAGER, organisation)
    await login(client, user)

    response = await post_form(
        client,
        f"/organisations/{organisation.id}/edit",
        data={**VALID_FORM, "enterprise_number": other.enterprise_number},
    )

    assert response.status_code == 422
    assert "Een andere organisatie heeft dit ondernemingsnummer al." in response.text


async def test_manager_of_a_gets_404_for_b_in_ui_and_api(client, db, sessionmaker) -> None:
    organisation_a = await make_organisation(db)
    organisation_b = await make_organisation(db, name="B unchanged")
    manager_a = await make_user(db, Role.MANAGER, organisation_a)
    token = await api_login(client, manager_a)

    pages = [
        await client.get(f"/organisations/{organisation_b.id}"),
        await client.get(f"/organisations/{organisation_b.id}/edit"),
        await post_form(client, f"/organisations/{organisation_b.id}/edit", data={**VALID_FORM}),
    ]
    api = [
        await client.get(f"/api/v1/organisations/{organisation_b.id}"),
        await client.patch(
            f"/api/v1/organisations/{organisation_b.id}",
            json={**VALID_FORM, "funded_by_vgc": True},
            headers={"x-csrftoken": token},
        ),
        await client.get("/api/v1/organisations/999999"),
    ]

    assert [r.status_code for r in pages] == [404, 404, 404]
    assert [r.status_code for r in api] == [404, 404, 404]
    assert "B unchanged" not in "".join(r.text for r in pages + api)
    assert (await _stored(sessionmaker, organisation_b.id)).name == "B unchanged"
    assert (await client.get(f"/api/v1/organisations/{organisation_a.id}")).status_code == 200


@pytest.mark.parametrize(("role", "provider"), [(Role.COACH, Provider.HUIS), (Role.ANALYST, None)])
async def test_staff_without_a_share_cannot_see_an_organisation(client, db, role, provider) -> None:
    organisation = await make_organisation(db)
    staff = await make_user(db, role, provider=provider)
    await api_login(client, staff)
    assert (await client.get(f"/api/v1/organisations/{organisation.id}")).status_code == 404


async def test_respondent_sees_but_cannot_edit_the_profile(client, db, sessionmaker) -> None:
    organisation = await make_organisation(db, name="Kept")
    respondent = await make_user(db, Role.RESPONDENT, organisation)
    token = await api_login(client, respondent)

    page = await client.get(f"/organisations/{organisation.id}")
    edit = await client.get(f"/organisations/{organisation.id}/edit")
    api = await client.patch(
        f"/api/v1/organisations/{organisation.id}",
        json={**VALID_FORM, "funded_by_vgc": True},
        headers={"x-csrftoken": token},
    )

    assert page.status_code == 200 and "Profiel bewerken" not in page.text
    assert edit.status_code == 403
    assert api.status_code == 403
    assert (await _stored(sessionmaker, organisation.id)).name == "Kept"


async def test_api_update_names_the_invalid_fields(client, db, organisation, manager_token) -> None:
    response = await client.patch(
        f"/api/v1/organisations/{organisation.id}",
        json={
            **VALID_FORM,
            "funded_by_vgc": True,
            "enterprise_number": "0403170702",
            "size_band": "huge",
        },
        headers={"x-csrftoken": manager_token},
    )

    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"enterprise_number", "size_band"}


async def test_profile_changes_are_audited(
    client, db, organisation, manager, manager_token
) -> None:
    from sqlalchemy import select

    await client.patch(
        f"/api/v1/organisations/{organisation.id}",
        json={**VALID_FORM, "funded_by_vgc": True},
        headers={"x-csrftoken": manager_token},
    )
    event = await db.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.update"))
    assert event is not None
    assert event.actor_id == manager.id and event.organisation_id == organisation.id
    assert "name" in event.details["fields"]


async def test_municipalities_are_listed_alphabetically_in_the_readers_language(
    client, db, organisation, web_manager
) -> None:
    def listed(html: str) -> list[str]:
        select = re.search(r'<select[^>]*name="municipality".*?</select>', html, re.S)
        assert select, "no municipality list"
        # the options with a value: the first one only asks to choose
        return re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>', select.group(0))

    dutch = listed((await client.get(f"/organisations/{organisation.id}/edit")).text)
    french = listed((await client.get(f"/organisations/{organisation.id}/edit?lang=fr")).text)

    named = [name.strip() for name in dutch if name.strip()]
    assert named[:3] == ["Anderlecht", "Brussel", "Elsene"]
    assert named[-1] == "Buiten Brussel"  # the exception comes last
    assert [name.strip() for name in french if name.strip()][:3] == [
        "Anderlecht",
        "Auderghem",
        "Berchem-Sainte-Agathe",
    ]
