from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie
from litestar.middleware.csrf import generate_csrf_token
from litestar.params import JSONBody

from survey.accounts.schemas import LoginRequest, LoginResponse, MembershipRead, MeRead
from survey.accounts.service import authenticate
from survey.accounts.views import start_session
from survey.audit.service import record
from survey.errors import NotAuthenticated
from survey.settings import Settings
from survey.web.dependencies import Db, LoggedIn


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

    @post("/login", status_code=200)
    async def login(
        self, request: Request[Any, Any, Any], db: Db, data: JSONBody[LoginRequest]
    ) -> Response[LoginResponse]:
        """Log in with e-mail and password; sets the session cookie and a CSRF cookie.

        Send the returned `csrf_token` in the `x-csrftoken` header on every
        state-changing call.
        """
        user = await authenticate(db, data.email, data.password)
        if user is None:
            raise NotAuthenticated("The e-mail address or password is not right.")
        start_session(request, user)
        record(db, actor_id=user.id, action="user.login", object_type="user", object_id=user.id)
        settings: Settings = request.app.state.settings
        csrf_config = request.app.csrf_config
        assert csrf_config is not None
        token = request.cookies.get(csrf_config.cookie_name) or generate_csrf_token(
            csrf_config.secret
        )
        return Response(
            LoginResponse(user=me_read(user), csrf_token=token),
            cookies=[
                Cookie(
                    key=csrf_config.cookie_name,
                    value=token,
                    secure=settings.secure_cookies,
                    samesite="lax",
                    path="/",
                )
            ],
        )

    @post("/logout", status_code=204)
    async def logout(self, request: Request[Any, Any, Any], user: LoggedIn) -> None:
        request.clear_session()

    @get("/me")
    async def me(self, user: LoggedIn) -> MeRead:
        """The caller: name, language, roles and memberships."""
        return me_read(user)
