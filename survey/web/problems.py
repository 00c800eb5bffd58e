"""The one place that maps the domain's errors (``survey.errors``) and framework errors
to responses.

API paths (``/api/``) get problem-details JSON (RFC 9457); HTML paths get an error
page, or just its main block when htmx asked. Not logged in on an HTML page
redirects to the login page.
"""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import quote

import msgspec
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    PermissionDeniedException,
    TooManyRequestsException,
    ValidationException,
)
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from litestar.types import Empty, ExceptionHandlersMap
from litestar.utils.scope.state import ScopeState

from survey.errors import (
    PREPARED_KEY,
    DomainError,
    Invalid,
    NotAuthenticated,
    TooManyAttempts,
)
from survey.i18n import LANGUAGES, N_, negotiate_language, set_language
from survey.i18n import gettext as _
from survey.web.forms import NUMBER_PROBLEM, number_problem
from survey.web.rendering import render

logger = logging.getLogger("survey")


def is_api(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/")


def _problem(status: int, title: str, detail: str | None, **extra: Any) -> Response[Any]:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body.update(extra)
    return Response(content=body, status_code=status, media_type="application/problem+json")


def _status_texts(status: int) -> tuple[str, str]:
    texts = {
        400: (
            _("Something in the request is not right"),
            _("Check what you entered and try again."),
        ),
        401: (_("Please log in"), _("You need to log in to see this page.")),
        403: (
            _("You cannot do this"),
            _(
                "Your account is not allowed to do this, or the form expired. Reload the page and try again."
            ),
        ),
        404: (_("Page not found"), _("This page does not exist, or you do not have access to it.")),
        405: (_("Something in the request is not right"), _("This action is not available here.")),
        409: (_("This changed in the meantime"), _("Reload the page to see the current state.")),
        415: (
            _("Something in the request is not right"),
            _("This kind of content is not accepted here."),
        ),
        422: (
            _("Something in the request is not right"),
            _("Check what you entered and try again."),
        ),
        429: (_("Too many attempts"), _("Wait a minute and try again.")),
    }
    return texts.get(
        status, (_("Something went wrong"), _("Please try again later. We have been notified."))
    )


def _unprepared_language(request: Request[Any, Any, Any]) -> None:
    """No route matched, so no middleware ran: only the address and the browser tell the
    language (the same order as for a matched route, without the session)."""
    if PREPARED_KEY in request.scope:
        return
    request.state.user = None
    chosen = request.query_params.get("lang")
    set_language(
        chosen
        if chosen in LANGUAGES
        else negotiate_language(request.headers.get("accept-language"))
    )


def _html_error(
    request: Request[Any, Any, Any],
    status: int,
    message: str | None = None,
    own_title: str | None = None,
) -> Response[Any]:
    _unprepared_language(request)

    title, text = _status_texts(status)
    title = own_title or title
    return render(
        request,
        "errors/error.html",
        {"title": title, "text": message or text, "status": status},
        status_code=status,
        block="main" if _from_htmx(request) else None,
    )


def _from_htmx(request: Request[Any, Any, Any]) -> bool:
    # The app's request class is HTMXRequest, so every handler, this mapper included, gets one.
    return isinstance(request, HTMXRequest) and bool(request.htmx)


def _login_redirect(request: Request[Any, Any, Any]) -> Response[Any]:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    login = f"{request.app.route_reverse('login')}?next={quote(target)}"
    if _from_htmx(request):
        response = ClientRedirect(login)
        response.status_code = 401
        return response
    return Redirect(path=login, status_code=303)


def handle_domain_error(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    headers = exc.headers if isinstance(exc, TooManyAttempts) else {}
    if is_api(request):
        detail = exc.detail or _status_texts(exc.status_code)[1]
        response = _problem(exc.status_code, exc.own_title or _(exc.title), detail, **exc.extra)
    elif isinstance(exc, NotAuthenticated):
        return _login_redirect(request)
    else:
        # A form's invalid input that no form of its own re-rendered is still 422 (DESIGN §9).
        status = 422 if isinstance(exc, Invalid) else exc.status_code
        response = _html_error(request, status, exc.detail, exc.own_title)
    response.headers.update(headers)
    return response


_MSGSPEC_FIELD = re.compile(r"field `(\w+)`|at `\$\.(\w+)")
# msgspec's English messages, in the order they are tried, and what the person reads.
_MSGSPEC_MESSAGES = (
    (re.compile(r"missing required field|of length >= 1\b"), N_("Fill this in.")),
    (re.compile(r"unknown field"), N_("This field is not accepted here.")),
    (re.compile(r"of length <="), N_("This is too long.")),
    (re.compile(r"of length >="), N_("This is too short.")),
    (re.compile(r"Invalid enum value"), N_("Choose one of the values offered.")),
    (re.compile(r"Expected `(int|float|number)` >"), N_("This number is too small.")),
    (re.compile(r"Expected `(int|float|number)` <"), N_("This number is too large.")),
)


def _field_message(message: str) -> str:
    """msgspec's message in the person's language (the field's name says where)."""
    for pattern, text in _MSGSPEC_MESSAGES:
        if pattern.search(message):
            return _(text)
    return _("This is not the right kind of value.")


def _number_in_body(request: Request[Any, Any, Any]) -> str | None:
    """The message with the range of the body's number field that got something else.

    Litestar's message names neither the range nor, in a list, the field; the body it
    decoded (kept on the request) is converted again to find both in the handler's type."""
    data = request.route_handler.parsed_data_field
    body = ScopeState.from_scope(request.scope).json
    if data is None or body is Empty:
        return None
    try:
        msgspec.convert(body, data.annotation, strict=False)
    except msgspec.ValidationError as error:
        return number_problem(error, data.annotation)
    except TypeError:  # a type msgspec does not describe: the plain message will do
        return None
    return None


def _field_errors(raw: Any, request: Request[Any, Any, Any]) -> Any:
    """Litestar's request-validation details as the same {field: message} map as ours."""
    if not isinstance(raw, list):
        return raw
    fields: dict[str, str] = {}
    for entry in raw:
        if isinstance(entry, dict) and entry.get("message"):
            message = str(entry["message"])
            named = _MSGSPEC_FIELD.search(message)
            key = named.group(1) or named.group(2) if named else str(entry.get("key") or "body")
            number = (
                _number_in_body(request)
                if entry.get("source") == "body" and NUMBER_PROBLEM.match(message)
                else None
            )
            fields[key] = number or _field_message(message)
    return fields or raw


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if is_api(request):
        _unprepared_language(request)
        extra: dict[str, Any] = {}
        if isinstance(exc, ValidationException) and exc.extra:
            extra["errors"] = _field_errors(exc.extra, request)
        # The framework's own details are English; the person reads their language.
        title, detail = _status_texts(status)
        if isinstance(exc, PermissionDeniedException) and "CSRF" in (exc.detail or ""):
            detail = _("CSRF token missing or wrong: send it in the x-csrftoken header.")
        headers = getattr(exc, "headers", None) or {}
        response = _problem(status, title, detail, **extra)
        response.headers.update(headers)
        return response
    if isinstance(exc, NotAuthorizedException):
        return _login_redirect(request)
    if isinstance(exc, TooManyRequestsException):
        return _html_error(request, 429)
    return _html_error(request, status)


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("Unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    if is_api(request):
        return _problem(
            HTTP_500_INTERNAL_SERVER_ERROR, *_status_texts(HTTP_500_INTERNAL_SERVER_ERROR)
        )
    try:
        return _html_error(request, HTTP_500_INTERNAL_SERVER_ERROR)
    except Exception:  # the error page itself failed; answer plainly
        return Response(content="Internal server error", status_code=500, media_type=MediaType.TEXT)


EXCEPTION_HANDLERS: ExceptionHandlersMap = {
    DomainError: handle_domain_error,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}
