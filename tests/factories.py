"""Test data factories: organisations, users with roles, rounds, logged-in clients."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from survey.accounts.models import Membership, Provider, Role, User
from survey.accounts.passwords import hash_password
from survey.organisations.models import Organisation
from survey.organisations.reference import enterprise_number_from_base
from survey.rounds.models import Round

PASSWORD = "correct horse battery"
_PASSWORD_HASH = hash_password(PASSWORD)
_counter = itertools.count(1)


async def make_organisation(db: Any, **overrides: Any) -> Organisation:
    n = next(_counter)
    values: dict[str, Any] = {
        "name": f"Organisation {n}",
        "enterprise_number": enterprise_number_from_base(4_000_000 + n),
        "sector": "youth-work",
        "size_band": "10-49",
        "municipality": "21004",
        "funded_by_vgc": True,
        **overrides,
    }
    organisation = Organisation(**values)
    db.add(organisation)
    await db.commit()
    return organisation


async def make_user(
    db: Any,
    role: Role = Role.MANAGER,
    organisation: Organisation | None = None,
    provider: Provider | None = None,
    email: str | None = None,
    language: str = "nl",
) -> User:
    n = next(_counter)
    user = User(
        email=email or f"user{n}@example.org",
        name=f"User {n}",
        password_hash=_PASSWORD_HASH,
        language=language,
    )
    user.memberships = [
        Membership(
            role=role, organisation_id=organisation.id if organisation else None, provider=provider
        )
    ]
    db.add(user)
    await db.commit()
    return user


async def make_round(db: Any, name: str = "2026", state: str = "open") -> Round:
    today = dt.datetime.now(dt.UTC).date()
    if state == "open":
        opens, closes = today - dt.timedelta(days=30), today + dt.timedelta(days=30)
    elif state == "closed":
        opens, closes = today - dt.timedelta(days=400), today - dt.timedelta(days=40)
    else:
        opens, closes = today + dt.timedelta(days=10), today + dt.timedelta(days=60)
    round_ = Round(name=name, opens_on=opens, closes_on=closes)
    db.add(round_)
    await db.commit()
    return round_


async def csrf_token(client: Any) -> str:
    """Visit a page so the CSRF cookie is set, and return its token."""
    if "nscan_csrf" not in client.cookies:
        await client.get("/login")
    token: str = client.cookies["nscan_csrf"]
    return token


async def post_form(
    client: Any, path: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """Post a form as the browser does: with the session's CSRF token among its fields."""
    token = await csrf_token(client)
    return await client.post(path, data={**(data or {}), "_csrf_token": token}, **kwargs)


async def login(client: Any, user: User, password: str = PASSWORD) -> Any:
    token = await csrf_token(client)
    return await client.post(
        "/login",
        data={"email": user.email, "password": password, "_csrf_token": token, "next": "/"},
    )


async def api_login(client: Any, user: User, password: str = PASSWORD) -> str:
    response = await client.post(
        "/api/v1/auth/login", json={"email": user.email, "password": password}
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token
