from sqlalchemy import select

from survey.accounts.models import Role
from survey.audit.models import AuditEvent
from survey.web.store import StoreEntry
from tests.factories import (
    PASSWORD,
    api_login,
    login,
    make_organisation,
    make_user,
    post_form,
)


async def test_manager_logs_in_and_sees_their_organisation(client, db) -> None:
    organisation = await make_organisation(db, name="Jeugdhuis De Brug")
    user = await make_user(db, Role.MANAGER, organisation)

    response = await login(client, user)

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    home = await client.get("/")
    assert "Jeugdhuis De Brug" in home.text
    assert user.name in home.text


async def test_wrong_password_gives_one_clear_message_and_no_session(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))

    wrong_password = await login(client, user, password="not the password")
    unknown_email = await post_form(
        client, "/login", data={"email": "nobody@example.org", "password": "x"}
    )

    for response in (wrong_password, unknown_email):
        assert response.status_code == 422
        assert "Het e-mailadres of wachtwoord klopt niet." in response.text
    assert "nscan_session" not in client.cookies
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_login_renews_the_session_id(client, db, sessionmaker) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    await client.get("/?lang=fr")  # an anonymous visitor's choice, kept in a cookie
    await login(client, user)
    before = client.cookies["nscan_session"]

    await login(client, user)  # logging in again, e.g. as someone else

    after = client.cookies["nscan_session"]
    assert after != before
    async with sessionmaker() as check:
        keys = set(
            await check.scalars(select(StoreEntry.key).where(StoreEntry.namespace == "sessions"))
        )
    assert before not in keys
    assert after in keys
    # the language chosen before logging in is kept
    assert "Se déconnecter" in (await client.get("/")).text


async def test_logout_ends_the_session(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    await login(client, user)

    response = await post_form(client, "/logout")

    assert response.status_code == 303
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_api_login_and_me(client, db) -> None:
    organisation = await make_organisation(db)
    user = await make_user(db, Role.MANAGER, organisation, language="fr")

    token = await api_login(client, user)
    me = await client.get("/api/v1/auth/me")

    assert token
    assert me.status_code == 200
    body = me.json()
    assert body["email"] == user.email
    assert body["language"] == "fr"
    assert body["roles"] == ["manager"]
    assert body["organisation_ids"] == [organisation.id]
    events = list(await db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id)))
    assert events == ["user.login"]


async def test_api_login_with_wrong_password_is_401_without_detail_on_which_part(
    client, db
) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))

    wrong = await client.post("/api/v1/auth/login", json={"email": user.email, "password": "nope"})
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "x@example.org", "password": PASSWORD}
    )

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    assert wrong.headers["content-type"].startswith("application/problem+json")


async def test_api_login_with_missing_field_is_400_naming_it(client) -> None:
    response = await client.post("/api/v1/auth/login", json={"email": "a@example.org"})
    assert response.status_code == 400
    assert "password" in response.text


async def test_too_many_login_attempts_get_429(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    statuses = [
        (
            await client.post("/api/v1/auth/login", json={"email": user.email, "password": "wrong"})
        ).status_code
        for _ in range(12)
    ]
    assert statuses[:10] == [401] * 10
    assert statuses[10:] == [429, 429]
    # the limit applies to the right password too, until the minute is over
    assert (
        await client.post("/api/v1/auth/login", json={"email": user.email, "password": PASSWORD})
    ).status_code == 429


async def test_html_pages_that_need_login_redirect_to_the_login_page(client, db) -> None:
    organisation = await make_organisation(db)
    response = await client.get(f"/organisations/{organisation.id}")
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next=/organisations/{organisation.id}"
