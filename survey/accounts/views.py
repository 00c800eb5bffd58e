from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlsplit

from litestar import Controller, Request, Response, get, post
from litestar.params import URLEncodedBody
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect

from survey.accounts import throttle
from survey.accounts.dependencies import LoggedIn, MaybeLoggedIn
from survey.accounts.schemas import LoginRequest
from survey.accounts.service import CurrentUser, authenticate
from survey.audit.service import record
from survey.errors import Invalid, TooManyAttempts
from survey.i18n import gettext as _
from survey.mail import send_mail
from survey.settings import Settings
from survey.web.dependencies import language_cookie
from survey.web.forms import decode_form, form_values
from survey.web.input import FORM_CHECKS_NUL
from survey.web.rendering import redirect_to, render
from survey.web.security import LOGIN_FORM, drop_csrf_token, login_door, renew_csrf_token
from survey.web.sessions import renew_session_id

logger = logging.getLogger(__name__)


def safe_next(target: str | None) -> str:
    """Only local paths, so the login form cannot send people elsewhere."""
    if not target or "\x00" in target:
        return "/"
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


class AccountViews(Controller):
    include_in_schema = False

    @get("/login", name="login")
    async def login_page(self, request: HTMXRequest, current_user: MaybeLoggedIn) -> Response[Any]:
        next_target = safe_next(request.query_params.get("next"))
        if current_user is not None:
            return Redirect(path=next_target, status_code=303)
        return render(
            request, "accounts/login.html", {"next": next_target, "email": "", "error": None}
        )

    @post(
        "/login",
        guards=[login_door(*LOGIN_FORM)],
        opt={FORM_CHECKS_NUL: True},
        name="login_submit",
    )
    async def login(
        self, request: HTMXRequest, data: URLEncodedBody[dict[str, str]]
    ) -> Response[Any]:
        next_target = safe_next(data.get("next"))
        fields = form_values(data, LoginRequest, as_typed=("password",))
        context = {"next": next_target, "email": fields.get("email", "")}
        try:
            # Outside the limits of LoginRequest (blank, or far too long) is no attempt: the
            # same one message, and no failure counted.
            credentials = decode_form(fields, LoginRequest)
        except Invalid:
            credentials = None
        try:
            logged_in = (
                await attempt_login(request, credentials.email, credentials.password)
                if credentials
                else None
            )
        except TooManyAttempts as refused:
            return render(
                request,
                "accounts/login.html",
                {**context, "error": refused.detail},
                status_code=429,
                headers=refused.headers,
            )
        if logged_in is None:
            message = _("The e-mail address or password is not right.")
            return render(
                request, "accounts/login.html", {**context, "error": message}, status_code=422
            )
        return Redirect(path=next_target, status_code=303)

    @post("/logout", name="logout")
    async def logout(self, request: HTMXRequest) -> Response[Any]:
        end_session(request)
        return redirect_to(request, "home")


async def attempt_login(
    request: Request[Any, Any, Any], email: str, password: str
) -> tuple[CurrentUser, str] | None:
    """Log in when the limits allow it (else :class:`TooManyAttempts`): the user and their
    new CSRF token, or None for a wrong e-mail or password, which counts as a failure.

    Its own transaction, committed before the answer, so a failure counts even when the
    caller answers with an error.
    """
    settings: Settings = request.app.state.settings
    address = request.client.host if request.client else "unknown"
    notice = None
    token = ""
    async with request.app.state.sessionmaker() as db, db.begin():
        await throttle.check_login_allowed(
            db,
            email=email,
            address=address,
            per_address_per_minute=settings.login_attempts_per_minute,
        )
        user = await authenticate(db, email, password)
        if user is None:
            if await throttle.record_login_failure(db, email=email, address=address):
                notice = await throttle.locked_account_mail(db, email)
        else:
            token = start_session(request, user)
            record(db, actor_id=user.id, action="user.login", object_type="user", object_id=user.id)
    if notice is not None:
        try:
            await send_mail(settings, *notice)
        except Exception:
            logger.exception("Could not send the locked-account notice to %s", notice[0])
    return None if user is None else (user, token)


def start_session(request: Request[Any, Any, Any], user: LoggedIn) -> str:
    """Log the user in with a new session id and a new CSRF token (returned)."""
    language = request.session.get("lang") or language_cookie(request) or user.language
    request.clear_session()
    request.set_session({"user_id": user.id, "lang": language})
    renew_session_id(request)
    return renew_csrf_token(request)


def end_session(request: Request[Any, Any, Any]) -> None:
    request.clear_session()
    drop_csrf_token(request)
