"""The peer figures after a submit (issue #15): recomputed once the submission committed,
read without a lock and stored in a short transaction of their own, still before the
response, so the page after it shows the organisation's own rank; a recompute whose read
went stale before it could store reads again; one that never happened is made good by the
next."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from survey.assessments.models import Assessment
from survey.benchmarks import listeners, recompute
from survey.benchmarks.models import AssessmentBenchmark
from tests.factories import login, make_round
from tests.integration.assessments.helpers import (
    QUESTIONNAIRE,
    answer,
    api_post,
    form_fields,
    html_escape,
    manager_with_assessment,
    nl,
)
from tests.integration.benchmarks.helpers import (
    VISION,
    answer_more_parts,
    assessment_of,
    manager_of,
    peers,
    submitted_peer,
)
from tests.integration.benchmarks.test_recompute_writes import LONG_AGO

PEER_GROUP = (
    "Peer group: %(group)s, %(n)s organisations that submitted this questionnaire in round "
    "%(round)s. Your own organisation is not one of them."
)


async def _answer_vision(client: Any, db: Any, setup: Any) -> None:
    for item_id, value in VISION.items():
        await answer(client, setup.token, setup.assessment_id, item_id, value)
    await answer_more_parts(db, setup.assessment_id)


async def _benchmark(client: Any, assessment_id: int) -> Any:
    response = await client.get(f"/api/v1/assessments/{assessment_id}/result")
    assert response.status_code == 200, response.text
    return response.json()["benchmark"]


async def _stored_rows(sessionmaker: Any) -> dict[int, tuple[Any, bytes, bytes | None]]:
    """Assessment id → (computed_at, figures, snapshot) of every stored row."""
    async with sessionmaker() as db:
        return {
            row.assessment_id: (row.computed_at, row.figures, row.snapshot)
            for row in await db.scalars(select(AssessmentBenchmark))
        }


async def test_an_html_submit_redirects_to_a_result_page_with_its_fresh_rank(
    client, db, sessionmaker
) -> None:
    setup = await manager_with_assessment(client, db)
    await peers(db, setup.round, 5)
    await _answer_vision(client, db, setup)
    await login(client, setup.manager)
    overview = await client.get(f"/assessments/{setup.assessment_id}")
    submit_path = f"/assessments/{setup.assessment_id}/submit"

    submitted = await client.post(submit_path, data=form_fields(overview.text, submit_path))

    assert submitted.status_code == 303, submitted.text
    page = await client.get(submitted.headers["location"])
    assert page.status_code == 200
    benchmark = await _benchmark(client, setup.assessment_id)
    assert benchmark["overall"]["status"] == "shown"
    assert benchmark["overall"]["peer_group"]["n_organisations"] == 5
    assert benchmark["overall"]["percentile_rank"] is not None
    group = benchmark["overall"]["peer_group"]["label"]
    expected = nl(PEER_GROUP, group=group, n=5, round=setup.round.name)
    assert html_escape(expected) in page.text


async def test_the_figures_are_read_after_the_commit_and_computed_off_the_write_lock(
    client, db, sessionmaker, backend, settings, monkeypatch
) -> None:
    setup = await manager_with_assessment(client, db)
    await peers(db, setup.round, 5)
    await _answer_vision(client, db, setup)
    seen: dict[str, Any] = {}
    load_subjects = recompute._load_subjects
    figures_by_subject = recompute._figures_by_subject

    async def load_and_look(db: AsyncSession, *args: Any, **kwargs: Any) -> Any:
        seen["event loop on"] = threading.current_thread()
        async with sessionmaker() as other:  # another connection: sees only what committed
            seen["state when read"] = await other.scalar(
                select(Assessment.state).where(Assessment.id == setup.assessment_id)
            )
        return await load_subjects(db, *args, **kwargs)

    def compute_and_look(*args: Any, **kwargs: Any) -> Any:
        seen["computed on"] = threading.current_thread()
        if backend == "sqlite":  # another writer gets the write lock at once
            database = make_url(settings.database_url).database
            other = sqlite3.connect(database, timeout=0, isolation_level=None)
            try:
                other.execute("BEGIN IMMEDIATE")
                other.execute("ROLLBACK")
                seen["write lock free"] = True
            except sqlite3.OperationalError:
                seen["write lock free"] = False
            finally:
                other.close()
        return figures_by_subject(*args, **kwargs)

    monkeypatch.setattr(recompute, "_load_subjects", load_and_look)
    monkeypatch.setattr(recompute, "_figures_by_subject", compute_and_look)
    monkeypatch.setattr(recompute, "COMPUTE_ON_A_THREAD_FROM", 1)  # as for a large round

    submitted = await api_post(
        client, setup.token, f"/api/v1/assessments/{setup.assessment_id}/submit"
    )

    assert submitted.status_code == 200, submitted.text
    assert seen["state when read"] == "submitted"
    assert seen["computed on"] is not seen["event loop on"]  # which serves on meanwhile
    if backend == "sqlite":
        assert seen["write lock free"] is True
    # and the response came after the figures were stored
    assert (await _benchmark(client, setup.assessment_id))["overall"]["status"] == "shown"


class _Sessions:
    """:class:`survey.events.Sessions` on the tests' engine that runs ``before_first_write``
    between the first read and the first write: what another request commits meanwhile."""

    def __init__(
        self, sessionmaker: Any, before_first_write: Callable[[], Awaitable[None]]
    ) -> None:
        self._sessionmaker = sessionmaker
        self.database = sessionmaker
        self._before_first_write: Callable[[], Awaitable[None]] | None = before_first_write
        self.reads = 0
        self.writes = 0

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncSession]:
        self.reads += 1
        async with self._sessionmaker() as db, db.begin():
            yield db

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncSession]:
        if self._before_first_write is not None:
            change, self._before_first_write = self._before_first_write, None
            await change()
        self.writes += 1
        async with self._sessionmaker() as db, db.begin():
            yield db


async def test_a_recompute_whose_read_went_stale_reads_again_instead_of_storing_it(
    client, db, sessionmaker
) -> None:
    """Two submits of the same round × questionnaire recompute at once: the slower one read
    before the other submission committed, and the other's recompute stored first. The
    slower one must not store figures of its older read: it reads again, finds the
    figures stored already right, and writes nothing."""
    round_ = await make_round_with_figures(db, sessionmaker)
    await submitted_peer(db, round_, 3.2, seed=31)  # the slower one's submission
    stored_by_the_other: dict[int, Any] = {}

    async def the_other_submits_and_recomputes() -> None:
        await submitted_peer(db, round_, 2.4, seed=32)
        async with sessionmaker() as session, session.begin():
            await recompute.recompute(session, round_.id, QUESTIONNAIRE)
        stored_by_the_other.update(await _stored_rows(sessionmaker))

    sessions = _Sessions(sessionmaker, the_other_submits_and_recomputes)
    count = await recompute.recompute_off_lock(sessions, round_.id, QUESTIONNAIRE)

    assert count == 8
    assert (sessions.reads, sessions.writes) == (2, 2)
    assert len(stored_by_the_other) == 8
    assert await _stored_rows(sessionmaker) == stored_by_the_other  # nothing written over
    async with sessionmaker() as session, session.begin():  # and nothing left to correct
        await session.execute(update(AssessmentBenchmark).values(computed_at=LONG_AGO))
        await recompute.recompute(session, round_.id, QUESTIONNAIRE)
    assert {row[0] for row in (await _stored_rows(sessionmaker)).values()} == {LONG_AGO}


async def test_a_recompute_whose_inputs_keep_moving_ends_inside_the_write_transaction(
    client, db, sessionmaker
) -> None:
    round_ = await make_round_with_figures(db, sessionmaker)
    await submitted_peer(db, round_, 3.2, seed=31)

    class _AlwaysMoving(_Sessions):
        @asynccontextmanager
        async def write(self) -> AsyncIterator[AsyncSession]:
            if self.writes < recompute.OFF_LOCK_ATTEMPTS:  # a new peer before each check
                await submitted_peer(db, round_, 2.0 + self.writes, seed=40 + self.writes)
            self.writes += 1
            async with self._sessionmaker() as session, session.begin():
                yield session

    sessions = _AlwaysMoving(sessionmaker, _nothing)
    count = await recompute.recompute_off_lock(sessions, round_.id, QUESTIONNAIRE)

    attempts = recompute.OFF_LOCK_ATTEMPTS
    assert (sessions.reads, sessions.writes) == (attempts, attempts + 1)
    assert count == 7 + attempts  # every peer that arrived meanwhile
    assert len(await _stored_rows(sessionmaker)) == count


async def _nothing() -> None:
    return None


async def make_round_with_figures(db: Any, sessionmaker: Any) -> Any:
    """A round with six submitted peers of one group and their stored figures."""
    round_ = await make_round(db, "2026")
    await peers(db, round_, 6)
    async with sessionmaker() as session, session.begin():
        await recompute.recompute(session, round_.id, QUESTIONNAIRE)
    return round_


async def test_figures_a_stopped_recompute_left_out_come_with_the_next_submission(
    client, db, sessionmaker, monkeypatch, caplog
) -> None:
    """The recompute after the commit fails, and so does its second try in a transaction
    (as if the process stopped): the submission stands, the result has no benchmark yet,
    and the next recompute of that round × questionnaire (here another organisation's
    reopening) brings it."""
    setup = await manager_with_assessment(client, db)
    await peers(db, setup.round, 5)
    await _answer_vision(client, db, setup)

    async def stopped(*args: Any) -> None:
        raise RuntimeError("the process stopped")

    monkeypatch.setattr(listeners, "recompute_off_lock", stopped)
    monkeypatch.setattr(listeners, "recompute", stopped)
    submitted = await api_post(
        client, setup.token, f"/api/v1/assessments/{setup.assessment_id}/submit"
    )
    assert submitted.status_code == 200, submitted.text  # the submission is stored
    assert "After-commit work" in caplog.text
    assert await _benchmark(client, setup.assessment_id) is None
    monkeypatch.undo()

    late = await submitted_peer(db, setup.round, 1.0, seed=77)
    late_id = await assessment_of(sessionmaker, late)
    token = await manager_of(client, db, late)
    reopened = await api_post(client, token, f"/api/v1/assessments/{late_id}/reopen")
    assert reopened.status_code == 200, reopened.text

    await login(client, setup.manager)
    benchmark = await _benchmark(client, setup.assessment_id)
    assert benchmark is not None and benchmark["overall"]["status"] == "shown"
    assert benchmark["overall"]["peer_group"]["n_organisations"] == 5


async def test_a_failed_recompute_after_the_commit_is_tried_again_in_a_transaction(
    client, db, monkeypatch, caplog
) -> None:
    """The recompute without the lock fails: the same recompute runs once more inside a
    write transaction of its own, so the result page right after shows the fresh rank."""
    setup = await manager_with_assessment(client, db)
    await peers(db, setup.round, 5)
    await _answer_vision(client, db, setup)

    async def broken(*args: Any) -> None:
        raise RuntimeError("the read without the lock failed")

    monkeypatch.setattr(listeners, "recompute_off_lock", broken)
    submitted = await api_post(
        client, setup.token, f"/api/v1/assessments/{setup.assessment_id}/submit"
    )
    assert submitted.status_code == 200, submitted.text
    assert "trying it in a transaction" in caplog.text
    assert "failed again" not in caplog.text
    benchmark = await _benchmark(client, setup.assessment_id)
    assert benchmark is not None and benchmark["overall"]["status"] == "shown"
