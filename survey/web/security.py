"""Security headers on every response, including error pages."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any
from urllib.parse import urlsplit

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import PermissionDeniedException
from litestar.handlers import BaseRouteHandler
from litestar.middleware.csrf import generate_csrf_token
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE
from litestar.types import ASGIApp, Guard, Message, Receive, Scope, Send

from survey.errors import DomainError, Forbidden
from survey.i18n import N_
from survey.i18n import gettext as _

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}


# Two years, as the HSTS preload list asks; only sent in production (served over HTTPS).
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"


class SecurityHeadersMiddleware:
    """Security headers, and ``Cache-Control: no-store`` on everything but static files:
    pages and API answers carry personal answers, scores and the CSRF token."""

    def __init__(self, app: ASGIApp, strict_transport: bool = False) -> None:
        self.app = app
        self.headers = dict(SECURITY_HEADERS)
        if strict_transport:
            self.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        cacheable = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for name, value in self.headers.items():
                    if name not in headers:
                        headers[name] = value
                if not cacheable and "Cache-Control" not in headers:
                    headers["Cache-Control"] = "no-store"
            await send(message)

        await self.app(scope, receive, send_with_headers)


# --- The CSRF token bound to the session -------------------------------------------------
#
# Litestar's CSRF middleware checks that the token sent matches the CSRF cookie (stateless
# double submit). A logged-in session also keeps a digest of its own token, so a token
# pair taken from another session, or planted in the browser, is refused; the token is
# renewed at login and dropped at logout.

CSRF_SESSION_KEY = "csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NEW_CSRF_TOKEN = "survey.new_csrf_token"  # noqa: S105 (a scope key, not a secret)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _csrf_config(connection: ASGIConnection[Any, Any, Any, Any]) -> CSRFConfig:
    config: CSRFConfig | None = connection.app.csrf_config
    assert config is not None, "the app has a CSRF config"
    return config


def renew_csrf_token(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """A fresh CSRF token, bound to the session and sent as the cookie with the response."""
    token = generate_csrf_token(_csrf_config(connection).secret)
    connection.session[CSRF_SESSION_KEY] = _digest(token)
    connection.scope[_NEW_CSRF_TOKEN] = token  # type: ignore[literal-required]
    return token


def drop_csrf_token(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Remove the CSRF cookie with the response (at logout); the next page gets a new one."""
    connection.scope[_NEW_CSRF_TOKEN] = ""  # type: ignore[literal-required]


class SessionCsrfMiddleware:
    """Beside Litestar's CSRF check: a logged-in session takes only its own token.

    A state-changing call whose CSRF cookie is not the session's is refused (403). A page
    load that brings another token (a deleted or planted cookie, a session from before this
    rule) gets a fresh token bound to the session instead, so forms keep working.
    """

    def __init__(self, app: ASGIApp, exclude: tuple[str, ...] = ()) -> None:
        self.app = app
        self.exclude = exclude

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = Request(scope, receive)
        session = request.session if "session" in scope else {}
        if session.get("user_id") is not None and not scope["path"].startswith(self.exclude):
            config = _csrf_config(request)
            cookie = request.cookies.get(config.cookie_name)
            bound = session.get(CSRF_SESSION_KEY)
            if not (cookie and bound and hmac.compare_digest(_digest(cookie), bound)):
                if scope["method"] in UNSAFE_METHODS:
                    raise PermissionDeniedException("CSRF token verification failed")
                # Litestar's middleware reads the cookies parsed here: it takes the new token.
                request.cookies[config.cookie_name] = renew_csrf_token(request)
        await self.app(scope, receive, self._send_new_cookie(request, send))

    @staticmethod
    def _send_new_cookie(request: Request[Any, Any, Any], send: Send) -> Send:
        scope = request.scope

        async def send_with_cookie(message: Message) -> None:
            token: str | None = scope.get(_NEW_CSRF_TOKEN)  # type: ignore[assignment]
            if message["type"] == "http.response.start" and token is not None:
                config = _csrf_config(request)
                cookie = Cookie(
                    key=config.cookie_name,
                    value=token,
                    path=config.cookie_path,
                    secure=config.cookie_secure,
                    httponly=config.cookie_httponly,
                    samesite=config.cookie_samesite,
                    domain=config.cookie_domain,
                    max_age=None if token else 0,
                    expires=None if token else 0,
                )
                MutableScopeHeaders.from_message(message).add(
                    "set-cookie", cookie.to_header(header="")
                )
            await send(message)

        return send_with_cookie


# --- Logins only from this site -----------------------------------------------------------

JSON_ONLY = ("application/json",)
LOGIN_FORM = ("application/x-www-form-urlencoded", "multipart/form-data")


def _is_cross_site(connection: ASGIConnection[Any, Any, Any, Any]) -> bool:
    if connection.headers.get("sec-fetch-site", "").lower() == "cross-site":
        return True
    origin = connection.headers.get("origin")
    if origin is None:
        return False  # not a browser, or an old one: the content type rule still holds
    public_url: str = connection.app.state.settings.public_url
    host = connection.headers.get("host", "")
    return not (
        (public_url and origin.rstrip("/") == public_url) or urlsplit(origin).netloc == host
    )


class LoginContentRefused(DomainError):
    """A login in a content type the door does not take; its detail says which it takes."""

    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE
    title = N_("Something in the request is not right")


def login_door(*content_types: str) -> Guard:
    """A guard for a login handler (exempt from the CSRF token, DESIGN §9): the request must
    come from this site and have one of ``content_types``, else 403 or 415."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
        if _is_cross_site(connection):
            # Domain errors, so the reason reaches the person in their language.
            raise Forbidden(_("Logging in from another site is not allowed."))
        media_type = connection.headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type not in content_types:
            raise LoginContentRefused(
                _("Send the login as %(types)s.", types=" or ".join(content_types))
            )

    return guard
