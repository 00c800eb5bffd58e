"""Benchmarks: recompute a round's peer figures in one vectorised pass and store them; read
them, the trend and the questionnaire quality for pages and the API (DESIGN §5).

When figures are recomputed
---------------------------
- :func:`recompute` (one round × questionnaire) when an assessment is submitted or
  reopened (called from :mod:`survey.assessments.service`);
- :func:`recompute_round` when a round closes (every questionnaire of the round in
  one pass, and the quality figures); there is no "close round" action yet, whoever
  adds it calls this;
- :func:`recompute_all` after the demo network is loaded.

Page views only read what is stored. The quality figures, which need every
answer of a round, are marked stale by a recompute and computed again on the
next request for them (or eagerly when the round closes).

Input: the stored overall and dimension scores that the scoring core wrote at
submission, with the scoring rules version, so a benchmark always compares the
published scores. The dimension scores are read from their compact copy on
``assessment_results`` (``dimension_scores``: one row per assessment to read instead
of one per dimension); ``dimension_results`` holds the same scores in full.

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

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any, Final, cast

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    String,
    Table,
    Text,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.models import Role
from survey.accounts.service import CurrentUser
from survey.assessments.models import (
    Answer,
    Assessment,
    AssessmentResult,
    AssessmentState,
    DimensionResult,
    QuestionnaireVersion,
    Response,
)
from survey.assessments.publishing import definition_of
from survey.benchmarks.core import MIN_GROUP_SIZE, PERCENTILES, peer_benchmarks
from survey.benchmarks.models import AssessmentBenchmark, QuestionnaireQuality
from survey.benchmarks.quality import floor_ceiling, questionnaire_quality
from survey.benchmarks.schemas import (
    FIGURE_FIELDS,
    StoredDimensionQuality,
    StoredFigure,
    StoredItemQuality,
    StoredVersionQuality,
)
from survey.db import UTCDateTime, utcnow
from survey.errors import Forbidden, NotFound
from survey.i18n import gettext as _
from survey.organisations.models import Organisation
from survey.questionnaires.schema import Questionnaire
from survey.rounds.models import Round
from survey.rounds.service import current_round, list_rounds
from survey.scoring import StoredAnswer, applicable_item_ids, item_score, round_half_up

__all__ = [
    "METHOD_VERSION",
    "OVERALL",
    "QualityFigures",
    "QualityPage",
    "StoredBenchmark",
    "can_see_quality",
    "ensure_quality_access",
    "load_benchmark",
    "quality",
    "quality_page",
    "recompute",
    "recompute_all",
    "recompute_round",
]

METHOD_VERSION: Final = "1"
"""Version of the benchmark definitions; stored with every result. Bump on any change."""

OVERALL: Final = ""
"""The dimension id under which the overall score's figures are stored."""

_FIGURES = msgspec.json.Encoder()
_FIGURES_DECODER = msgspec.json.Decoder(list[str | int | None])
_QUALITY_DECODER = msgspec.json.Decoder(list[StoredVersionQuality])


# --- recompute --------------------------------------------------------------------------------


async def recompute(db: AsyncSession, round_id: int, questionnaire_id: str) -> int:
    """Recompute and store the benchmarks of one round × questionnaire; mark its quality stale.

    Returns the number of assessments with stored figures.
    """
    count = await _recompute(db, [round_id], questionnaire_id)
    await db.execute(
        update(QuestionnaireQuality)
        .where(
            QuestionnaireQuality.round_id == round_id,
            QuestionnaireQuality.questionnaire_id == questionnaire_id,
        )
        .values(stale=True)
    )
    return count


async def recompute_round(db: AsyncSession, round_id: int) -> int:
    """Recompute the benchmarks of every questionnaire of a round in one pass, and its
    quality figures: call when the round closes."""
    count = await _recompute(db, [round_id], None)
    questionnaire_ids = await db.scalars(
        select(Assessment.questionnaire_id).where(Assessment.round_id == round_id).distinct()
    )
    for questionnaire_id in sorted(questionnaire_ids):
        await _refresh_quality(db, round_id, questionnaire_id)
    return count


async def recompute_all(db: AsyncSession) -> int:
    """Recompute the benchmarks of every round × questionnaire (demo seeding): one pass per
    round over all its questionnaires, which keeps the memory to that of one round."""
    await db.execute(update(QuestionnaireQuality).values(stale=True))
    count = 0
    for round_id in await db.scalars(select(Round.id).order_by(Round.opens_on)):
        count += await _recompute(db, [round_id], None)
    return count


@dataclass(frozen=True)
class _Subjects:
    """The assessments of a recompute (those with a stored result), as arrays."""

    ids: npt.NDArray[np.int64]
    round_ids: list[int]
    questionnaire_ids: list[str]
    version_ids: list[int]
    organisation_ids: npt.NDArray[np.int64]
    is_peer: npt.NDArray[np.bool_]
    sectors: list[str]
    size_bands: list[str]
    overall: npt.NDArray[np.float64]
    dimension_ids: list[str]
    dimension_scores: list[bytes]


def _filters(round_ids: Sequence[int] | None, questionnaire_id: str | None) -> list[Any]:
    filters: list[ColumnElement[bool]] = []
    if round_ids is not None:
        filters.append(Assessment.round_id.in_(round_ids))
    if questionnaire_id is not None:
        filters.append(Assessment.questionnaire_id == questionnaire_id)
    return filters


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
    """The result of ``statement`` column by column (lists of equal length).

    On PostgreSQL the server packs each column into one array (``array_agg`` over the
    same rows, so the arrays stay aligned), which the driver decodes far faster than
    hundreds of thousands of records; elsewhere the driver's rows are transposed.
    """
    width = len(statement.selected_columns)
    if db.get_bind().dialect.name == "postgresql":
        rows = statement.subquery()
        packed = await _fetch(db, select(*(func.array_agg(column) for column in rows.c)))
        return [list(values or []) for values in packed[0]]
    fetched = await _fetch(db, statement)
    return [[row[index] for row in fetched] for index in range(width)]


async def _load_subjects(db: AsyncSession, filters: list[Any]) -> _Subjects:
    columns = await _fetch_columns(
        db,
        select(
            Assessment.id,
            Assessment.round_id,
            Assessment.questionnaire_id,
            Assessment.questionnaire_version_id,
            Assessment.organisation_id,
            case((Assessment.state == AssessmentState.SUBMITTED.value, 1), else_=0),
            Organisation.sector,
            Organisation.size_band,
            AssessmentResult.score,
            AssessmentResult.dimension_ids,
            AssessmentResult.dimension_scores,
        )
        .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .where(*filters)
        .order_by(Assessment.id),
    )
    return _Subjects(
        ids=np.asarray(columns[0], dtype=np.int64),
        round_ids=list(columns[1]),
        questionnaire_ids=list(columns[2]),
        version_ids=list(columns[3]),
        organisation_ids=np.asarray(columns[4], dtype=np.int64),
        is_peer=np.asarray(columns[5], dtype=bool),
        sectors=list(columns[6]),
        size_bands=list(columns[7]),
        overall=pd.Series(columns[8], dtype=np.float64).to_numpy(),
        dimension_ids=list(columns[9]),
        dimension_scores=[bytes(value) for value in columns[10]],
    )


_DIMENSION_IDS_DECODER = msgspec.json.Decoder(list[str])


def _dimension_scores(
    subjects: _Subjects,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], list[str], npt.NDArray[np.float64]]:
    """The subjects' stored dimension scores (``AssessmentResult.dimension_ids`` and
    ``dimension_scores``) as columns: subject position, dimension code, the dimension ids
    the codes index, score; rows without a score left out.

    The scores of all subjects are one buffer of float64; the id lists are decoded once
    per distinct list (once per questionnaire version, as a rule).
    """
    id_codes, distinct = pd.factorize(np.asarray(subjects.dimension_ids, dtype=object))
    id_lists = [_DIMENSION_IDS_DECODER.decode(ids) for ids in distinct]
    names = list(dict.fromkeys(chain.from_iterable(id_lists)))
    code_of = {name: code for code, name in enumerate(names)}
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
    local = np.arange(values.size, dtype=np.int64) - np.repeat(offsets, lengths)
    codes = table[id_codes[position], local]
    kept = ~np.isnan(values)
    return position[kept], codes[kept], names, values[kept]


async def _dimension_signatures(db: AsyncSession, version_ids: set[int]) -> dict[int, int]:
    """Version id → a number shared by the versions with the same set of dimension ids."""
    if not version_ids:
        return {}
    versions = await db.scalars(
        select(QuestionnaireVersion).where(QuestionnaireVersion.id.in_(version_ids))
    )
    signatures: dict[tuple[str, frozenset[str]], int] = {}
    by_version: dict[int, int] = {}
    for version in versions:
        key = (
            version.questionnaire_id,
            frozenset(d.id for d in definition_of(version).dimensions),
        )
        by_version[version.id] = signatures.setdefault(key, len(signatures))
    return by_version


async def _recompute(
    db: AsyncSession, round_ids: Sequence[int] | None, questionnaire_id: str | None
) -> int:
    # One recompute of a round at a time (PostgreSQL; SQLite serialises writers anyway), so
    # a recompute always sees the submissions of the recomputes before it.
    lock = select(Round.id).order_by(Round.id).with_for_update()
    if round_ids is not None:
        lock = lock.where(Round.id.in_(round_ids))
    await db.execute(lock)

    filters = _filters(round_ids, questionnaire_id)
    subjects = await _load_subjects(db, filters)
    signature_of = await _dimension_signatures(db, set(subjects.version_ids))
    computed_at = utcnow()
    if len(subjects.ids):
        figures = _figures_by_subject(subjects, signature_of)
        await _store(db, subjects, figures, computed_at)
    # What is left from before belongs to assessments that have no result any more.
    leftover = delete(AssessmentBenchmark).where(AssessmentBenchmark.computed_at < computed_at)
    if round_ids is not None:
        leftover = leftover.where(AssessmentBenchmark.round_id.in_(round_ids))
    if questionnaire_id is not None:
        leftover = leftover.where(AssessmentBenchmark.questionnaire_id == questionnaire_id)
    await db.execute(leftover)
    return len(subjects.ids)


_STORED_COLUMNS: Final = (
    "assessment_id",
    "round_id",
    "questionnaire_id",
    "sector",
    "size_band",
    "method_version",
    "computed_at",
    "figures",
)


async def _store(
    db: AsyncSession, subjects: _Subjects, figures: list[str], computed_at: dt.datetime
) -> None:
    """Insert or update one row per subject (an update in place is much cheaper than
    deleting and inserting every row of a round)."""
    columns: dict[str, list[Any]] = {
        "assessment_id": subjects.ids.tolist(),
        "round_id": subjects.round_ids,
        "questionnaire_id": subjects.questionnaire_ids,
        "sector": subjects.sectors,
        "size_band": subjects.size_bands,
        "figures": figures,
    }
    if db.get_bind().dialect.name == "postgresql":
        await _store_postgresql(db, columns, computed_at)
    else:
        await _store_rows(db, columns, computed_at)


def _upsert(statement: Any) -> Any:
    # round and questionnaire of an assessment never change: left out, so their index is
    # not touched
    return statement.on_conflict_do_update(
        index_elements=["assessment_id"],
        set_={name: statement.excluded[name] for name in _STORED_COLUMNS[3:]},
    )


async def _store_postgresql(
    db: AsyncSession, columns: dict[str, list[Any]], computed_at: dt.datetime
) -> None:
    """One statement: the columns as arrays, ``unnest`` into rows, upsert."""
    types: dict[str, Any] = {
        "assessment_id": Integer,
        "round_id": Integer,
        "questionnaire_id": String,
        "sector": String,
        "size_band": String,
        "figures": Text,
    }
    rows = (
        func.unnest(
            *(bindparam(name, columns[name], type_=postgresql.ARRAY(types[name])) for name in types)
        )
        .table_valued(*types)
        .render_derived(name="stored")
    )
    source = select(
        *(rows.c[name] for name in _STORED_COLUMNS[:5]),
        literal(METHOD_VERSION, String),
        literal(computed_at, UTCDateTime()),
        rows.c.figures,
    )
    await db.execute(
        _upsert(
            pg_insert(cast(Table, AssessmentBenchmark.__table__)).from_select(
                list(_STORED_COLUMNS), source
            )
        )
    )


async def _store_rows(
    db: AsyncSession, columns: dict[str, list[Any]], computed_at: dt.datetime
) -> None:
    """One ``executemany`` on the DBAPI cursor with ready tuples: the one timestamp is
    converted once by its column type, skipping SQLAlchemy's per-row parameter work."""
    table = cast(Table, AssessmentBenchmark.__table__)
    statement = _upsert(sqlite_insert(table))
    connection = await db.connection()

    def store(sync: Connection) -> None:
        compiled = statement.compile(dialect=sync.dialect, column_keys=list(_STORED_COLUMNS))
        process = table.c.computed_at.type.bind_processor(sync.dialect)
        n_rows = len(columns["figures"])
        constants = {
            "method_version": [METHOD_VERSION] * n_rows,
            "computed_at": [process(computed_at) if process else computed_at] * n_rows,
        }
        order = [name for name in compiled.positiontup or () if name in _STORED_COLUMNS]
        if sorted(order) != sorted(_STORED_COLUMNS):
            raise RuntimeError(f"unexpected parameters in the upsert: {compiled.positiontup}")
        rows = list(zip(*({**columns, **constants}[name] for name in order), strict=True))
        cursor = sync.connection.cursor()
        try:
            cursor.executemany(str(compiled), rows)
        finally:
            cursor.close()

    await connection.run_sync(store)


def _hundredths(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Values rounded half up to two decimals, as integer hundredths (NaN becomes 0)."""
    rounded = round_half_up(np.nan_to_num(values))
    return np.rint(rounded * 100).astype(np.int64)


def _figures_by_subject(subjects: _Subjects, signature_of: dict[int, int]) -> list[str]:
    """Build the peer frame of every subject × dimension (and overall), run the core once,
    and encode each subject's figures (see :class:`StoredFigure` for the layout)."""
    n_subjects = len(subjects.ids)
    d_position, dimension_codes, dimension_names, d_scores = _dimension_scores(subjects)

    # scope = (round, questionnaire, dimension or overall-of-a-dimension-set): what is comparable
    n_dimension_codes = len(dimension_names) + max(signature_of.values(), default=0) + 1
    round_codes = pd.factorize(np.asarray(subjects.round_ids))[0].astype(np.int64)
    questionnaire_codes, questionnaire_names = pd.factorize(np.asarray(subjects.questionnaire_ids))
    scope_base = (
        round_codes * len(questionnaire_names) + questionnaire_codes.astype(np.int64)
    ) * n_dimension_codes
    overall_rows = np.flatnonzero(~np.isnan(subjects.overall))
    overall_codes = len(dimension_names) + np.asarray(
        [signature_of.get(v, 0) for v in subjects.version_ids], dtype=np.int64
    )
    position = np.concatenate([d_position, overall_rows]).astype(np.int64)
    name_index = np.concatenate(
        [dimension_codes, np.full(overall_rows.size, len(dimension_names))]
    ).astype(np.int64)
    frame = pd.DataFrame(
        {
            "scope": scope_base[position]
            + np.concatenate([dimension_codes.astype(np.int64), overall_codes[overall_rows]]),
            "organisation": subjects.organisation_ids[position],
            "sector": pd.factorize(np.asarray(subjects.sectors, dtype=object))[0][position],
            "size_band": pd.factorize(np.asarray(subjects.size_bands, dtype=object))[0][position],
            "score": np.concatenate([d_scores, subjects.overall[overall_rows]]),
            "is_peer": subjects.is_peer[position],
        }
    )
    result = peer_benchmarks(frame)

    # One flat row of FIGURE_FIELDS values per figure, grouped by subject. The numbers are
    # small non-negative integers: they are boxed once and then referenced, not boxed
    # again for every figure.
    order = np.argsort(position, kind="stable")
    shown = (result["status"] == "shown").to_numpy()[order]
    numbers = np.column_stack(
        [
            result["n_peers"].to_numpy(dtype=np.int64),
            _hundredths(result["percentile_rank"].to_numpy(dtype=np.float64)),
            *(_hundredths(result[f"p{q}"].to_numpy(dtype=np.float64)) for q in PERCENTILES),
        ]
    )[order]
    boxed = np.empty(int(numbers.max(initial=0)) + 2, dtype=object)
    boxed[:-1] = range(boxed.size - 1)
    boxed[-1] = None
    numbers[~shown] = boxed.size - 1
    flat = np.empty((order.size, FIGURE_FIELDS), dtype=object)
    flat[:, 0] = np.asarray([*dimension_names, OVERALL], dtype=object)[name_index[order]]
    flat[:, 1] = result["peer_group"].to_numpy()[order]
    flat[:, 2:] = boxed[numbers]
    values = flat.reshape(-1).tolist()

    sorted_position = position[order]
    boundaries = np.flatnonzero(np.diff(sorted_position)) + 1
    starts = np.concatenate([[0], boundaries]).astype(np.int64)
    ends = np.concatenate([boundaries, [order.size]]).astype(np.int64)
    encoded = ["[]"] * n_subjects
    if order.size:
        for owner, start, end in zip(
            sorted_position[starts].tolist(),
            (starts * FIGURE_FIELDS).tolist(),
            (ends * FIGURE_FIELDS).tolist(),
            strict=True,
        ):
            encoded[owner] = _FIGURES.encode(values[start:end]).decode()
    return encoded


# --- reading: the benchmark of one assessment and its trend ------------------------------------


@dataclass
class StoredBenchmark:
    """What the result page and the API need: the stored figures, and the previous round."""

    row: AssessmentBenchmark
    figures: dict[str, StoredFigure]
    previous_round: Round | None = None
    previous_scores: dict[str, float] = field(default_factory=dict)
    previous_overall: float | None = None


async def load_benchmark(
    db: AsyncSession, assessment: Assessment, round_: Round, questionnaire: Questionnaire
) -> StoredBenchmark | None:
    """The stored benchmark of an assessment with the scores of its previous round.

    The previous round is the latest earlier round (by opening date) in which the
    organisation has scores for the same questionnaire. Dimension changes are
    given per dimension id; the overall change only when both versions have the
    same set of dimension ids. The caller has checked access (``get_context``).
    """
    row = await db.get(AssessmentBenchmark, assessment.id)
    if row is None or row.method_version != METHOD_VERSION:
        return None  # not computed yet, or by other definitions: wait for the next recompute
    figures = {
        f.dimension_id: f for f in StoredFigure.from_flat(_FIGURES_DECODER.decode(row.figures))
    }
    stored = StoredBenchmark(row=row, figures=figures)
    previous = (
        await db.execute(
            select(Assessment, Round, AssessmentResult)
            .join(Round, Round.id == Assessment.round_id)
            .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
            .where(
                Assessment.organisation_id == assessment.organisation_id,
                Assessment.questionnaire_id == assessment.questionnaire_id,
                Round.opens_on < round_.opens_on,
            )
            .order_by(Round.opens_on.desc())
            .limit(1)
        )
    ).first()
    if previous is None:
        return stored
    previous_assessment, previous_round, previous_result = previous
    stored.previous_round = previous_round
    stored.previous_scores = {
        d.dimension_id: d.score
        for d in await db.scalars(
            select(DimensionResult).where(
                DimensionResult.assessment_id == previous_assessment.id,
                DimensionResult.score.is_not(None),
            )
        )
        if d.score is not None
    }
    previous_version = await db.get(
        QuestionnaireVersion, previous_assessment.questionnaire_version_id
    )
    same_dimensions = previous_version is not None and {
        d.id for d in definition_of(previous_version).dimensions
    } == {d.id for d in questionnaire.dimensions}
    if same_dimensions:
        stored.previous_overall = previous_result.score
    return stored


# --- questionnaire quality -------------------------------------------------------------------


def can_see_quality(user: CurrentUser) -> bool:
    return user.has_role(Role.ADMIN) or user.has_role(Role.ANALYST)


def ensure_quality_access(user: CurrentUser) -> None:
    if not can_see_quality(user):
        raise Forbidden(_("Only administrators and VGC analysts can see questionnaire quality."))


@dataclass(frozen=True)
class QualityFigures:
    computed_at: dt.datetime
    versions: list[StoredVersionQuality]


async def quality(db: AsyncSession, round_id: int, questionnaire_id: str) -> QualityFigures:
    """The stored quality figures of a questionnaire in a round, computed first when
    missing or stale (an assessment was submitted or reopened since)."""
    row = await db.get(QuestionnaireQuality, (round_id, questionnaire_id))
    if row is None or row.stale:
        row = await _refresh_quality(db, round_id, questionnaire_id)
    return QualityFigures(row.computed_at, _QUALITY_DECODER.decode(row.figures))


async def _refresh_quality(
    db: AsyncSession, round_id: int, questionnaire_id: str
) -> QuestionnaireQuality:
    versions = await _compute_quality(db, round_id, questionnaire_id)
    values = {
        "round_id": round_id,
        "questionnaire_id": questionnaire_id,
        "stale": False,
        "computed_at": utcnow(),
        "figures": msgspec.json.encode(versions).decode(),
    }
    dialect_insert = pg_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    await db.execute(
        dialect_insert(QuestionnaireQuality)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["round_id", "questionnaire_id"],
            set_={k: v for k, v in values.items() if k not in ("round_id", "questionnaire_id")},
        )
    )
    row = await db.scalar(
        select(QuestionnaireQuality)
        .where(
            QuestionnaireQuality.round_id == round_id,
            QuestionnaireQuality.questionnaire_id == questionnaire_id,
        )
        .execution_options(populate_existing=True)
    )
    assert row is not None
    return row


async def _compute_quality(
    db: AsyncSession, round_id: int, questionnaire_id: str
) -> list[StoredVersionQuality]:
    """Item scores of the consolidated responses of every submitted assessment, per version."""
    submitted = (
        await db.execute(
            select(Assessment.id, Assessment.questionnaire_version_id).where(
                Assessment.round_id == round_id,
                Assessment.questionnaire_id == questionnaire_id,
                Assessment.state == AssessmentState.SUBMITTED,
            )
        )
    ).all()
    version_of: dict[int, int] = {row.id: row.questionnaire_version_id for row in submitted}
    answers: dict[int, dict[str, StoredAnswer]] = {a: {} for a in version_of}
    for assessment_id, item_id, value, not_applicable in (
        await db.execute(
            select(Response.assessment_id, Answer.item_id, Answer.value, Answer.not_applicable)
            .join(Response, Response.id == Answer.response_id)
            .join(Assessment, Assessment.id == Response.assessment_id)
            .where(
                Assessment.round_id == round_id,
                Assessment.questionnaire_id == questionnaire_id,
                Assessment.state == AssessmentState.SUBMITTED,
                Response.is_consolidated.is_(True),
            )
        )
    ).all():
        answers[assessment_id][item_id] = StoredAnswer(value=value, not_applicable=not_applicable)
    dimension_scores = (
        await db.execute(
            select(
                DimensionResult.assessment_id, DimensionResult.dimension_id, DimensionResult.score
            )
            .join(Assessment, Assessment.id == DimensionResult.assessment_id)
            .where(
                Assessment.round_id == round_id,
                Assessment.questionnaire_id == questionnaire_id,
                Assessment.state == AssessmentState.SUBMITTED,
                DimensionResult.score.is_not(None),
            )
        )
    ).all()
    results: list[StoredVersionQuality] = []
    for version_id in sorted(set(version_of.values())):
        version = await db.get(QuestionnaireVersion, version_id)
        assert version is not None
        members = [a for a, v in version_of.items() if v == version_id]
        scores = pd.DataFrame(
            [row for row in dimension_scores if version_of.get(row[0]) == version_id],
            columns=["assessment_id", "dimension_id", "score"],
        )
        results.append(_version_quality(version, definition_of(version), members, answers, scores))
    return results


def _item_rows(
    questionnaire: Questionnaire, members: list[int], answers: dict[int, dict[str, StoredAnswer]]
) -> pd.DataFrame:
    conditional = any(item.applies_if is not None for item in questionnaire.items)
    columns: dict[str, list[Any]] = {
        "organisation": [],
        "dimension_id": [],
        "item_id": [],
        "item_score": [],
        "not_applicable": [],
    }
    for assessment_id in members:
        given = answers[assessment_id]
        applies = applicable_item_ids(questionnaire, given) if conditional else None
        for dimension in questionnaire.dimensions:
            for item in dimension.items:
                if not item.is_scored or (applies is not None and item.id not in applies):
                    continue
                answer = given.get(item.id)
                score: float | None = None
                if answer is not None and not answer.not_applicable:
                    try:
                        score = item_score(item, answer.value)
                    except ValueError:
                        score = None  # a stored value the item no longer takes
                columns["organisation"].append(assessment_id)
                columns["dimension_id"].append(dimension.id)
                columns["item_id"].append(item.id)
                columns["item_score"].append(np.nan if score is None else score)
                columns["not_applicable"].append(bool(answer and answer.not_applicable))
    return pd.DataFrame(
        {
            "organisation": pd.Series(columns["organisation"], dtype=np.int64),
            "dimension_id": pd.Series(columns["dimension_id"], dtype=object),
            "item_id": pd.Series(columns["item_id"], dtype=object),
            "item_score": pd.Series(columns["item_score"], dtype=np.float64),
            "not_applicable": pd.Series(columns["not_applicable"], dtype=bool),
        }
    )


def _optional(value: Any) -> float | None:
    number = float(value)
    return None if np.isnan(number) else number


def _version_quality(
    version: QuestionnaireVersion,
    questionnaire: Questionnaire,
    members: list[int],
    answers: dict[int, dict[str, StoredAnswer]],
    scores: pd.DataFrame,
) -> StoredVersionQuality:
    items = _item_rows(questionnaire, members, answers)
    dimension_frame, item_frame = questionnaire_quality(items)
    by_dimension = {row["dimension_id"]: row for row in dimension_frame.to_dict("records")}
    item_records = item_frame.to_dict("records")
    dimensions: list[StoredDimensionQuality] = []
    for dimension in questionnaire.dimensions:
        row = by_dimension.get(dimension.id)
        if row is None:  # no scored items in this dimension
            continue
        suppressed = bool(row["suppressed"])
        dimension_scores = scores.loc[scores["dimension_id"] == dimension.id, "score"]
        enough_scores = len(dimension_scores) >= MIN_GROUP_SIZE and not suppressed
        floor, ceiling = (
            floor_ceiling(dimension_scores.to_numpy(dtype=np.float64), 0.0, 100.0)
            if enough_scores
            else (float("nan"), float("nan"))
        )
        dimensions.append(
            StoredDimensionQuality(
                dimension_id=dimension.id,
                n_organisations=int(row["n_organisations"]),
                suppressed=suppressed,
                alpha=_optional(row["alpha"]),
                score_floor_share=_optional(floor),
                score_ceiling_share=_optional(ceiling),
                items=[
                    StoredItemQuality(
                        item_id=str(item["item_id"]),
                        n_answers=int(item["n_answers"]),
                        n_not_applicable=int(item["n_not_applicable"]),
                        suppressed=bool(item["suppressed"]),
                        item_rest=_optional(item["item_rest"]),
                        not_applicable_share=_optional(item["not_applicable_share"]),
                        floor_share=_optional(item["floor_share"]),
                        ceiling_share=_optional(item["ceiling_share"]),
                    )
                    for item in item_records
                    if item["dimension_id"] == dimension.id
                ],
            )
        )
    return StoredVersionQuality(
        version=version.version,
        questionnaire_version_id=version.id,
        n_organisations=len(members),
        dimensions=dimensions,
    )


@dataclass(frozen=True)
class QualityPage:
    """Everything the quality page and its API answer need."""

    questionnaire_id: str
    round: Round
    rounds: list[Round]
    figures: QualityFigures
    definitions: dict[int, Questionnaire]


async def quality_page(
    db: AsyncSession, user: CurrentUser, questionnaire_id: str, round_name: str | None
) -> QualityPage:
    """The quality figures of a questionnaire in a round (by name; default: the open round,
    else the latest). Admins and analysts only (:class:`Forbidden`); an unknown
    questionnaire or round is :class:`NotFound`."""
    ensure_quality_access(user)
    known = await db.scalar(
        select(QuestionnaireVersion.id)
        .where(QuestionnaireVersion.questionnaire_id == questionnaire_id)
        .limit(1)
    )
    if known is None:
        raise NotFound(_("There is no questionnaire with this id."))
    rounds = await list_rounds(db)
    if round_name:
        chosen = next((r for r in rounds if r.name == round_name), None)
    else:
        chosen = await current_round(db) or (rounds[0] if rounds else None)
    if chosen is None:
        raise NotFound(_("There is no round with this name."))
    figures = await quality(db, chosen.id, questionnaire_id)
    definitions = {}
    for version in figures.versions:
        stored = await db.get(QuestionnaireVersion, version.questionnaire_version_id)
        if stored is not None:
            definitions[version.questionnaire_version_id] = definition_of(stored)
    return QualityPage(questionnaire_id, chosen, rounds, figures, definitions)
