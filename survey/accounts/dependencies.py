"""The caller of a request: loaded from the session once per request, given to handlers.

``load_caller`` is passed by the app to the request context middleware of ``survey.web``
(which knows no domain); handlers take ``user: LoggedIn`` or ``current_user: MaybeLoggedIn``.
"""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.service import CurrentUser, load_current_user, set_language
from survey.web.dependencies import request_caller, require_caller


async def load_caller(
    request: Request[Any, Any, Any], chosen: str | None, db: AsyncSession
) -> CurrentUser | None:
    """The logged-in user of the session, read in ``db`` (read-only), or None (a stale
    session is cleared). A language chosen with ``?lang=`` is remembered in the session and
    on the user, in a write transaction of its own: the GET that changes it writes."""
    session = request.session
    user_id = session.get("user_id")
    if user_id is None:
        return None
    user = await load_current_user(db, int(user_id))
    if user is None:
        session.clear()
    elif chosen:
        session["lang"] = chosen
        async with request.app.state.sessionmaker() as write, write.begin():
            await set_language(write, user.id, chosen)
    return user


def provide_current_user(request: Request[Any, Any, Any]) -> CurrentUser | None:
    user: CurrentUser | None = request_caller(request)
    return user


def provide_user(request: Request[Any, Any, Any]) -> CurrentUser:
    user: CurrentUser = require_caller(request)
    return user


# Handler parameter types: the name of the parameter picks the dependency.
LoggedIn = NamedDependency[CurrentUser]
MaybeLoggedIn = NamedDependency[CurrentUser | None]
