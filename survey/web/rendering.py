"""Jinja2 rendering with per-request translations, the CSRF token and htmx fragments.

A page template names its swappable parts as blocks; an htmx request can get just
one block of the same template, so fragments live next to their page.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context
from litestar import MediaType, Request, Response
from litestar.background_tasks import BackgroundTask, BackgroundTasks
from litestar.plugins.htmx import ClientRedirect, HTMXRequest
from litestar.response import Redirect
from litestar.template.base import url_for
from litestar.utils.scope.state import ScopeState

from survey import i18n
from survey.settings import PROJECT_ROOT, Settings

TEMPLATE_DIR = PROJECT_ROOT / "templates"

EnvironmentSetup = Callable[[Environment], None]
_setups: list[EnvironmentSetup] = []


def add_environment_setup(setup: EnvironmentSetup) -> None:
    """Run ``setup`` on every template environment: the app registers the filters and
    globals that need a domain or a scoring core this way, so rendering imports neither
    (idempotent, like connecting listeners)."""
    if setup not in _setups:
        _setups.append(setup)


STATE_LABELS = {
    "draft": i18n.N_("In progress"),
    "submitted": i18n.N_("Submitted"),
    "reopened": i18n.N_("Reopened"),
}


def state_label(state: str) -> str:
    return i18n.gettext(STATE_LABELS.get(state, state))


@cache
def at_render_time(format_value: Callable[..., str]) -> Callable[..., str]:
    """A filter that formats in the language of the request rendering the page. Jinja folds
    a plain filter on a constant (``60|percent``) once, when it compiles the template, in
    the language of whichever request came first; a filter that takes the context is not
    folded."""

    @pass_context
    def per_request(_context: Context, value: Any, *args: Any) -> str:
        return format_value(value, *args)

    return per_request


@cache
def environment(auto_reload: bool = False) -> Environment:
    """The template environment, built once per process (and per ``auto_reload``): each
    template is compiled on first use and kept. ``auto_reload`` (development only) checks
    the template files for changes on every use."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        auto_reload=auto_reload,
        cache_size=-1,
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda message: i18n.translations(i18n.current_language()).ugettext(message),
        lambda s, p, n: i18n.translations(i18n.current_language()).ungettext(s, p, n),
        newstyle=True,
    )
    env.filters["datetime"] = at_render_time(i18n.format_datetime)
    env.filters["date"] = at_render_time(i18n.format_date)
    env.filters["colon"] = at_render_time(i18n.with_colon)
    env.filters["quoted"] = at_render_time(i18n.quoted)
    env.globals["LANGUAGE_NAMES"] = i18n.LANGUAGE_NAMES
    env.globals["state_label"] = state_label
    # Routes by name: url_for("assessment", assessment_id=7); static files through their
    # router's name: url_for("static", file_path="app.css").
    env.globals["url_for"] = pass_context(url_for)
    for setup in _setups:
        setup(env)
    return env


def environment_of(settings: Settings) -> Environment:
    """The template environment the app with ``settings`` renders with."""
    return environment(auto_reload=settings.env == "development")


def compile_every_template(settings: Settings) -> int:
    """Compile every template now (at start-up), so that no request compiles one: a first
    result page spent 0.4-0.75 s compiling its templates, the worker serving nothing else
    meanwhile. How many were compiled (none in development, where a template is read
    again when its file changes)."""
    env = environment_of(settings)
    if env.auto_reload:
        return 0
    names = env.list_templates(extensions=["html"])
    for name in names:
        env.get_template(name)
    return len(names)


def csrf_token(request: Request[Any, Any, Any]) -> str:
    token = ScopeState.from_scope(request.scope).csrf_token
    return token if isinstance(token, str) else ""


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    return {
        "request": request,
        "lang": i18n.current_language(),
        "languages": i18n.LANGUAGES,
        "csrf_token": csrf_token(request),
        "current_user": getattr(request.state, "user", None),
        "path": request.url.path,
        "route_name": getattr(request.scope.get("route_handler"), "name", None),
        "query": request.url.query,
    }


def render_string(
    request: Request[Any, Any, Any],
    template_name: str,
    context: dict[str, Any],
    block: str | None = None,
) -> str:
    settings = request.app.state.settings
    template = environment_of(settings).get_template(template_name)
    full_context = {**base_context(request), **context}
    if block is None:
        # A one-time message is taken from the session only by a whole page, never a fragment.
        session = request.session if "session" in request.scope else {}
        full_context["flash"] = session.pop("flash", None)
        full_context["flash_problem"] = session.pop("flash_problem", None)
        return template.render(full_context)
    block_render = template.blocks[block]
    return "".join(block_render(template.new_context(full_context)))


def render(
    request: Request[Any, Any, Any],
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response[str]:
    """Render a page, or only ``block`` of it (htmx requests pass the block they swap)."""
    html = render_string(request, template_name, context or {}, block)
    response_headers = {"Vary": "HX-Request", **(headers or {})}
    return Response(
        content=html, status_code=status_code, media_type=MediaType.HTML, headers=response_headers
    )


def page_or_block(
    request: HTMXRequest,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str = "main",
    status_code: int = 200,
) -> Response[Any]:
    """The whole page, or just ``block`` when htmx asks for it."""
    return render(
        request,
        template_name,
        context,
        status_code=status_code,
        block=block if request.htmx else None,
    )


def redirect(
    request: HTMXRequest,
    path: str,
    *,
    background: BackgroundTask | BackgroundTasks | None = None,
) -> Response[Any]:
    """After a form: "see other" for a browser, a client-side redirect for htmx (which would
    otherwise follow a 303 itself and swap the next page into the form). ``background`` runs
    after the response (and so after the request's transaction is committed)."""
    response: Response[Any] = Redirect(path=path, status_code=303)
    if request.htmx:
        response = ClientRedirect(path)
        # ClientRedirect leaves the status to the route (201 after a POST); htmx wants 200.
        response.status_code = 200
    response.background = background
    return response


def redirect_to(
    request: HTMXRequest,
    route_name: str,
    /,
    *,
    background: BackgroundTask | BackgroundTasks | None = None,
    **path_parameters: Any,
) -> Response[Any]:
    """:func:`redirect` to a route by its name: ``redirect_to(request, "assessment", assessment_id=7)``."""
    path = request.app.route_reverse(route_name, **path_parameters)
    return redirect(request, path, background=background)
