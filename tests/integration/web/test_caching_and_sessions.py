"""No caching of personal answers, HSTS in production, and no session rows for anonymous
visitors; expired sessions and old failed logins are purged (issue 11)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from litestar.testing import AsyncTestClient
from sqlalchemy import func, select

from survey.accounts.models import LoginFailure, Role
from survey.cli import main
from survey.db import utcnow
from survey.settings import load_settings
from survey.web.store import StoreEntry
from tests.factories import login, make_organisation, make_user


async def _sessions(sessionmaker: Any) -> int:
    async with sessionmaker() as check:
        count: int = await check.scalar(
            select(func.count()).select_from(StoreEntry).where(StoreEntry.namespace == "sessions")
        )
    return count


async def test_authenticated_pages_and_api_answers_are_not_cached(
    client, db, organisation, manager, manager_token
) -> None:
    answers = [
        await client.get("/api/v1/auth/me"),
        await client.get(f"/api/v1/organisations/{organisation.id}"),
        await client.get(f"/organisations/{organisation.id}"),
        await client.get("/"),
    ]
    login_answer = await client.post(
        "/api/v1/auth/login", json={"email": manager.email, "password": "wrong"}
    )
    static = await client.get("/static/vendor/htmx/htmx.min.js")

    for response in [*answers, login_answer]:
        assert response.headers["cache-control"] == "no-store", response.url
    assert "no-store" not in static.headers.get("cache-control", "")
    assert manager_token


async def test_strict_transport_security_in_production_only(
    client, settings, sessionmaker, tmp_path
) -> None:
    from survey.app import create_app

    production = load_settings(
        {
            "SURVEY_ENV": "production",
            "SURVEY_DATA_DIR": str(tmp_path / "production"),
            "SURVEY_DATABASE_URL": settings.database_url,
            "SURVEY_SECRET_KEY": "production-secret-" + "y" * 40,
            "SURVEY_PUBLIC_URL": "https://n-scan.example.org",
            "SURVEY_SMTP_HOST": "smtp.example.org",
        }
    )
    async with AsyncTestClient(
        app=create_app(production), base_url="https://testserver.local"
    ) as prod:
        secured = await prod.get("/login")

    development = await client.get("/login")

    assert secured.headers["strict-transport-security"].startswith("max-age=")
    assert "strict-transport-security" not in development.headers


async def test_an_anonymous_language_choice_is_a_cookie_not_a_session_row(
    client, db, sessionmaker
) -> None:
    user = await make_user(db, Role.MANAGER, await make_organisation(db))
    for _ in range(3):
        page = await client.get("/login?lang=fr")
        assert page.status_code == 200

    kept = await client.get("/login")

    assert await _sessions(sessionmaker) == 0
    assert "nscan_session" not in client.cookies
    assert client.cookies["nscan_lang"] == "fr"
    assert '<html lang="fr">' in kept.text
    await login(client, user)
    assert '<html lang="fr">' in (await client.get("/")).text  # kept after logging in


async def test_expired_sessions_and_old_failed_logins_are_purged(
    db, sessionmaker, settings, monkeypatch, capsys
) -> None:
    past = utcnow() - dt.timedelta(hours=2)
    db.add_all(
        [
            StoreEntry(namespace="sessions", key="expired", value=b"{}", expires_at=past),
            StoreEntry(
                namespace="sessions",
                key="current",
                value=b"{}",
                expires_at=utcnow() + dt.timedelta(hours=1),
            ),
            LoginFailure(account="a@example.org", address="10.0.0.1", failed_at=past),
            LoginFailure(account="a@example.org", address="10.0.0.1", failed_at=utcnow()),
        ]
    )
    await db.commit()
    monkeypatch.setenv("SURVEY_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("SURVEY_DATA_DIR", str(settings.data_dir))

    # the command runs its own event loop, so in a thread of its own
    assert await asyncio.to_thread(main, ["sessions", "purge"]) == 0

    assert "Removed 1 expired session(s) and 1 old failed login(s)." in capsys.readouterr().out
    async with sessionmaker() as check:
        keys = set(await check.scalars(select(StoreEntry.key)))
        failures = await check.scalar(select(func.count()).select_from(LoginFailure))
    assert keys == {"current"}
    assert failures == 1


async def test_the_app_purges_expired_sessions_at_start_up(app, db, sessionmaker) -> None:
    db.add(
        StoreEntry(
            namespace="sessions",
            key="expired",
            value=b"{}",
            expires_at=utcnow() - dt.timedelta(minutes=1),
        )
    )
    await db.commit()

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as started:
        await started.get("/login")

    assert await _sessions(sessionmaker) == 0
