"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

import asyncio
import datetime as dt
import json
import secrets
import struct

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    MetaData,
    Table,
    Text,
    insert,
    inspect,
    text,
)
from sqlalchemy.engine import make_url

from survey.db import create_engine
from survey.migrate import downgrade, upgrade
from survey.models import Base
from tests.conftest import _pg_admin_url, _pg_execute


@pytest.fixture
def fresh_database_url(backend: str, tmp_path):
    if backend == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    admin_url = _pg_admin_url()
    assert admin_url
    name = f"survey_migrations_{secrets.token_hex(4)}"
    asyncio.run(_pg_execute(admin_url, f'CREATE DATABASE "{name}"'))
    yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    asyncio.run(_pg_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _schema_state(url: str) -> tuple[set[str], list[object]]:
    async def inspect_schema() -> tuple[set[str], list[object]]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            tables = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
            diff = await connection.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata
                )
            )
        await engine.dispose()
        return tables, diff

    return asyncio.run(inspect_schema())


def test_migrations_up_down_up_match_the_models(fresh_database_url: str) -> None:
    upgrade(fresh_database_url)
    tables, diff = _schema_state(fresh_database_url)
    assert {
        "organisations",
        "users",
        "memberships",
        "rounds",
        "audit_events",
        "store_entries",
    } <= tables
    assert diff == [], f"models and migrations differ: {diff}"

    downgrade(fresh_database_url, "base")
    tables_after_downgrade, _ = _schema_state(fresh_database_url)
    assert tables_after_downgrade <= {"alembic_version"}

    upgrade(fresh_database_url)
    tables_again, _ = _schema_state(fresh_database_url)
    assert tables_again == tables


def test_the_number_answers_of_results_already_stored_are_filled_in(
    fresh_database_url: str,
) -> None:
    """Results stored before the numbers were kept with them get the numbers of their
    consolidated response: numbers only, of the version's number items; not "unknown", not
    what was marked not applicable, not a personal response's answer, not a reopened
    assessment's answers (it gets its numbers when it is submitted again)."""
    upgrade(fresh_database_url, "0010_relspeed_cell_storage")
    moment = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    definition = {
        "dimensions": [
            {"items": [{"id": "total", "type": "number"}, {"id": "level", "type": "likert"}]},
            {"items": [{"id": "part", "type": "number"}, {"id": "board", "type": "number"}]},
        ]
    }
    answers = [  # (response, item, value, not applicable)
        (1, "total", 12, False),
        (1, "part", "unknown", False),
        (1, "board", 3, True),
        (1, "level", 4, False),
        (2, "part", 5, False),  # a respondent's own answer
        (4, "total", 9, False),  # reopened: it may have changed since its result
        (3, "total", 7.0, False),
        (3, "part", 2, False),
    ]

    async def arrange() -> None:
        engine = create_engine(fresh_database_url)
        async with engine.begin() as connection:
            for table, rows in (
                (
                    "organisations",
                    [
                        {
                            "id": 1,
                            "name": "O",
                            "enterprise_number": "0000000001",
                            "sector": "youth-work",
                            "size_band": "1-9",
                            "municipality": "21001",
                            "funded_by_vgc": True,
                            "created_at": moment,
                            "updated_at": moment,
                        }
                    ],
                ),
                (
                    "rounds",
                    [
                        {
                            "id": 1,
                            "name": "2026",
                            "opens_on": moment.date(),
                            "closes_on": moment.date(),
                            "created_at": moment,
                            "updated_at": moment,
                        }
                    ],
                ),
                (
                    "questionnaire_versions",
                    [
                        {
                            "id": 1,
                            "questionnaire_id": "q",
                            "version": 1,
                            "definition": definition,
                            "content_hash": "0" * 64,
                            "published_at": moment,
                        }
                    ],
                ),
                (
                    "assessments",
                    [
                        {
                            "id": a,
                            "organisation_id": 1,
                            "questionnaire_id": f"q{a}",  # one assessment per questionnaire
                            "questionnaire_version_id": 1,
                            "round_id": 1,
                            "state": "reopened" if a == 2 else "submitted",
                            "created_at": moment,
                            "updated_at": moment,
                        }
                        for a in (1, 2, 3)
                    ],
                ),
                (
                    "assessment_results",
                    [
                        {
                            "assessment_id": a,
                            "rules_version": "1",
                            "coverage": 100.0,
                            "computed_at": moment,
                            "dimension_ids": "[]",
                            "dimension_scores": b"",
                        }
                        for a in (1, 2, 3)
                    ],
                ),
                (
                    "responses",
                    [
                        {"id": 1, "assessment_id": 1, "is_consolidated": True},
                        {"id": 2, "assessment_id": 1, "is_consolidated": False},
                        {"id": 3, "assessment_id": 3, "is_consolidated": True},
                        {"id": 4, "assessment_id": 2, "is_consolidated": True},
                    ],
                ),
                (
                    "answers",
                    [
                        {
                            "response_id": r,
                            "item_id": i,
                            "value": v,
                            "not_applicable": na,
                            "revision": 1,
                            "updated_at": moment,
                        }
                        for r, i, v, na in answers
                    ],
                ),
            ):
                await connection.execute(insert(_table(table, rows[0])), rows)
        await engine.dispose()

    async def read() -> list[tuple[int, str, bytes]]:
        engine = create_engine(fresh_database_url)
        async with engine.connect() as connection:
            found = await connection.execute(
                text(
                    "SELECT assessment_id, number_item_ids, number_answers"
                    " FROM assessment_results ORDER BY assessment_id"
                )
            )
            rows = [(a, ids, bytes(numbers)) for a, ids, numbers in found]
        await engine.dispose()
        return rows

    asyncio.run(arrange())
    upgrade(fresh_database_url)
    rows = asyncio.run(read())
    decoded = {
        a: dict(zip(json.loads(ids), struct.unpack(f"<{len(numbers) // 8}d", numbers), strict=True))
        for a, ids, numbers in rows
    }
    assert decoded == {1: {"total": 12.0}, 2: {}, 3: {"total": 7.0, "part": 2.0}}


def _table(name: str, row: dict[str, object]) -> Table:
    """A table of the columns of ``row``, typed by their values (enough to insert them)."""
    kinds = {bool: Boolean, int: Integer, float: Float, str: Text, bytes: LargeBinary, dict: JSON}
    as_json = {"definition", "value"}
    return Table(
        name,
        MetaData(),
        *(
            Column(
                key,
                DateTime(timezone=True)
                if isinstance(value, dt.datetime)
                else Date
                if isinstance(value, dt.date)
                else JSON()
                if key in as_json
                else kinds[type(value)](),
            )
            for key, value in row.items()
        ),
    )
