from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import JSONBody

from survey.accounts.dependencies import LoggedIn
from survey.accounts.schemas import LoginRequest, LoginResponse, MembershipRead, MeRead
from survey.accounts.views import attempt_login, end_session
from survey.errors import NotAuthenticated
from survey.web.input import CHECKS_CONTENT_TYPE
from survey.web.security import JSON_ONLY, login_door


def me_read(user: LoggedIn) -> MeRead:
    return MeRead(
        id=user.id,
        email=user.email,
        name=user.name,
        language=user.language,
        roles=user.roles,
        organisation_ids=user.organisation_ids,
        memberships=[
            MembershipRead(
                role=role.value,
                organisation_id=organisation_id,
                provider=provider.value if provider else None,
            )
            for role, organisation_id, provider in user.memberships
        ],
    )


class AuthApi(Controller):
    path = "/api/v1/auth"
    tags = ["auth"]

    @post(
        "/login",
        status_code=200,
        guards=[login_door(*JSON_ONLY)],
        opt={CHECKS_CONTENT_TYPE: True},
        name="api_accounts_login",
    )
    async def login(
        self, request: Request[Any, Any, Any], data: JSONBody[LoginRequest]
    ) -> LoginResponse:
        """Log in with e-mail and password (JSON only, from this site); sets the session
        cookie and a new CSRF cookie.

        Send the returned `csrf_token` in the `x-csrftoken` header on every
        state-changing call. Failed logins are limited per address and per account
        (429 with `Retry-After`).
        """
        logged_in = await attempt_login(request, data.email, data.password)
        if logged_in is None:
            raise NotAuthenticated("The e-mail address or password is not right.")
        user, token = logged_in
        return LoginResponse(user=me_read(user), csrf_token=token)

    @post("/logout", status_code=204, name="api_accounts_logout")
    async def logout(self, request: Request[Any, Any, Any], user: LoggedIn) -> None:
        end_session(request)

    @get("/me", name="api_accounts_me")
    async def me(self, user: LoggedIn) -> MeRead:
        """The caller: name, language, roles and memberships."""
        return me_read(user)
