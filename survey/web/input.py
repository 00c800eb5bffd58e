"""Input the database cannot hold is refused before any handler runs, for every route.

- An id in the path beyond :data:`~survey.db.MAX_INTEGER`, or a text in the path with a
  NUL character, names nothing that exists: 404.
- A NUL character in a query parameter or in any text of a JSON or form body: invalid
  input naming the field (PostgreSQL cannot store or compare it; SQLite would store it).
- A body that is not UTF-8, or JSON nested beyond what the decoder takes: 400.
- A body of another kind (a form, text, XML) sent to a route that takes JSON: 415, saying
  that the route takes JSON, before the body is decoded as what it is not.

The body is read once here; Litestar keeps it (and the decoded JSON or form) in the
request scope, so the handler's own decoding reuses it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType, ScopeType
from litestar.exceptions import ClientException, SerializationException
from litestar.params import BodyKwarg
from litestar.types import ASGIApp, Receive, Scope, Send

from survey.db import MAX_INTEGER
from survey.errors import Invalid, NotFound, UnsupportedContent
from survey.i18n import gettext as _

NUL = "\x00"
SAFE_METHODS = frozenset({"GET", "HEAD"})
FORM_CHECKS_NUL = "form_checks_nul"
"""A route handler option: its HTML form refuses a NUL itself, at the field (with the typed
values kept), so the guard lets its form body through (DESIGN §9: 422 at the field)."""
CHECKS_CONTENT_TYPE = "checks_content_type"
"""A route handler option: a guard of its own refuses another content type, with its own
reason and after its own checks (the login door: another site first), so this guard
leaves that to it."""


def nul_fields(value: Any, path: str = "") -> Iterator[str]:
    """The dotted names of the texts in a decoded JSON value that contain a NUL."""
    if isinstance(value, str):
        if NUL in value:
            yield path or "body"
    elif isinstance(value, dict):
        for key, inner in value.items():
            name = f"{path}.{key}" if path else str(key)
            if NUL in str(key):
                yield name
            else:
                yield from nul_fields(inner, name)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from nul_fields(inner, f"{path}.{index}" if path else str(index))


def refuse_nul_in_form(form: Any) -> None:
    """:class:`Invalid` naming each field of ``form`` (a mapping of names to texts, or a
    multi-dict) that holds a NUL: for a form whose field names are its error keys."""
    items = form.multi_items() if hasattr(form, "multi_items") else form.items()
    refuse_nul(name for name, value in items if isinstance(value, str) and NUL in value)


def refuse_nul(fields: Iterator[str]) -> None:
    names = list(dict.fromkeys(fields))
    if names:
        message = _("This contains a character that is not allowed (NUL). Remove it and try again.")
        raise Invalid(dict.fromkeys(names, message))


def check_path(request: Request[Any, Any, Any]) -> None:
    for value in request.path_params.values():
        if (isinstance(value, int) and not 0 <= value <= MAX_INTEGER) or (
            isinstance(value, str) and NUL in value
        ):
            raise NotFound()


def takes_json(handler: Any) -> bool:
    """Whether a route handler decodes its ``data`` from a JSON body (Litestar's default)."""
    if handler is None or not hasattr(handler, "parsed_fn_signature"):
        return False
    if handler.opt.get(CHECKS_CONTENT_TYPE):
        return False
    data = handler.parsed_fn_signature.parameters.get("data")
    if data is None:
        return False
    body = data.kwarg_definition
    media_type = body.media_type if isinstance(body, BodyKwarg) else RequestEncodingType.JSON
    return bool(media_type == RequestEncodingType.JSON)


def is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


async def check_body(request: Request[Any, Any, Any]) -> None:
    content_type, _options = request.content_type
    # No content type at all is read as JSON, as Litestar does.
    if (
        content_type
        and not is_json(content_type)
        and takes_json(request.scope.get("route_handler"))
    ):
        if await request.body():
            raise UnsupportedContent(
                _("Send the body as JSON, with the header Content-Type: application/json.")
            )
        return
    if content_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        # Litestar parses a multipart form from the stream without keeping the body: a
        # handler that then reads the body (a JSON route sent a form) would wait forever.
        await request.body()
        try:
            form = await request.form()
        except UnicodeDecodeError:
            raise ClientException("A field of the form is not UTF-8.") from None
        handler = request.scope.get("route_handler")
        if handler is not None and handler.opt.get(FORM_CHECKS_NUL):
            return
        refuse_nul(
            name
            for name, value in form.multi_items()
            if NUL in name
            or (isinstance(value, str) and NUL in value)
            or (isinstance(value, UploadFile) and NUL in (value.filename or ""))
        )
    elif is_json(content_type):
        if not await request.body():
            return
        try:
            value = await request.json()
        except (RecursionError, UnicodeDecodeError, SerializationException):
            raise ClientException(
                "The body is not valid JSON (or not UTF-8, or nested too deeply)."
            ) from None
        refuse_nul(nul_fields(value))


class InputGuardMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and not scope["path"].startswith("/static/"):
            request: Request[Any, Any, Any] = Request(scope, receive)
            check_path(request)
            refuse_nul(name for name, value in request.query_params.multi_items() if NUL in value)
            if request.method not in SAFE_METHODS:
                await check_body(request)
        await self.app(scope, receive, send)
