"""Recompute the peer figures of a round × questionnaire in one vectorised pass and store
them (DESIGN §5).

When figures are recomputed
---------------------------
- :func:`recompute_off_lock` (one round × questionnaire) right after an assessment's
  submission or reopening committed, in the same request (the ``AssessmentEvent``
  listeners of :mod:`survey.benchmarks.listeners`): read without a lock, computed on a
  thread, stored in a short write transaction only if what was read is still current;
  :func:`recompute` inside the publishing transaction where nobody runs work after the
  commit (a command, a test's own session);
- :func:`recompute_round` when a round is closed early (every questionnaire of the
  round, and the quality figures): :func:`survey.benchmarks.listeners.recompute_at_close`
  listens to ``RoundClosed``. A round that simply passes its closing date publishes no
  event: its snapshots renew at its first recompute after that date (a rescoring,
  ``survey db upgrade``);
- :func:`recompute_all` after the demo network is loaded;
- :func:`recompute_missing` by ``survey db upgrade``, for what a migration emptied or an
  older :data:`METHOD_VERSION` computed.

Page views only read what is stored (:mod:`survey.benchmarks.service`). The quality
figures, which need every answer of a round, refresh by their own rule when someone
asks for them (:mod:`survey.benchmarks.quality_service`), or eagerly when the round closes.

Input: the stored overall and dimension scores that the scoring core wrote at
submission, with the scoring rules version, so a benchmark always compares the
published scores. The dimension scores are read from their compact copy on
``assessment_results`` (``dimension_scores``: one row per assessment to read instead
of one per dimension); ``dimension_results`` holds the same scores in full.

Snapshots (DESIGN §7)
---------------------
Figures built on others must not move with one submission, or two looks before and after
it would give that organisation's scores away. So every peer group (round × questionnaire
× group, at each level: sector × size band, sector, network) has a snapshot of its
members' scores, and an organisation is compared with the snapshot of its group, its own
entry left out, with its own current score. A group's snapshot takes its members'
current scores only once at least :data:`~survey.benchmarks.core.MIN_GROUP_SIZE` of them
changed since it was taken (submitted, reopened, new scores), and at the first recompute
after the round closed (:class:`~survey.benchmarks.models.PeerSnapshotClose`). Each level
keeps its own snapshot, so a refresh of a sector never moves the snapshot of one of its
sector × size band groups by fewer than five members. The snapshot is stored with the
figures, as each assessment's entries (``AssessmentBenchmark.snapshot``): the whole
round is read, refreshed and compared in one vectorised pass, and written where it moved.
A group is the organisation's present sector and size band; an organisation whose profile
changes leaves its old groups' snapshots at once (a rare admin action, not a submission).

Output: one row per assessment (:class:`~survey.benchmarks.models.AssessmentBenchmark`),
written only when its figures differ from the stored ones: a submission moves the
figures of its own peer groups, as a rule a small part of a round.

Comparable versions
-------------------
Peers answer the same questionnaire (same id) in the same round. A dimension
score is comparable across versions of a questionnaire when the dimension id is
the same: a new version keeps its dimension ids and maps renamed items through
``previous_item_ids``, so its dimension scores are compared with those of the
older version. A dimension that a version adds, drops or renames has only the
peers whose version has that dimension id. The overall score (a weighted mean of
the dimension scores) is compared only between versions with the same set of
dimension ids. The same rules hold for the change since the previous round.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import chain, pairwise
from typing import Any, Final, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import (
    Connection,
    Integer,
    LargeBinary,
    Select,
    String,
    Table,
    bindparam,
    case,
    delete,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from survey.assessments.models import (
    Assessment,
    AssessmentResult,
    AssessmentState,
    decode_dimension_ids,
)
from survey.benchmarks.core import (
    GROUP_LEVELS,
    MIN_GROUP_SIZE,
    PERCENTILES,
    QUARTILES_FROM,
    STATUSES,
    PeerFigures,
    shown_from,
    snapshot_figures,
)
from survey.benchmarks.models import AssessmentBenchmark, PeerSnapshotClose
from survey.benchmarks.quality_service import refresh_quality
from survey.benchmarks.schemas import (
    FIGURE_BYTES,
    FIGURE_WIDTH,
    NO_SCORE,
    TOO_FEW_PEERS,
    WITHHELD,
)
from survey.db import utcnow
from survey.events import Sessions
from survey.organisations.models import Organisation
from survey.rounds.models import Round, RoundState
from survey.scoring import round_half_up

__all__ = [
    "METHOD_VERSION",
    "recompute",
    "recompute_all",
    "recompute_missing",
    "recompute_off_lock",
    "recompute_round",
]

METHOD_VERSION: Final = "3"
"""Version of the benchmark definitions and of the stored layout; stored with every row.
Bump on any change: ``survey db upgrade`` then recomputes every round."""


# --- recompute --------------------------------------------------------------------------------


async def recompute(
    db: AsyncSession, round_id: int, questionnaire_id: str, *, refresh_snapshots: bool = False
) -> int:
    """Recompute and store the benchmarks of one round × questionnaire.

    ``refresh_snapshots`` renews every peer group's snapshot, as at round close: for a
    change of method that rescored many organisations at once (scoring rules), never for
    a submission. Returns the number of assessments with stored figures.
    """
    return await _recompute(db, round_id, [questionnaire_id], refresh_all=refresh_snapshots)


OFF_LOCK_ATTEMPTS: Final = 3
"""How often :func:`recompute_off_lock` reads and computes again when what it read changed
before it could store, before it recomputes inside the write transaction instead."""


COMPUTE_ON_A_THREAD_FROM: Final = 1_000
"""Subjects from which :func:`recompute_off_lock` computes on a thread, so the event loop goes
on serving other requests meanwhile (about 15 ms of computing per 1,000 subjects on the demo); below,
the hand-over to a thread and back costs more, under load, than it frees."""


async def recompute_off_lock(sessions: Sessions, round_id: int, questionnaire_id: str) -> int:
    """:func:`recompute` for a change that has committed (a submission, a reopening), holding
    the write lock only to store.

    The stored scores and figures are read in a read-only transaction (on SQLite it takes
    no lock), the figures computed on a thread, and stored in a short write transaction,
    only if the inputs are still those that were read (:func:`_versions`): two submits of
    the same round × questionnaire recompute at once, and the slower one must not store
    figures of an older read, nor a snapshot refreshed from it. When the inputs moved it
    reads again, at most :data:`OFF_LOCK_ATTEMPTS` times, then recomputes inside the write
    transaction as :func:`recompute` does. A round found closed is recomputed inside it
    too: the first recompute after the close refreshes every snapshot (DESIGN §7).

    In one process, the recomputes of a round × questionnaire asked for while one runs wait
    for it and then share one run, which reads after all their commits (:class:`_SharedRuns`):
    a burst of submits costs two recomputes, not one each.

    Every recompute starts from what is stored, so one that did not happen (the process
    stopped between the submit's commit and the store) is made good by the next one of
    that round × questionnaire: the next submission or reopening, the round's close,
    ``survey benchmarks recompute``, and ``survey db upgrade`` for figures still missing.
    """
    return await _shared_runs.run(
        (sessions.database, round_id, questionnaire_id),
        lambda: _recompute_off_lock(sessions, round_id, questionnaire_id),
    )


async def _recompute_off_lock(sessions: Sessions, round_id: int, questionnaire_id: str) -> int:
    for _attempt in range(OFF_LOCK_ATTEMPTS):
        # No pause of the garbage collector here (as the in-lock recompute has): it would
        # stay off for every other request the event loop serves across these awaits.
        async with sessions.read() as db:
            subjects = await _load_subjects(db, round_id, questionnaire_id, versions=True)
        figures, snapshots = await _compute(subjects)
        async with sessions.write() as db:
            if await _lock_round(db, round_id):
                return await _recompute(db, round_id, [questionnaire_id])
            if await _versions(db, round_id, questionnaire_id) == subjects.versions:
                if len(subjects.ids):
                    await _store(db, subjects, figures, snapshots, utcnow())
                await _remove_leftovers(db, subjects)
                return len(subjects.ids)
    async with sessions.write() as db:
        return await recompute(db, round_id, questionnaire_id)


class _SharedRuns:
    """One run at a time per key, and one waiting: who asks while a run is going joins the
    waiting one, which starts when the going one ended and so reads after everything that
    committed before its callers asked. The runs are tasks of their own: a caller that is
    cancelled (its client went away) leaves the run to the others."""

    def __init__(self) -> None:
        self._running: dict[Any, asyncio.Task[int]] = {}
        self._waiting: dict[Any, asyncio.Task[int]] = {}

    async def run(self, key: Any, work: Callable[[], Awaitable[int]]) -> int:
        waiting = _of_this_loop(self._waiting.get(key))
        if waiting is None:
            waiting = asyncio.ensure_future(self._after_the_running(key, work))
            self._waiting[key] = waiting
        return await asyncio.shield(waiting)

    async def _after_the_running(self, key: Any, work: Callable[[], Awaitable[int]]) -> int:
        running = _of_this_loop(self._running.get(key))
        if running is not None:
            await asyncio.wait([running])  # its outcome is for its own callers
        this = self._waiting.pop(key)
        self._running[key] = this
        try:
            return await work()
        finally:
            if self._running.get(key) is this:
                del self._running[key]


def _of_this_loop(task: asyncio.Task[int] | None) -> asyncio.Task[int] | None:
    """``task`` unless it is done or of another event loop (one that ended: a test's)."""
    if task is None or task.done() or task.get_loop() is not asyncio.get_running_loop():
        return None
    return task


_shared_runs = _SharedRuns()


async def _compute(subjects: _Subjects) -> tuple[list[bytes], list[bytes]]:
    if not len(subjects.ids):
        return [], []
    if len(subjects.ids) < COMPUTE_ON_A_THREAD_FROM:
        return _figures_by_subject(subjects)
    return await asyncio.to_thread(_figures_by_subject, subjects)


async def recompute_round(db: AsyncSession, round_id: int) -> int:
    """Recompute the benchmarks of every questionnaire of a round, and its quality figures:
    when the round closes (``RoundClosed``, see :mod:`survey.benchmarks.listeners`)."""
    questionnaire_ids = await _questionnaires_of(db, round_id)
    count = await _recompute(db, round_id, questionnaire_ids)
    for questionnaire_id in questionnaire_ids:
        await refresh_quality(db, round_id, questionnaire_id)
    return count


async def _questionnaires_of(db: AsyncSession, round_id: int) -> list[str]:
    return sorted(
        await db.scalars(
            select(Assessment.questionnaire_id).where(Assessment.round_id == round_id).distinct()
        )
    )


async def recompute_all(db: AsyncSession) -> int:
    """Recompute the benchmarks of every round × questionnaire (demo seeding), one at a
    time, which keeps the memory to that of one questionnaire in one round."""
    count = 0
    for round_id in await db.scalars(select(Round.id).order_by(Round.opens_on)):
        count += await _recompute(db, round_id, await _questionnaires_of(db, round_id))
    return count


async def recompute_missing(db: AsyncSession) -> int:
    """Recompute every round × questionnaire in which an assessment with a result has no
    figures by the current :data:`METHOD_VERSION` (after a migration emptied them, or the
    method changed); ``survey db upgrade`` calls this. Returns how many were recomputed."""
    pairs = (
        await db.execute(
            select(Assessment.round_id, Assessment.questionnaire_id)
            .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
            .outerjoin(AssessmentBenchmark, AssessmentBenchmark.assessment_id == Assessment.id)
            .where(
                or_(
                    AssessmentBenchmark.assessment_id.is_(None),
                    AssessmentBenchmark.method_version != METHOD_VERSION,
                )
            )
            .distinct()
        )
    ).all()
    for round_id, questionnaire_id in sorted(pairs):
        await recompute(db, round_id, questionnaire_id)
    return len(pairs)


@dataclass(frozen=True)
class _Subjects:
    """The assessments of one round × questionnaire that have a stored result, as arrays,
    with what is stored for them from the last recompute."""

    round_id: int
    questionnaire_id: str
    ids: npt.NDArray[np.int64]
    is_peer: npt.NDArray[np.bool_]
    sectors: list[str]
    size_bands: list[str]
    overall: npt.NDArray[np.float64]
    dimension_ids: list[str]
    dimension_scores: list[bytes]
    stored_figures: list[bytes | None]
    """Per subject: the stored figures, when they were computed by this
    :data:`METHOD_VERSION` for the organisation's present sector and size band."""
    stored_snapshots: list[bytes | None]
    """Per subject: its stored snapshot entries (:attr:`AssessmentBenchmark.snapshot`), on
    the same condition."""
    versions: frozenset[tuple[Any, ...]] | None = None
    """When asked for: per subject what tells whether its inputs moved since (see
    :func:`_versions`)."""


async def _fetch(db: AsyncSession, statement: Select[*tuple[Any, ...]]) -> list[Sequence[Any]]:
    """The rows of ``statement`` as the driver returns them (tuples), without SQLAlchemy's
    Row objects.

    A round holds up to hundreds of thousands of score rows, and building a Row per
    row about doubles the cost of reading them. The statement is compiled for the
    session's dialect and run on the DBAPI cursor (SQLAlchemy's "working with the
    DBAPI cursor directly"); it may bind plain values only (numbers, strings), since
    no type processing happens on the way in or out.
    """
    connection = await db.connection()

    def fetch(sync: Connection) -> list[Sequence[Any]]:
        compiled = statement.compile(
            dialect=sync.dialect, compile_kwargs={"render_postcompile": True}
        )
        params = compiled.construct_params()
        values = tuple(params[name] for name in compiled.positiontup or ())
        cursor = sync.connection.cursor()
        try:
            cursor.execute(str(compiled), values)
            return list(cursor.fetchall())
        finally:
            cursor.close()

    return await connection.run_sync(fetch)


async def _fetch_columns(db: AsyncSession, statement: Select[*tuple[Any, ...]]) -> list[list[Any]]:
    """The result of ``statement`` column by column (lists of equal length)."""
    fetched = await _fetch(db, statement)
    if not fetched:
        return [[] for _ in statement.selected_columns]
    return [list(column) for column in zip(*fetched, strict=True)]


def _subjects_select(
    round_id: int, questionnaire_id: str, *columns: Any
) -> Select[*tuple[Any, ...]]:
    """``columns`` of every assessment of the round × questionnaire with a stored result, its
    organisation and its stored figures (if any); in no particular order: sorting 50,000
    wide rows is a large part of the query."""
    return (
        select(*columns)
        .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .outerjoin(AssessmentBenchmark, AssessmentBenchmark.assessment_id == Assessment.id)
        .where(Assessment.round_id == round_id, Assessment.questionnaire_id == questionnaire_id)
    )


_IS_PEER: Final = case((Assessment.state == AssessmentState.SUBMITTED.value, 1), else_=0)

_SUBJECT_KEY: Final = (Assessment.id, _IS_PEER, Organisation.sector, Organisation.size_band)
"""The first columns of a subject as :func:`_load_subjects` and :func:`_versions` read it."""

_VERSION_COLUMNS: Final = (
    AssessmentResult.computed_at,
    AssessmentBenchmark.computed_at,
    AssessmentBenchmark.method_version,
)
"""Besides the assessment id, whether it is a peer and its organisation's profile: what
changes whenever a recompute's other inputs change. A result is stored anew with a new
``computed_at`` (a submission, a rescoring), and a row of figures gets one whenever a
recompute writes it."""


async def _versions(db: AsyncSession, round_id: int, questionnaire_id: str) -> frozenset[Any]:
    """Per subject (as :func:`_load_subjects` reads them) the assessment id, whether it is a
    peer, its organisation's sector and size band, and :data:`_VERSION_COLUMNS`: equal
    sets, equal inputs. No scores or figures are read: a fraction of the recompute's read."""
    columns = await _fetch_columns(
        db,
        _subjects_select(round_id, questionnaire_id, *_SUBJECT_KEY, *_VERSION_COLUMNS),
    )
    return frozenset(zip(*columns, strict=True))


async def _load_subjects(
    db: AsyncSession, round_id: int, questionnaire_id: str, *, versions: bool = False
) -> _Subjects:
    # Every column read costs time for each of up to 50,000 rows: round, questionnaire and
    # organisation are not read (the assessment id stands for its organisation, one per
    # round × questionnaire), nor the version (its dimension ids are on the result).
    stored = AssessmentBenchmark
    same_method_and_profile = (
        (stored.method_version == METHOD_VERSION)
        & (stored.sector == Organisation.sector)
        & (stored.size_band == Organisation.size_band)
    )
    columns = await _fetch_columns(
        db,
        _subjects_select(
            round_id,
            questionnaire_id,
            *_SUBJECT_KEY,
            AssessmentResult.score,
            AssessmentResult.dimension_ids,
            AssessmentResult.dimension_scores,
            *(
                case((same_method_and_profile, column), else_=None)
                for column in (stored.figures, stored.snapshot)
            ),
            *(_VERSION_COLUMNS if versions else ()),
        ),
    )
    return _Subjects(
        round_id=round_id,
        questionnaire_id=questionnaire_id,
        ids=np.asarray(columns[0], dtype=np.int64),
        is_peer=np.asarray(columns[1], dtype=bool),
        sectors=columns[2],
        size_bands=columns[3],
        overall=pd.Series(columns[4], dtype=np.float64).to_numpy(),
        dimension_ids=columns[5],
        dimension_scores=columns[6],
        stored_figures=columns[7],
        stored_snapshots=columns[8],
        versions=frozenset(zip(*columns[:4], *columns[9:], strict=True)) if versions else None,
    )


@dataclass(frozen=True)
class _DimensionScores:
    """The subjects' stored dimension scores (``AssessmentResult.dimension_ids`` and
    ``dimension_scores``) as columns, rows without a score left out."""

    all_score: npt.NDArray[np.float64]
    """Every stored dimension score (NaN: none), subject by subject in the order of its ids."""
    all_code: npt.NDArray[np.int64]
    """The dimension id of each of ``all_score``, as an index into ``names``."""
    subject: npt.NDArray[np.int64]
    """Position of the subject."""
    slot: npt.NDArray[np.int64]
    """Position of the dimension in the subject's ``dimension_ids``."""
    code: npt.NDArray[np.int64]
    """The dimension id, as an index into ``names``."""
    names: list[str]
    score: npt.NDArray[np.float64]
    lengths: npt.NDArray[np.int64]
    """Number of dimension ids of every subject."""
    dimension_set: npt.NDArray[np.int64]
    """Every subject's set of dimension ids, as a code (equal sets, equal codes)."""


def _dimension_scores(subjects: _Subjects) -> _DimensionScores:
    """All scores are one buffer of float64; the id lists are decoded once per distinct list
    (once per questionnaire version, as a rule)."""
    id_codes, distinct = pd.factorize(np.asarray(subjects.dimension_ids, dtype=object))
    id_lists = [decode_dimension_ids(ids) for ids in distinct]
    names = list(dict.fromkeys(chain.from_iterable(id_lists)))
    code_of = {name: code for code, name in enumerate(names)}
    sets: dict[frozenset[str], int] = {}
    set_codes = np.asarray(
        [sets.setdefault(frozenset(ids), len(sets)) for ids in id_lists], dtype=np.int64
    )
    width = max((len(ids) for ids in id_lists), default=0)
    table = np.zeros((len(id_lists), width), dtype=np.int64)
    for row, ids in enumerate(id_lists):
        table[row, : len(ids)] = [code_of[name] for name in ids]
    lengths = np.asarray([len(ids) for ids in id_lists], dtype=np.int64)[id_codes]
    sizes = np.fromiter(map(len, subjects.dimension_scores), dtype=np.int64, count=len(id_codes))
    if np.any(sizes != lengths * 8):
        raise ValueError("stored dimension scores must be one float64 per dimension id")
    values = np.frombuffer(b"".join(subjects.dimension_scores), dtype="<f8").astype(np.float64)
    position = np.repeat(np.arange(len(id_codes), dtype=np.int64), lengths)
    offsets = np.cumsum(lengths) - lengths
    slot = np.arange(values.size, dtype=np.int64) - np.repeat(offsets, lengths)
    kept = ~np.isnan(values)
    all_code = table[id_codes[position], slot]
    return _DimensionScores(
        all_score=values,
        all_code=all_code,
        subject=position[kept],
        slot=slot[kept],
        code=all_code[kept],
        names=names,
        score=values[kept],
        lengths=lengths,
        dimension_set=set_codes[id_codes],
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector.

    A recompute creates about a million short-lived objects without reference cycles
    (the rows the driver returns, the columns, the encoded figures). Each few hundred
    of them trigger a collection, and the older generations are walked again and
    again: measured on 50,000 organisations, that doubled the time of reading a
    round. Reference counting frees all of it as usual.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def _recompute(
    db: AsyncSession,
    round_id: int,
    questionnaire_ids: Sequence[str],
    *,
    refresh_all: bool = False,
) -> int:
    """Recompute the figures of a round, questionnaire by questionnaire (peers never cross
    questionnaires); returns the number of assessments with stored figures."""
    closed = await _lock_round(db, round_id)
    count = 0
    with _collector_paused():
        for questionnaire_id in questionnaire_ids:
            subjects = await _load_subjects(db, round_id, questionnaire_id)
            at_close = closed and await _first_recompute_after_close(db, subjects)
            if len(subjects.ids):
                figures, snapshots = _figures_by_subject(
                    subjects, refresh_all=at_close or refresh_all
                )
                await _store(db, subjects, figures, snapshots, utcnow())
            await _remove_leftovers(db, subjects)
            count += len(subjects.ids)
    return count


async def _lock_round(db: AsyncSession, round_id: int) -> bool:
    """Lock the round for the rest of the transaction and say whether it is closed.

    One recompute of a round stores at a time (PostgreSQL; SQLite serialises writers
    anyway), so a recompute always sees the submissions of the recomputes before it."""
    round_ = await db.scalar(select(Round).where(Round.id == round_id).with_for_update())
    return round_ is not None and round_.state_on(utcnow().date()) == RoundState.CLOSED


async def _first_recompute_after_close(db: AsyncSession, subjects: _Subjects) -> bool:
    """True once per round × questionnaire, the first time after the round closed: then
    every peer group's snapshot is refreshed (DESIGN §7)."""
    key = (subjects.round_id, subjects.questionnaire_id)
    if await db.get(PeerSnapshotClose, key) is not None:
        return False
    db.add(PeerSnapshotClose(round_id=key[0], questionnaire_id=key[1]))
    await db.flush()
    return True


async def _remove_leftovers(db: AsyncSession, subjects: _Subjects) -> None:
    """Remove the stored figures of assessments that have no result any more. The rows in
    scope are counted first (from the index): as a rule there is nothing to remove."""
    scope = (
        AssessmentBenchmark.round_id == subjects.round_id,
        AssessmentBenchmark.questionnaire_id == subjects.questionnaire_id,
    )
    in_scope = await db.scalar(select(func.count()).select_from(AssessmentBenchmark).where(*scope))
    if in_scope == len(subjects.ids):
        return
    await db.execute(
        delete(AssessmentBenchmark).where(
            *scope,
            ~select(AssessmentResult.assessment_id)
            .where(AssessmentResult.assessment_id == AssessmentBenchmark.assessment_id)
            .exists(),
        )
    )


_STORED_COLUMNS: Final = (
    "assessment_id",
    "round_id",
    "questionnaire_id",
    "sector",
    "size_band",
    "method_version",
    "computed_at",
    "figures",
    "snapshot",
)


async def _store(
    db: AsyncSession,
    subjects: _Subjects,
    figures: list[bytes],
    snapshots: list[bytes],
    computed_at: dt.datetime,
) -> None:
    """Write the figures and snapshot entries that differ from what is stored (or the
    profile or method they were computed with): a submission moves the figures of its own
    organisation, and a group's refresh those of the group, as a rule a small part of a
    round; an unchanged row costs nothing to keep. ``computed_at`` of a row is when its
    figures or snapshot entries last changed."""
    changed = [
        index
        for index, (old, new, old_snapshot, new_snapshot) in enumerate(
            zip(subjects.stored_figures, figures, subjects.stored_snapshots, snapshots, strict=True)
        )
        if old != new or old_snapshot != new_snapshot
    ]
    if not changed:
        return
    ids = subjects.ids.tolist()
    columns: dict[str, list[Any]] = {
        "assessment_id": [ids[i] for i in changed],
        "sector": [subjects.sectors[i] for i in changed],
        "size_band": [subjects.size_bands[i] for i in changed],
        "figures": [figures[i] for i in changed],
        "snapshot": [snapshots[i] for i in changed],
    }
    constants = {
        "round_id": subjects.round_id,
        "questionnaire_id": subjects.questionnaire_id,
        "method_version": METHOD_VERSION,
        "computed_at": computed_at,
    }
    if db.get_bind().dialect.name == "postgresql":
        await _store_postgresql(db, columns, constants)
    else:
        await _store_rows(db, columns, constants)


def _upsert(statement: Any) -> Any:
    # round and questionnaire of an assessment never change: left out, so their index is
    # not touched
    return statement.on_conflict_do_update(
        index_elements=["assessment_id"],
        set_={name: statement.excluded[name] for name in _STORED_COLUMNS[3:]},
    )


async def _store_postgresql(
    db: AsyncSession, columns: dict[str, list[Any]], constants: dict[str, Any]
) -> None:
    """One statement: the columns as arrays, ``unnest`` into rows, upsert."""
    types: dict[str, Any] = {
        "assessment_id": Integer,
        "sector": String,
        "size_band": String,
        "figures": LargeBinary,
        "snapshot": LargeBinary,
    }
    rows = (
        func.unnest(
            *(bindparam(name, columns[name], type_=postgresql.ARRAY(types[name])) for name in types)
        )
        .table_valued(*types)
        .render_derived(name="stored")
    )
    table = cast(Table, AssessmentBenchmark.__table__)
    source = select(
        *(
            rows.c[name]
            if name in types
            else literal(constants[name], table.c[name].type).label(name)
            for name in _STORED_COLUMNS
        )
    )
    await db.execute(_upsert(pg_insert(table).from_select(list(_STORED_COLUMNS), source)))


async def _store_rows(
    db: AsyncSession, columns: dict[str, list[Any]], constants: dict[str, Any]
) -> None:
    """One ``executemany`` on the DBAPI cursor with ready tuples: each constant is converted
    once by its column type, skipping SQLAlchemy's per-row parameter work."""
    table = cast(Table, AssessmentBenchmark.__table__)
    statement = _upsert(sqlite_insert(table))
    connection = await db.connection()

    def store(sync: Connection) -> None:
        compiled = statement.compile(dialect=sync.dialect, column_keys=list(_STORED_COLUMNS))
        n_rows = len(columns["figures"])
        values = dict(columns)
        for name, constant in constants.items():
            process = table.c[name].type.bind_processor(sync.dialect)
            values[name] = [process(constant) if process else constant] * n_rows
        order = [name for name in compiled.positiontup or () if name in _STORED_COLUMNS]
        if sorted(order) != sorted(_STORED_COLUMNS):
            raise RuntimeError(f"unexpected parameters in the upsert: {compiled.positiontup}")
        rows = list(zip(*(values[name] for name in order), strict=True))
        cursor = sync.connection.cursor()
        try:
            cursor.executemany(str(compiled), rows)
        finally:
            cursor.close()

    await connection.run_sync(store)


def _hundredths(
    values: npt.NDArray[np.float64], kept: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int32]:
    """The ``kept`` values rounded half up to two decimals (:func:`round_half_up`), as
    integer hundredths; 0 elsewhere.

    Scores, ranks and percentiles lie in 0–100, where the same steps are done in place
    on the scaled values (about six times faster over a round's millions of figures);
    anything else takes the general function.
    """
    scaled = np.where(kept, values, 0.0)
    if scaled.size and (scaled.min() < 0 or scaled.max() >= 10_000):
        return np.rint(round_half_up(scaled) * 100).astype(np.int32)
    scaled *= 100.0
    np.round(scaled, 9, out=scaled)  # round_half_up's cleaning of binary error
    scaled += 0.5
    np.floor(scaled, out=scaled)
    return scaled.astype(np.int32)


@dataclass(frozen=True)
class _Slots:
    """Every subject's figure slots (one per dimension id of its result, then the overall
    score) in one flat layout, subject by subject."""

    offsets: npt.NDArray[np.int64]
    """Where each subject's slots start (and, last, the number of slots)."""
    subject: npt.NDArray[np.int64]
    index: npt.NDArray[np.int64]
    """Position of the slot among its subject's."""
    scope: npt.NDArray[np.int64]
    """What is comparable: a dimension (by id, across versions), or the overall score of a
    set of dimension ids."""
    score: npt.NDArray[np.float64]
    """The current score (NaN: none)."""


def _slots(subjects: _Subjects, dimensions: _DimensionScores) -> _Slots:
    n_names = len(dimensions.names)
    counts = dimensions.lengths + 1
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    subject = np.repeat(np.arange(len(subjects.ids), dtype=np.int64), counts)
    index = np.arange(int(offsets[-1]), dtype=np.int64) - offsets[subject]
    overall = index == dimensions.lengths[subject]
    scope = np.empty(int(offsets[-1]), dtype=np.int64)
    scope[~overall] = dimensions.all_code
    scope[overall] = n_names + dimensions.dimension_set
    score = np.empty(int(offsets[-1]), dtype=np.float64)
    score[~overall] = dimensions.all_score
    score[overall] = subjects.overall
    return _Slots(offsets, subject, index, scope, score)


def _snapshot_positions(slots: _Slots) -> npt.NDArray[np.int64]:
    """Per group level (rows) the position of each slot's snapshot entry in the subjects'
    stored snapshots laid end to end: a subject's entries are one run of its slots per level."""
    counts = np.diff(slots.offsets)[slots.subject]
    start = len(GROUP_LEVELS) * slots.offsets[slots.subject]
    return np.stack([start + level * counts + slots.index for level in range(len(GROUP_LEVELS))])


def _stored_snapshot(subjects: _Subjects, slots: _Slots) -> npt.NDArray[np.float64]:
    """The stored snapshot entries, one row per group level; NaN for a subject without
    valid ones (new, or computed for another result or method)."""
    counts = np.diff(slots.offsets)
    size = len(GROUP_LEVELS) * 8
    blobs = [
        stored
        if stored is not None and len(stored) == size * int(count)
        else np.full(len(GROUP_LEVELS) * int(count), np.nan).tobytes()
        for stored, count in zip(subjects.stored_snapshots, counts.tolist(), strict=True)
    ]
    entries = np.frombuffer(b"".join(blobs), dtype="<f8").astype(np.float64)
    snapshot: npt.NDArray[np.float64] = entries[_snapshot_positions(slots)]
    return snapshot


def _group_codes(subjects: _Subjects) -> npt.NDArray[np.int64]:
    """Per group level (rows) the code of every subject's group."""
    sector = pd.factorize(np.asarray(subjects.sectors, dtype=object))[0]
    size = pd.factorize(np.asarray(subjects.size_bands, dtype=object))[0]
    n_sizes = int(size.max(initial=0)) + 1
    return np.stack([sector * n_sizes + size, sector, np.zeros_like(sector)]).astype(np.int64)


def _refreshed(
    snapshot: npt.NDArray[np.float64],
    current: npt.NDArray[np.float64],
    slots: _Slots,
    groups: npt.NDArray[np.int64],
    refresh_all: bool,
) -> npt.NDArray[np.float64]:
    """The snapshots after this recompute (DESIGN §7): a group's snapshot takes its members'
    current scores once at least :data:`MIN_GROUP_SIZE` of them changed since it was
    taken (a new submission, a reopening, new scores), or when ``refresh_all`` (round
    close); otherwise it stays as it was, so a single submission never moves what others
    see. Each level keeps its own snapshot: a sector's refresh never moves a sector ×
    size band group's."""
    n_subjects = slots.offsets.size - 1
    refreshed = snapshot.copy()
    for level, group in enumerate(groups):
        old = snapshot[level]
        differs = ~((old == current) | (np.isnan(old) & np.isnan(current)))
        changed = np.bincount(slots.subject[differs], minlength=n_subjects) > 0
        changed_members = np.bincount(group[changed], minlength=int(group.max(initial=0)) + 1)
        refresh = refresh_all | (changed_members[group] >= MIN_GROUP_SIZE)
        take = refresh[slots.subject]
        refreshed[level, take] = current[take]
    return refreshed


def _figures_by_subject(
    subjects: _Subjects, *, refresh_all: bool = False
) -> tuple[list[bytes], list[bytes]]:
    """Refresh the peer groups' snapshots where due, compare every subject's current scores
    (every dimension and the overall score) with the snapshot of its group, and encode each
    subject's figures (one :data:`FIGURE_WIDTH` row per dimension id of its result, then
    one for the overall score) and its snapshot entries."""
    dimensions = _dimension_scores(subjects)
    slots = _slots(subjects, dimensions)
    groups = _group_codes(subjects)
    current = np.where(subjects.is_peer[slots.subject], slots.score, np.nan)
    snapshot = _refreshed(_stored_snapshot(subjects, slots), current, slots, groups, refresh_all)

    # Every slot with a current score is compared, at the first level whose snapshot holds
    # at least MIN_GROUP_SIZE other organisations.
    rows = np.flatnonzero(~np.isnan(slots.score))
    n_rows = rows.size
    level = np.full(n_rows, -1, dtype=np.int64)
    n_peers = np.zeros(n_rows, dtype=np.int64)
    rank = np.full(n_rows, np.nan)
    mean = np.full(n_rows, np.nan)
    dist = np.full((len(PERCENTILES), n_rows), np.nan)
    n_scopes = int(slots.scope.max(initial=0)) + 1
    for level_index, group in enumerate(groups):
        open_rows = np.flatnonzero(level < 0)
        if not open_rows.size:
            break
        key = group[slots.subject] * n_scopes + slots.scope
        chosen_slots = rows[open_rows]
        # only the groups someone still looks for at this level
        needed = np.zeros(int(key.max(initial=0)) + 1, dtype=bool)
        needed[key[chosen_slots]] = True
        in_snapshot = ~np.isnan(snapshot[level_index]) & needed[key]
        figures = snapshot_figures(
            key[in_snapshot],
            snapshot[level_index, in_snapshot],
            key[chosen_slots],
            slots.score[chosen_slots],
            snapshot[level_index, chosen_slots],
        )
        take = figures.n_peers >= MIN_GROUP_SIZE
        taken = open_rows[take]
        level[taken] = level_index
        n_peers[taken] = figures.n_peers[take]
        rank[taken] = figures.percentile_rank[take]
        mean[taken] = figures.mean[take]
        dist[:, taken] = figures.distribution[:, take]
    status = np.where(level >= 0, 0, 2)
    peers = PeerFigures(status, level, n_peers, rank, mean, dist)

    # Every subject has one figure per slot, in one table; no score means NO_SCORE.
    shown = peers.status == STATUSES.index("shown")
    computed = np.zeros((n_rows, FIGURE_WIDTH), dtype=np.int32)
    computed[:, 0] = np.where(shown, peers.level, TOO_FEW_PEERS)
    computed[:, 1] = peers.n_peers
    # Only what the group may show is stored (DESIGN §5): with fewer than QUARTILES_FROM
    # peers the rank and the mean in whole points, and each percentile from its group size on.
    whole = shown & (peers.n_peers < QUARTILES_FROM)
    for column, values in enumerate([peers.percentile_rank, peers.mean], start=2):
        in_points = round_half_up(np.where(whole, values, 0.0), 0)
        computed[:, column] = _hundredths(np.where(whole, in_points, values), shown)
    for row, percentile in enumerate(PERCENTILES):
        allowed = shown & (peers.n_peers >= shown_from(percentile))
        computed[:, 4 + row] = np.where(
            allowed, _hundredths(peers.distribution[row], allowed), np.where(shown, WITHHELD, 0)
        )
    records = np.zeros((int(slots.offsets[-1]), FIGURE_WIDTH), dtype="<i4")
    records[:, 0] = NO_SCORE
    records[rows] = computed

    buffer = records.tobytes()
    bounds = (slots.offsets * FIGURE_BYTES).tolist()
    figures_bytes = [buffer[start:end] for start, end in pairwise(bounds)]

    entries = np.empty(len(GROUP_LEVELS) * int(slots.offsets[-1]), dtype="<f8")
    entries[_snapshot_positions(slots)] = snapshot
    snapshot_buffer = entries.tobytes()
    snapshot_bounds = (slots.offsets * len(GROUP_LEVELS) * 8).tolist()
    snapshots = [snapshot_buffer[start:end] for start, end in pairwise(snapshot_bounds)]
    return figures_bytes, snapshots
