"""Per-request plumbing: the database session, the caller, the language.

The base knows no domain: who the caller is comes from a loader that the app passes to
:class:`RequestContextMiddleware` (``survey.accounts.dependencies.load_caller``).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from contextvars import ContextVar
from typing import Any, Protocol

from litestar import Request
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.di import NamedDependency
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from sqlalchemy.ext.asyncio import AsyncSession

from survey import events, i18n
from survey.db import WriterTurns
from survey.errors import PREPARED_KEY, NotAuthenticated

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ_SESSION = "survey.read_session"
_OPEN_READ_SESSION = "survey.open_read_session"

BRIEF_WRITES = "brief_writes"
"""Route option (``opt={BRIEF_WRITES: True}``) of a POST or PUT that reads in the request's
read-only transaction and writes in a short transaction of its own, opened with
:class:`Writer` (an autosave): it holds SQLite's write lock, or PostgreSQL's row locks, for
a statement or two instead of for the whole request."""


def writes(scope: Scope) -> bool:
    """Whether the request's ``db`` may write: every method but GET and HEAD (unless the
    route writes briefly, see :data:`BRIEF_WRITES`), and the few GETs that must write (an
    audited view, a lazy refresh), which say so on their route with ``opt={"writes": True}``."""
    handler = scope.get("route_handler")
    if scope.get("method") not in READ_METHODS:
        return not (handler is not None and handler.opt.get(BRIEF_WRITES))
    return bool(handler is not None and handler.opt.get("writes"))


@asynccontextmanager
async def _writing(state: Any) -> AsyncIterator[AsyncSession]:
    turns: WriterTurns | None = state.get("writer_turns")
    async with (
        turns.turn() if turns else nullcontext(),
        state.sessionmaker() as db,
        db.begin(),
    ):
        yield db


@asynccontextmanager
async def write_transaction(state: Any) -> AsyncIterator[AsyncSession]:
    """A transaction that may write, begun when it is its turn among the writers (SQLite:
    :class:`survey.db.WriterTurns`, and ``BEGIN IMMEDIATE``); committed at the end of the
    block, rolled back on error.

    What its events' listeners do after the commit (:func:`survey.events.run_after_commit`:
    the peer figures after a submit) runs once the transaction committed and the turn
    was given back, before the block returns: in the request, so its response and the
    next page already show it, but with no other writer waiting on it."""
    async with _writing(state) as db:
        events.defer_after_commit(db)
        yield db
    await events.run_after_commit(db, RequestSessions(state))


class RequestSessions:
    """:class:`survey.events.Sessions` on the app's session makers: ``read`` a read-only
    transaction (no lock on SQLite), ``write`` a transaction in its turn among the writers."""

    def __init__(self, state: Any) -> None:
        self._state = state

    @property
    def database(self) -> object:
        return self._state.read_sessionmaker

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        async with self._state.read_sessionmaker() as db, db.begin():
            yield db

    def write(self) -> AbstractAsyncContextManager[AsyncSession]:
        return _writing(self._state)


async def provide_db(request: Request[Any, Any, Any]) -> AsyncGenerator[AsyncSession, None]:
    """One transaction per request: committed when the handler returns, rolled back on error.

    A reading request (see :func:`writes`) continues the read-only transaction its session
    entry and its caller were read in, which takes no lock on SQLite and refuses any write;
    a writing one gets a transaction that holds SQLite's write lock from its start
    (``BEGIN IMMEDIATE``), begun when it is its turn among the writers
    (:class:`survey.db.WriterTurns`)."""
    read_session: AsyncSession | None = request.scope.pop(_READ_SESSION, None)  # type: ignore[misc]
    if read_session is not None and not writes(request.scope):
        async with read_session:
            yield read_session
        return
    async with write_transaction(request.app.state) as db:
        yield db


class Writer:
    """The short write transactions of a route with :data:`BRIEF_WRITES`.

    ``async with writer.transaction() as db:`` first ends the request's read-only
    transaction (``read``: its objects stay usable, its connection goes back to the pool),
    then waits for its turn and writes; a check that must hold when the write happens is
    made again inside (the answer's revision, the assessment still open)."""

    def __init__(self, state: Any, read: AsyncSession) -> None:
        self._state = state
        self._read = read

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        await self._read.commit()  # read-only: ends the snapshot, expires nothing
        async with write_transaction(self._state) as db:
            yield db

    @asynccontextmanager
    async def single_statement(self) -> AsyncIterator[AsyncSession]:
        """A session for one statement that checks what it depends on and writes, at once
        (see :func:`survey.db.create_sessionmaker`): on SQLite it commits by itself, so
        its turn among the writers lasts that statement only (the turns keep the writers
        in order: SQLite's own busy waiting is not fair and let one wait seconds)."""
        await self._read.commit()
        turns: WriterTurns | None = self._state.get("writer_turns")
        async with (
            self._state.single_statement_sessionmaker() as db,
            db.begin(),
            turns.turn() if turns else nullcontext(),  # given back before the commit call
        ):
            yield db


def provide_writer(request: Request[Any, Any, Any], db: Db) -> Writer:
    return Writer(request.app.state, db)


class Caller(Protocol):
    """What the request context needs to know of the logged-in caller."""

    @property
    def language(self) -> str: ...


# Loads the caller named by the session (None: anonymous, or a session that outlived its
# user) in the given read-only session; ``chosen`` is a language picked with ``?lang=``, to
# remember for a logged-in caller (in a write transaction of its own).
CallerLoader = Callable[
    [Request[Any, Any, Any], "str | None", AsyncSession], Awaitable["Caller | None"]
]


def request_caller(request: Request[Any, Any, Any]) -> Any:
    """The caller loaded for this request (None when anonymous)."""
    return getattr(request.state, "user", None)


def require_caller(request: Request[Any, Any, Any]) -> Any:
    caller = request_caller(request)
    if caller is None:
        raise NotAuthenticated()
    return caller


LANGUAGE_COOKIE = "nscan_lang"
LANGUAGE_COOKIE_MAX_AGE = 365 * 24 * 3600
_CHOSEN_LANGUAGE = "survey.chosen_language"


def language_cookie(request: Request[Any, Any, Any]) -> str | None:
    """The language an anonymous visitor chose, kept in a cookie (no session row)."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    return chosen if chosen in i18n.LANGUAGES else None


async def prepare_request(
    request: Request[Any, Any, Any], load_caller: CallerLoader, db: AsyncSession
) -> None:
    """Load the caller from the session (in ``db``, read-only) and choose the language
    (DESIGN §9 Language)."""
    session = request.session
    chosen = request.query_params.get("lang")
    chosen = chosen if chosen in i18n.LANGUAGES else None
    user = await load_caller(request, chosen, db)
    if chosen and user is None:
        request.scope[_CHOSEN_LANGUAGE] = chosen  # type: ignore[literal-required]
    request.state.user = user
    language = (
        chosen
        or session.get("lang")
        or (language_cookie(request) if user is None else None)
        or (user.language if user else None)
        or i18n.negotiate_language(request.headers.get("accept-language"))
    )
    i18n.set_language(language)
    request.scope[PREPARED_KEY] = True  # type: ignore[literal-required]


_request_read_session: ContextVar[AsyncSession | None] = ContextVar(
    "survey_request_read_session", default=None
)


def request_read_session() -> AsyncSession | None:
    """The read-only session of the request being served, while its middleware runs (the
    session store reads the session entry in it: one transaction for the entry, the
    caller and a reading handler)."""
    return _request_read_session.get()


class ReadSessionMiddleware:
    """Opens the request's read-only session before the session middleware reads the
    session entry; :class:`RequestContextMiddleware` loads the caller in it and a reading
    handler goes on in it. No connection is taken until the first query."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        read_session: AsyncSession = scope["litestar_app"].state.read_sessionmaker()
        scope[_OPEN_READ_SESSION] = read_session  # type: ignore[literal-required]
        token = _request_read_session.set(read_session)
        try:
            await self.app(scope, receive, send)
        finally:
            _request_read_session.reset(token)
            scope.pop(_OPEN_READ_SESSION, None)  # type: ignore[misc]
            await read_session.close()


class RequestContextMiddleware:
    """Runs :func:`prepare_request` for every page and API call, also those that end in an
    error before a handler runs (unknown URL, CSRF refusal), so their pages are in the
    caller's language and show who is logged in. Static files are left alone. An anonymous
    visitor's language choice goes into a cookie."""

    def __init__(self, app: ASGIApp, load_caller: CallerLoader) -> None:
        self.app = app
        self.load_caller = load_caller

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send)
            return
        # The caller is loaded in a read-only session that a reading handler goes on using
        # (one transaction for the request); a writing handler gets its own (provide_db).
        read_session: AsyncSession = scope.get(_OPEN_READ_SESSION) or (  # type: ignore[assignment]
            scope["litestar_app"].state.read_sessionmaker()
        )
        try:
            await prepare_request(Request(scope, receive), self.load_caller, read_session)
            if writes(scope):
                await read_session.close()
            else:
                scope[_READ_SESSION] = read_session  # type: ignore[literal-required]
            await self._serve(scope, receive, send)
        finally:
            scope.pop(_READ_SESSION, None)  # type: ignore[misc]
            await read_session.close()

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:

        async def send_language(message: Message) -> None:
            chosen: str | None = scope.get(_CHOSEN_LANGUAGE)  # type: ignore[assignment]
            if chosen and message["type"] == "http.response.start":
                cookie = Cookie(
                    key=LANGUAGE_COOKIE,
                    value=chosen,
                    max_age=LANGUAGE_COOKIE_MAX_AGE,
                    path="/",
                    httponly=True,
                    samesite="lax",
                    secure=scope["litestar_app"].state.settings.secure_cookies,
                )
                MutableScopeHeaders.from_message(message).add(
                    "set-cookie", cookie.to_header(header="")
                )
            await send(message)

        await self.app(scope, receive, send_language)


# Handler parameter types: the name of the parameter picks the dependency (the caller's
# types, ``LoggedIn`` and ``MaybeLoggedIn``, are in ``survey.accounts.dependencies``).
Db = NamedDependency[AsyncSession]
BriefWriter = NamedDependency[Writer]
"""A handler parameter ``writer: BriefWriter`` (a route with :data:`BRIEF_WRITES`)."""
