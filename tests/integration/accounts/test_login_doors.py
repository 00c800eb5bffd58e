"""The login doors (issue 11): JSON or the login form only, no cross-site logins, a CSRF token
renewed at login and bound to the session, failure limits per address and per account."""

from __future__ import annotations

import datetime as dt
import email
from pathlib import Path
from typing import Any

import pytest

from survey.accounts.models import LoginFailure, Role
from survey.db import utcnow
from tests.factories import (
    PASSWORD,
    api_login,
    csrf_token,
    login,
    make_organisation,
    make_user,
    post_form,
)


def outbox(settings: Any) -> list[email.message.Message]:
    folder = Path(settings.outbox_dir)
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    return [email.message_from_bytes(path.read_bytes()) for path in files]


async def test_api_login_takes_json_only(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    body = f'{{"email": "{user.email}", "password": "{PASSWORD}"}}'

    plain = await client.post(
        "/api/v1/auth/login", content=body, headers={"content-type": "text/plain"}
    )
    form = await client.post("/api/v1/auth/login", data={"email": user.email, "password": PASSWORD})

    assert plain.status_code == 415
    assert form.status_code in (400, 415)
    assert plain.headers["content-type"].startswith("application/problem+json")
    assert (await client.get("/api/v1/auth/me")).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [{"origin": "https://evil.example"}, {"origin": "null"}, {"sec-fetch-site": "cross-site"}],
)
async def test_cross_site_logins_are_refused(client, db, headers) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    token = await csrf_token(client)

    api = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}, headers=headers
    )
    html = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "_csrf_token": token},
        headers=headers,
    )

    assert api.status_code == 403
    assert html.status_code == 403
    assert (await client.get("/api/v1/auth/me")).status_code == 401


async def test_same_site_logins_still_work(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    same = {"origin": "http://testserver.local", "sec-fetch-site": "same-origin"}
    token = await csrf_token(client)

    html = await client.post(
        "/login",
        data={"email": user.email, "password": PASSWORD, "_csrf_token": token},
        headers=same,
    )
    api = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}, headers=same
    )

    assert html.status_code == 303
    assert api.status_code == 200


async def test_login_renews_the_csrf_token_and_logout_drops_it(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    before = await csrf_token(client)

    await login(client, user)
    after_html = client.cookies["nscan_csrf"]
    api_token = await api_login(client, user)

    assert after_html != before
    assert api_token not in (before, after_html)
    assert client.cookies["nscan_csrf"] == api_token
    await client.post("/api/v1/auth/logout", headers={"x-csrftoken": api_token})
    assert client.cookies.get("nscan_csrf") in (None, "")


async def test_a_token_pair_from_another_session_is_refused(client, db) -> None:
    organisation = await make_organisation(db)
    attacker = await make_user(db, Role.MANAGER, organisation)
    victim = await make_user(db, Role.MANAGER, organisation)
    victim_token = await api_login(client, victim)
    victim_session = client.cookies["nscan_session"]
    client.cookies.clear()
    attacker_token = await api_login(client, attacker)
    # the victim's browser with the attacker's (valid, matching) cookie and header
    client.cookies.clear()
    client.cookies.set("nscan_session", victim_session)
    client.cookies.set("nscan_csrf", attacker_token)

    forged = await client.post("/api/v1/auth/logout", headers={"x-csrftoken": attacker_token})
    client.cookies.set("nscan_csrf", victim_token)
    still_in = await client.get("/api/v1/auth/me")

    assert forged.status_code == 403
    assert still_in.status_code == 200
    assert still_in.json()["email"] == victim.email


async def test_page_loads_do_not_count_as_login_attempts(client) -> None:
    for _ in range(15):
        assert (await client.get("/login")).status_code == 200


async def test_failed_html_logins_are_limited_per_address(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))

    statuses = [(await login(client, user, password="wrong")).status_code for _ in range(12)]

    assert statuses[:10] == [422] * 10
    assert statuses[10:] == [429, 429]
    refused = await login(client, user)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) <= 60
    assert "Te veel mislukte pogingen" in refused.text


async def test_successful_logins_do_not_count(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    for _ in range(12):
        assert (
            await client.post(
                "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
            )
        ).status_code == 200


async def test_an_account_is_locked_for_an_hour_after_100_failures(client, db, settings) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db), language="fr")
    start = utcnow() - dt.timedelta(minutes=30)
    db.add_all(
        LoginFailure(
            account=user.email, address=f"10.0.0.{n}", failed_at=start + dt.timedelta(seconds=n)
        )
        for n in range(99)
    )
    await db.commit()

    hundredth = await client.post(
        "/api/v1/auth/login", json={"email": user.email.upper(), "password": "wrong"}
    )
    right = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
    )
    html = await login(client, user)

    assert hundredth.status_code == 401
    assert right.status_code == 429
    retry_after = int(right.headers["retry-after"])
    assert 29 * 60 <= retry_after <= 30 * 60 + 1
    assert html.status_code == 429
    (message,) = outbox(settings)
    assert message["To"] == user.email
    assert "connexion" in message.get_payload(decode=True).decode().lower()


async def test_failures_older_than_an_hour_do_not_lock_the_account(client, db) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    old = utcnow() - dt.timedelta(minutes=61)
    db.add_all(
        LoginFailure(account=user.email, address="10.0.0.1", failed_at=old) for _ in range(100)
    )
    await db.commit()

    response = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": PASSWORD}
    )

    assert response.status_code == 200


async def test_a_page_load_gives_a_logged_in_browser_without_its_token_a_bound_one(
    client, db, organisation, web_manager
) -> None:
    client.cookies.delete("nscan_csrf")  # lost, or from before this rule

    page = await client.get(f"/organisations/{organisation.id}/edit")
    token = client.cookies["nscan_csrf"]
    logout = await client.post("/logout", data={"_csrf_token": token})

    assert page.status_code == 200
    assert f'value="{token}"' in page.text  # the form carries the new token
    assert logout.status_code == 303


async def test_a_refused_login_says_why_in_the_users_language(client, db) -> None:
    """The door's own reasons reach the person (in Dutch here), not the status's generic text."""
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    body = {"email": user.email, "password": PASSWORD}

    cross_site = await client.post(
        "/api/v1/auth/login", json=body, headers={"origin": "https://evil.example"}
    )
    plain = await client.post(
        "/api/v1/auth/login",
        content=f'{{"email": "{user.email}", "password": "{PASSWORD}"}}',
        headers={"content-type": "text/plain"},
    )
    page = await post_form(
        client, "/login", data={**body}, headers={"origin": "https://evil.example"}
    )

    assert cross_site.status_code == 403
    assert cross_site.json()["detail"] == "Aanmelden vanaf een andere website is niet toegestaan."
    assert plain.status_code == 415
    assert plain.json()["detail"] == "Stuur de aanmelding als application/json."
    assert page.status_code == 403
    assert "Aanmelden vanaf een andere website is niet toegestaan." in page.text


async def test_a_login_with_a_nul_byte_is_the_usual_refusal(client, db) -> None:
    """Issue 11: a NUL byte in the e-mail gave 500 on PostgreSQL, also on the anonymous
    login; now it is refused as invalid input naming the field (API 400, page 422)."""
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    nul_email = user.email.replace("@", "\x00@")

    api = await client.post("/api/v1/auth/login", json={"email": nul_email, "password": PASSWORD})
    page = await post_form(client, "/login", data={"email": nul_email, "password": PASSWORD})

    assert api.status_code == 400
    assert "email" in api.json()["errors"]
    assert page.status_code == 422
    assert (await client.get("/api/v1/auth/me")).status_code == 401
