"""Bearer tokens reach their own routes only (DESIGN §9: a read-only API token reaches the
network indicators; every other route answers 401 to it, whatever cookies come along)."""

from __future__ import annotations

from litestar.enums import ScopeType
from litestar.types import ASGIApp, Receive, Scope, Send

from survey.errors import NotAuthenticated
from survey.i18n import gettext as _


class BearerScopeMiddleware:
    """A request with an ``Authorization: Bearer`` header to a path outside ``allowed``
    (exact paths) is refused with 401 before any handler runs."""

    def __init__(self, app: ASGIApp, allowed: tuple[str, ...] = ()) -> None:
        self.app = app
        self.allowed = frozenset(path.rstrip("/") for path in allowed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP and scope["path"].rstrip("/") not in self.allowed:
            for name, value in scope["headers"]:
                if name.lower() == b"authorization" and value[:7].lower() == b"bearer ":
                    raise NotAuthenticated(_("An API token reaches the network indicators only."))
        await self.app(scope, receive, send)
