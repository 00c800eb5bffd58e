import pytest

from survey.organisations.models import Organisation


@pytest.mark.organisation(name="Old name")
async def test_form_post_without_csrf_token_is_refused_and_changes_nothing(
    client, db, sessionmaker, organisation, web_manager
) -> None:
    form = {
        "name": "New name",
        "enterprise_number": organisation.enterprise_number,
        "sector": "sport",
        "size_band": "1-9",
        "municipality": "21001",
    }

    missing = await client.post(f"/organisations/{organisation.id}/edit", data=form)
    wrong = await client.post(
        f"/organisations/{organisation.id}/edit", data={**form, "_csrf_token": "forged"}
    )

    assert missing.status_code == wrong.status_code == 403
    async with sessionmaker() as check:
        stored = await check.get(Organisation, organisation.id)
    assert stored is not None
    assert (stored.name, stored.sector) == ("Old name", "youth-work")


@pytest.mark.organisation(name="Old name")
async def test_api_state_change_needs_the_csrf_header(
    client, db, sessionmaker, organisation, manager_token
) -> None:
    body = {
        "name": "New name",
        "enterprise_number": organisation.enterprise_number,
        "sector": "sport",
        "size_band": "1-9",
        "municipality": "21001",
        "funded_by_vgc": False,
    }

    refused = await client.patch(f"/api/v1/organisations/{organisation.id}", json=body)
    async with sessionmaker() as check:
        unchanged = await check.get(Organisation, organisation.id)
    accepted = await client.patch(
        f"/api/v1/organisations/{organisation.id}",
        json=body,
        headers={"x-csrftoken": manager_token},
    )

    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert unchanged is not None and unchanged.name == "Old name"
    assert accepted.status_code == 200
    assert accepted.json()["name"] == "New name"


async def test_pages_carry_a_strict_content_security_policy(client) -> None:
    response = await client.get("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "<script>" not in response.text
    assert 'src="/static/vendor/htmx/htmx.min.js"' in response.text
