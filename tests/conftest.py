"""Test databases: SQLite always; PostgreSQL too when SURVEY_TEST_DATABASE_URL is set.

Each backend gets one fresh database per test run, built by the Alembic
migrations, and every table is emptied before each test. With the variable set,
a PostgreSQL server that does not answer fails the run: it is never skipped.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, text
from sqlalchemy.engine import make_url

from survey.settings import Settings, load_settings, normalise_database_url

PG_URL_VARIABLE = "SURVEY_TEST_DATABASE_URL"


def _pg_admin_url() -> str | None:
    raw = os.environ.get(PG_URL_VARIABLE, "").strip()
    return normalise_database_url(raw) if raw else None


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if _pg_admin_url() else ["sqlite"]


async def _pg_execute(admin_url: str, statement: str) -> None:
    import asyncpg

    url = make_url(admin_url)
    connection = await asyncpg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database or "postgres",
        timeout=5,
    )
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def pytest_configure(config: pytest.Config) -> None:
    admin_url = _pg_admin_url()
    if admin_url:
        try:
            asyncio.run(_pg_execute(admin_url, "SELECT 1"))
        except Exception as error:
            pytest.exit(
                f"{PG_URL_VARIABLE} is set but PostgreSQL does not answer ({error}); refusing to skip it.",
                returncode=3,
            )


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _pg_admin_url():
        terminalreporter.write_line("Database backends tested: SQLite and PostgreSQL.")
    else:
        terminalreporter.write_line(
            f"PostgreSQL was NOT tested: set {PG_URL_VARIABLE} (e.g. postgresql://postgres@127.0.0.1:5432/test)."
        )


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """One migrated database per backend for the whole run."""
    from survey.migrate import upgrade

    urls: dict[str, str] = {}
    sqlite_path = tmp_path_factory.mktemp("sqlite") / "test.sqlite3"
    urls["sqlite"] = f"sqlite+aiosqlite:///{sqlite_path}"
    admin_url = _pg_admin_url()
    pg_name = f"survey_test_{os.getpid()}_{secrets.token_hex(3)}"
    if admin_url:
        asyncio.run(_pg_execute(admin_url, f'CREATE DATABASE "{pg_name}"'))
        urls["postgresql"] = (
            make_url(admin_url).set(database=pg_name).render_as_string(hide_password=False)
        )
    for url in urls.values():
        upgrade(url)
    yield urls
    if admin_url:
        asyncio.run(_pg_execute(admin_url, f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def settings(backend: str, database_urls: dict[str, str], tmp_path: Path) -> Settings:
    return load_settings(
        {
            "SURVEY_ENV": "test",
            "SURVEY_DATA_DIR": str(tmp_path / "data"),
            "SURVEY_DATABASE_URL": database_urls[backend],
            "SURVEY_SECRET_KEY": "test-secret-" + "x" * 40,
        }
    )


async def _empty_tables(sessionmaker: Any) -> None:
    from survey.models import Base

    async with sessionmaker() as db, db.begin():
        for table in reversed(Base.metadata.sorted_tables):
            if table.name == "alembic_version":
                continue
            await db.execute(delete(table))
        if db.bind.dialect.name == "postgresql":
            for table in Base.metadata.sorted_tables:
                for column in table.primary_key.columns:
                    if column.autoincrement is True or (
                        column.autoincrement == "auto" and column.type.python_type is int
                    ):
                        await db.execute(
                            text(
                                f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), 1, false)"
                            )
                        )


@pytest.fixture
async def sessionmaker(settings: Settings) -> AsyncIterator[Any]:
    """The tests' own engine: the app runs in the test client's event loop, so the two
    must not share pooled connections."""
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    from survey.db import create_engine, create_sessionmaker

    engine = (
        create_engine(settings.database_url)
        if settings.is_sqlite
        else create_async_engine(settings.database_url, poolclass=NullPool)
    )
    maker = create_sessionmaker(engine)
    await _empty_tables(maker)
    yield maker
    await engine.dispose()


@pytest.fixture
def app(settings: Settings, sessionmaker: Any) -> Any:
    from survey.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[Any]:
    from litestar.testing import AsyncTestClient

    async with AsyncTestClient(app=app, base_url="http://testserver.local") as test_client:
        test_client.follow_redirects = False
        yield test_client


@pytest.fixture
async def db(sessionmaker: Any) -> AsyncIterator[Any]:
    """A session for arranging and checking data; commit what you arrange."""
    async with sessionmaker() as session:
        yield session


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests run last: Playwright's sync API keeps an event loop running in the
    main thread until it stops, and the other tests start their own loops."""
    items.sort(key=lambda item: "tests/e2e/" in str(item.path).replace("\\", "/"))
