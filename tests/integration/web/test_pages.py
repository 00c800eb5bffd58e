import pytest

from survey.accounts.models import Role
from tests.factories import api_login, make_organisation, make_round, make_user


async def test_home_page_is_dutch_by_default_with_landmarks_and_skip_link(client) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="nl">' in html
    assert 'href="#main"' in html and '<main id="main"' in html
    assert "<header" in html and "<footer" in html and "<nav" in html
    assert "Aanmelden" in html


@pytest.mark.parametrize(
    ("lang", "word"), [("fr", "Se connecter"), ("en", "Log in"), ("nl", "Aanmelden")]
)
async def test_language_switch_sticks_for_the_session(client, lang, word) -> None:
    switched = await client.get(f"/?lang={lang}")
    later = await client.get("/login")
    assert f'<html lang="{lang}">' in switched.text
    assert word in later.text


async def test_browser_language_is_used_when_nothing_was_chosen(client) -> None:
    response = await client.get("/", headers={"Accept-Language": "fr-BE,fr;q=0.9"})
    assert '<html lang="fr">' in response.text


async def test_language_choice_is_saved_in_the_users_profile(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    await api_login(client, user)
    await client.get("/?lang=en")
    assert (await client.get("/api/v1/auth/me")).json()["language"] == "en"


async def test_unknown_page_is_a_friendly_404(client) -> None:
    response = await client.get("/does-not-exist")
    assert response.status_code == 404
    assert "Pagina niet gevonden" in response.text


async def test_api_errors_are_problem_details(client) -> None:
    response = await client.get("/api/v1/auth/me")
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["status"] == 401


async def test_rounds_api_lists_rounds_with_state(client, db) -> None:
    await make_round(db, "2025", "closed")
    await make_round(db, "2026", "open")
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    await api_login(client, user)

    rounds = (await client.get("/api/v1/rounds")).json()

    assert {r["name"]: r["state"] for r in rounds} == {"2025": "closed", "2026": "open"}


async def test_openapi_document_describes_the_api(client) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    paths = document["paths"]
    for path in (
        "/api/v1/auth/login",
        "/api/v1/auth/me",
        "/api/v1/rounds",
        "/api/v1/organisations/{organisation_id}",
    ):
        assert path in paths
    assert not any(path.startswith("/organisations") for path in paths)


async def test_htmx_is_served_by_the_app(client) -> None:
    response = await client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert 'version:"2.0.' in response.text.replace(" ", "")


async def test_error_pages_speak_the_callers_language_and_know_the_caller(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db), language="fr")
    await api_login(client, user)

    csrf_refused = await client.post("/logout", data={})
    # An unknown address knows the person too: their language (not the browser's) and name.
    not_found = await client.get("/does-not-exist", headers={"Accept-Language": "en"})

    assert csrf_refused.status_code == 403
    assert "Vous ne pouvez pas faire ceci" in csrf_refused.text
    assert user.name in csrf_refused.text  # the header still shows who is logged in
    assert not_found.status_code == 404
    assert "Page introuvable" in not_found.text
    assert user.name in not_found.text
