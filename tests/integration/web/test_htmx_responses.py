"""htmx gets a client-side redirect (HX-Redirect) where a browser gets "see other" (303)."""

from __future__ import annotations

from tests.factories import csrf_token, make_organisation

HTMX = {"HX-Request": "true"}
PROFILE = {
    "name": "Sportclub Horizon",
    "enterprise_number": "BE 0403.170.701",
    "sector": "sport",
    "size_band": "50-249",
    "municipality": "21015",
}


async def test_a_saved_profile_sends_htmx_to_the_organisation_page(
    client, db, organisation, web_manager
) -> None:
    form = {**PROFILE, "_csrf_token": await csrf_token(client)}

    by_htmx = await client.post(f"/organisations/{organisation.id}/edit", data=form, headers=HTMX)
    by_browser = await client.post(f"/organisations/{organisation.id}/edit", data=form)

    assert by_htmx.status_code == 200
    assert by_htmx.headers["hx-redirect"] == f"/organisations/{organisation.id}"
    assert "location" not in by_htmx.headers
    assert by_browser.status_code == 303
    assert by_browser.headers["location"] == f"/organisations/{organisation.id}"


async def test_htmx_without_a_session_is_sent_to_the_login_page(client, db) -> None:
    organisation = await make_organisation(db)

    response = await client.get(f"/organisations/{organisation.id}/edit?tab=1", headers=HTMX)

    assert response.status_code == 401
    assert response.headers["hx-redirect"] == (
        f"/login?next=/organisations/{organisation.id}/edit%3Ftab%3D1"
    )
