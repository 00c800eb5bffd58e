"""Server-side sessions: renewed id at login, and no writes for empty or unchanged sessions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import (
    ServerSideSessionBackend,
    ServerSideSessionConfig,
)
from litestar.types import Empty, Message, ScopeSession

_RENEW_FLAG = "survey.renew_session"
_NEW_ID = "survey.new_session_id"
_LOADED = "survey.loaded_session"


def renew_session_id(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """Ask for a fresh session id when the response is sent; the old id stops working."""
    connection.scope[_RENEW_FLAG] = True  # type: ignore[literal-required]


class RenewingSessionBackend(ServerSideSessionBackend):
    def get_session_id(self, connection: ASGIConnection[Any, Any, Any, Any]) -> str:
        new_id: str | None = connection.scope.get(_NEW_ID)  # type: ignore[assignment]
        return new_id or super().get_session_id(connection)

    async def load_from_connection(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> dict[str, Any]:
        data = await super().load_from_connection(connection)
        connection.scope[_LOADED] = dict(data)  # type: ignore[literal-required]
        return data

    async def store_in_message(
        self,
        scope_session: ScopeSession,
        message: Message,
        connection: ASGIConnection[Any, Any, Any, Any],
    ) -> None:
        scope = connection.scope
        had_cookie = bool(connection.cookies.get(self.config.key))
        renew = bool(scope.get(_RENEW_FLAG))
        if not renew and scope_session is not Empty:
            if not scope_session and not had_cookie:
                return  # an anonymous visitor with nothing to keep: no row, no cookie
            if had_cookie and scope_session == scope.get(_LOADED):
                return  # unchanged
        if not scope_session and had_cookie:
            scope_session = Empty
        if renew and not scope.get(_NEW_ID):
            old_id = connection.cookies.get(self.config.key)
            if old_id:
                await self.delete(old_id, store=self.config.get_store_from_app(scope["app"]))
            scope[_NEW_ID] = self.generate_session_id()  # type: ignore[literal-required]
        await super().store_in_message(scope_session, message, connection)


@dataclass
class RenewingSessionConfig(ServerSideSessionConfig):
    _backend_class = RenewingSessionBackend
