from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, get, post
from litestar.params import URLEncodedBody
from litestar.response import Redirect

from survey.accounts.service import authenticate
from survey.audit.service import record
from survey.i18n import gettext as _
from survey.web.dependencies import Db, LoggedIn, MaybeLoggedIn
from survey.web.rendering import render
from survey.web.sessions import renew_session_id


def safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot send people elsewhere."""
    if not target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


class AccountViews(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_page(
        self, request: Request[Any, Any, Any], current_user: MaybeLoggedIn
    ) -> Response[Any]:
        next_target = safe_next(request.query_params.get("next"))
        if current_user is not None:
            return Redirect(path=next_target, status_code=303)
        return render(
            request, "accounts/login.html", {"next": next_target, "email": "", "error": None}
        )

    @post("/login")
    async def login(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        data: URLEncodedBody[dict[str, str]],
    ) -> Response[Any]:
        email = (data.get("email") or "").strip()
        password = data.get("password") or ""
        next_target = safe_next(data.get("next"))
        user = await authenticate(db, email, password) if email and password else None
        if user is None:
            message = _("The e-mail address or password is not right.")
            return render(
                request,
                "accounts/login.html",
                {"next": next_target, "email": email, "error": message},
                status_code=422,
            )
        start_session(request, user)
        record(db, actor_id=user.id, action="user.login", object_type="user", object_id=user.id)
        return Redirect(path=next_target, status_code=303)

    @post("/logout", name="logout")
    async def logout(self, request: Request[Any, Any, Any]) -> Response[Any]:
        request.clear_session()
        return Redirect(path="/", status_code=303)


def start_session(request: Request[Any, Any, Any], user: LoggedIn) -> None:
    language = request.session.get("lang") or user.language
    request.clear_session()
    request.set_session({"user_id": user.id, "lang": language})
    renew_session_id(request)
