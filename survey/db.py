"""Engine and session setup, and the declarative base of every model."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import fcntl
import math
import os
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any

import aiosqlite
import msgspec
from sqlalchemy import ColumnElement, DateTime, MetaData, event, select, text
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator
from sqlalchemy.util import EMPTY_DICT

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


MAX_INTEGER = 2**31 - 1
"""The largest value of an INTEGER column on PostgreSQL, and so of every id: a larger one
fails there (and beyond 64 bits on SQLite too), so input holding one is refused before a query."""

StoredInt = Annotated[int, msgspec.Meta(ge=0, le=MAX_INTEGER)]
"""A non-negative integer field of a request body that is compared with or stored in a column."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def seconds_until_below(
    db: AsyncSession,
    moment: Any,
    condition: ColumnElement[bool],
    limit: int,
    window: dt.timedelta,
    now: dt.datetime,
) -> int | None:
    """A sliding-window limit on rows with a timestamp column ``moment``: seconds until fewer
    than ``limit`` rows matching ``condition`` fall in the last ``window``, or None when
    fewer already do (then one more is allowed). One query: the ``limit``-th newest row."""
    limiting = await db.scalar(
        select(moment)
        .where(condition, moment > now - window)
        .order_by(moment.desc())
        .offset(limit - 1)
        .limit(1)
    )
    if limiting is None:
        return None
    return max(math.ceil(float((limiting + window - now).total_seconds())), 1)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store timezone-aware UTC values")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {dt.datetime: UTCDateTime()}


class TimestampMixin:
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


READ_ONLY = "survey_read_only"
"""Execution option of the engine behind :func:`create_sessionmaker` ``(read_only=True)``."""

SINGLE_STATEMENTS = "survey_single_statements"
"""Execution option of the engine behind :func:`create_sessionmaker`
``(single_statements=True)``: on SQLite no BEGIN, each statement is its own transaction."""

POOL_SIZE = 20
POOL_OVERFLOW = 10
"""PostgreSQL connections each worker process keeps open (``survey serve --workers 2``: 40),
and at most 10 more each under a burst (60 in all, within PostgreSQL's default 100). A
connection beyond the kept ones is closed when given back, so a pool smaller than the
requests a worker serves at once opened and closed a connection for most of them: 50
requests at once (25 a worker) ran at a third of the speed of 10."""

SQLITE_POOL_SIZE = 32
"""SQLite connections each engine of a worker keeps (and as many again in overflow):
opening one starts a thread and sets its pragmas, so as many are kept as requests run at
once."""

PING_AFTER_REST_SECONDS = 10.0
"""A pooled PostgreSQL connection unused for longer is pinged before it serves again."""
_CHECKED_IN_AT = "survey_checked_in_at"


# --- SQLite: one trip to the driver's thread per statement -------------------------------
#
# aiosqlite runs each call on its own thread; SQLAlchemy's adapter makes four calls per
# statement (open a cursor, execute, fetch, close), each a trip there and back through the
# event loop. Under load every trip waits for the loop, so a page of seven statements
# waited 28 times. This cursor does the four in one call: the same sqlite3 calls, on the
# same thread, in the same order.


class _OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ("_description", "_lastrowid", "_rowcount")

    def __init__(self, adapt_connection: Any) -> None:
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._cursor = None  # type: ignore[assignment]
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._description: Any = None
        self._rowcount = -1
        self._lastrowid: int | None = None

    @property
    def description(self) -> Any:
        return self._description

    @property
    def rowcount(self) -> int:
        return self._rowcount

    @property
    def lastrowid(self) -> Any:
        return self._lastrowid

    async def _async_soft_close(self) -> None:
        return  # the sqlite3 cursor is closed already

    def close(self) -> None:
        self._rows.clear()

    async def _run(self, call: Any) -> Any:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]

        def in_thread() -> tuple[Any, list[Any], int, int | None]:
            cursor: sqlite3.Cursor = connection._conn.cursor()
            try:
                call(cursor)
                description = cursor.description
                rows = cursor.fetchall() if description else []
                return description, rows, cursor.rowcount, cursor.lastrowid
            finally:
                cursor.close()

        async with self._adapt_connection._execute_mutex:
            outcome = await connection._execute(in_thread)  # type: ignore[no-untyped-call]
        self._description, rows, self._rowcount, self._lastrowid = outcome
        self._rows = collections.deque(rows)

    async def _execute_async(self, operation: Any, parameters: Any) -> Any:
        await self._run(lambda cursor: cursor.execute(operation, parameters or ()))

    async def _executemany_async(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        await self._run(lambda cursor: cursor.executemany(operation, seq_of_parameters))


class _OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()
    _cursor_cls = _OneTripCursor


class _OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *arg: Any, **kw: Any) -> AsyncAdapt_aiosqlite_connection:
        adapted = super().connect(*arg, **kw)
        return _OneTripConnection(self, adapted._connection)


def create_engine(database_url: str, *, read_only: bool = False) -> AsyncEngine:
    """Create the engine. On SQLite (in WAL mode, so readers never wait for the writer) a
    transaction that may write starts as BEGIN IMMEDIATE, a read-only one as a plain
    (deferred) BEGIN that takes no lock.

    A deferred SQLite transaction that reads and then writes fails with "database is
    locked" when another connection wrote in between, whatever the busy timeout.
    Taking the write lock at BEGIN makes concurrent writers queue instead. A read-only
    transaction runs with ``PRAGMA query_only``, so a write in it fails at once, every
    time, instead of only under load. ``read_only`` (SQLite): every connection of the
    engine is read-only from the start, so no transaction switches the pragma (see
    :func:`create_read_engine`).
    """
    if database_url.startswith("sqlite"):
        engine = create_async_engine(
            database_url,
            connect_args={"timeout": 30},
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=SQLITE_POOL_SIZE,
            pool_use_lifo=True,  # the few busiest connections keep their caches warm
            module=_OneTripDbapi(aiosqlite, sqlite3),
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_connect(dbapi_connection: Any, record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            if read_only:
                cursor.execute("PRAGMA query_only=ON")
                record.info[READ_ONLY] = True
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            options = connection.get_execution_options()
            read_only = bool(options.get(READ_ONLY))
            info = connection.connection.info
            if info.get(READ_ONLY, False) != read_only:
                connection.exec_driver_sql(f"PRAGMA query_only={'ON' if read_only else 'OFF'}")
                info[READ_ONLY] = read_only
            if options.get(SINGLE_STATEMENTS) and not read_only:
                return  # autocommit: the write lock is taken inside each statement only
            connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

        return engine
    engine = create_async_engine(
        database_url, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW, pool_use_lifo=True
    )

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _ping_after_a_rest(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        # pool_pre_ping pings at every checkout: a round trip per request, a third of the
        # throughput under load. A connection that rested a while is pinged; a dead one
        # makes the pool take a fresh connection (and a disconnect found by a statement
        # renews the whole pool, as SQLAlchemy does).
        rested_since = record.info.get(_CHECKED_IN_AT)
        if rested_since is not None and time.monotonic() - rested_since > PING_AFTER_REST_SECONDS:
            try:
                alive = engine.dialect.do_ping(dbapi_connection)
            except Exception as error:
                raise DisconnectionError(str(error)) from error
            if not alive:
                raise DisconnectionError("the connection did not answer its ping")

    return engine


def create_read_engine(engine: AsyncEngine) -> AsyncEngine:
    """The engine of the read-only sessions that go with ``engine`` (give it to
    :func:`create_sessionmaker` with ``read_only=True``, and dispose of it too).

    On SQLite an engine of its own whose connections are read-only from the start: a
    connection that served a reader and then a writer would switch ``PRAGMA query_only``
    twice, two more statements for a writing request. On PostgreSQL ``engine`` itself,
    one pool (its transactions are marked ``READ ONLY``)."""
    if engine.dialect.name != "sqlite":
        return engine
    return create_engine(engine.url.render_as_string(hide_password=False), read_only=True)


def create_sessionmaker(
    engine: AsyncEngine, *, read_only: bool = False, single_statements: bool = False
) -> async_sessionmaker[AsyncSession]:
    """Sessions on ``engine``; with ``read_only``, every transaction is read-only (a write
    in it is refused): on SQLite it takes no lock, on PostgreSQL it is ``READ ONLY``.

    With ``single_statements`` (for one statement that checks and writes at once, such as
    a guarded update): on SQLite each statement commits by itself, so the write lock is
    held while SQLite runs it and never while the event loop serves other requests;
    such a session must not run two statements that belong together. On PostgreSQL an
    ordinary transaction."""
    if single_statements and engine.dialect.name == "sqlite":
        engine = engine.execution_options(**{SINGLE_STATEMENTS: True})
    if read_only:
        options: dict[str, Any] = {READ_ONLY: True}
        if engine.dialect.name == "postgresql":
            options["postgresql_readonly"] = True
        engine = engine.execution_options(**options)
    return async_sessionmaker(engine, expire_on_commit=False)


class WriterTurns:
    """The writing requests of all worker processes on one SQLite database take turns, in
    the order they come, before they begin their transaction.

    SQLite lets one transaction write at a time; the others wait in its busy handler, which
    polls with growing sleeps (up to 100 ms) and is not fair: under load a writer can miss
    every free moment until its busy timeout ends in "database is locked". Here a writer
    waits instead on an asyncio lock (its process's turn) and then on an exclusive
    ``flock`` of a file next to the database (the turn among processes), which the kernel
    hands on the moment it is released; the lock closes with its file, also when a
    process dies. Without a database file (in memory) only the asyncio lock is taken.
    """

    def __init__(self, database: str | None) -> None:
        self._lock = asyncio.Lock()
        self._path = f"{database}.writers" if database and database != ":memory:" else None

    def _acquire(self) -> int:
        assert self._path is not None
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            os.close(fd)
            raise
        return fd

    @asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        async with self._lock:
            if self._path is None:
                yield
                return
            waiting = asyncio.ensure_future(asyncio.to_thread(self._acquire))
            try:
                fd = await asyncio.shield(waiting)
            except asyncio.CancelledError:
                # The thread still gets the lock: give it back as soon as it does.
                waiting.add_done_callback(_close_acquired)
                raise
            try:
                yield
            finally:
                os.close(fd)


def _close_acquired(waiting: asyncio.Future[int]) -> None:
    if not waiting.cancelled() and waiting.exception() is None:
        os.close(waiting.result())


def writer_turns(engine: AsyncEngine) -> WriterTurns | None:
    """The :class:`WriterTurns` of a SQLite engine's database (None on PostgreSQL, where
    writers of different rows do not wait for each other)."""
    if engine.dialect.name != "sqlite":
        return None
    return WriterTurns(engine.url.database)


async def refresh_planner_statistics(db: AsyncSession) -> None:
    """Let PostgreSQL's planner know the tables' sizes now, after a bulk load (the demo):
    until autovacuum gets to them it takes the new tables for small and reads all 60,000
    answers of the demo to find one response's (9 ms instead of 0.06 ms, every page and
    autosave). SQLite's planner goes by its indexes without statistics: nothing to do."""
    if db.get_bind().dialect.name == "postgresql":
        await db.execute(text("ANALYZE"))


@asynccontextmanager
async def command_session(database_url: str) -> AsyncIterator[AsyncSession]:
    """A session for a command-line task, on an engine of its own that is closed afterwards
    (no transaction begun: the caller decides, e.g. ``async with db.begin()``)."""
    engine = create_engine(database_url)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()
