"""Taking and reading indicator releases (DESIGN §7).

A release is taken

- when a round closes (:func:`release_at_close`, listening to ``RoundClosed``), and for a
  round closed by its date, by the first ``survey indicators release`` or admin request
  after the date (:func:`take_release` with the round closed takes the closing release);
- in an open round when an admin asks (the command line or the button on the page), if
  at least :data:`~survey.indicators.privacy.CHANGED_BELOW` (5) organisations changed
  since the previous release of the round (a submission, a reopening, a new submission, a
  changed profile); otherwise the request is refused (409).

The release computes every cell of the round from the stored results
(:mod:`survey.indicators.core`), applies the privacy rules
(:mod:`survey.indicators.privacy`, with the cells' changes since the previous release of
the round) and stores one row per filter combination. Views and the API only read a
stored release (:func:`read_cells`), and say which release they show.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import struct
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import (
    Connection,
    Executable,
    Select,
    delete,
    insert,
    null,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from survey import events
from survey.accounts.models import Role
from survey.accounts.service import CurrentUser
from survey.assessments.models import (
    Assessment,
    AssessmentResult,
    AssessmentState,
    decode_dimension_ids,
)
from survey.audit.service import record
from survey.db import utcnow
from survey.errors import Conflict, Forbidden, NotFound
from survey.i18n import gettext as _
from survey.indicators import core, privacy
from survey.indicators.models import IndicatorCellSet, IndicatorRelease
from survey.organisations.models import Organisation
from survey.organisations.reference import MUNICIPALITY_CODES
from survey.rounds.models import Round, RoundState
from survey.rounds.service import list_rounds, round_to_show, today
from survey.trajectories.models import SupportRequest

__all__ = [
    "Filters",
    "ReleaseView",
    "can_see_indicators",
    "changed_since_release",
    "ensure_indicator_access",
    "latest_release",
    "read_cells",
    "release_at_close",
    "take_release",
]

STORED_COLUMNS = ("family", "n_organisations", "suppressed", *core.VALUE_COLUMNS)
"""The first layout of the stored cells (releases taken before the compact one; their
:attr:`~IndicatorRelease.columns` is this list): every cell a row of float64, one column
per name."""

CELL_LAYOUT: dict[str, Any] = {
    "layout": 2,
    "values": list(core.VALUE_COLUMNS),
    "indicators": {kind: list(names) for kind, names in core.STATISTICS.items()},
}
"""The compact layout of the stored cells (:attr:`~IndicatorRelease.columns` of a release
taken with it). The blob of one filter combination holds, little-endian: the number of
cells R and of stored values V (two uint32); the V values (float64): for each cell that
is not suppressed, the statistics its indicator has (``indicators``), in that order; then
per cell its ``n_organisations`` (int32), family (uint16) and suppressed flag (uint8).
What is not stored (another indicator's statistic, a suppressed cell's values) has no
value. About a quarter of the first layout's bytes."""

_HEADER = struct.Struct("<II")
_MEMBERS = msgspec.msgpack.Encoder()
_MEMBERS_DECODER = msgspec.msgpack.Decoder()
_MEMBER_COLUMNS = ("organisation_id", *core.FILTERS, "questionnaire", "stamp")
_MEMBER_TEXTS = ("sector", "size_band", "municipality", "questionnaire")


def can_see_indicators(user: CurrentUser) -> bool:
    return user.has_role(Role.ANALYST) or user.has_role(Role.ADMIN)


def ensure_indicator_access(user: CurrentUser) -> None:
    if not can_see_indicators(user):
        raise Forbidden(_("Only VGC analysts and administrators can see network indicators."))


# --- Loading a round ----------------------------------------------------------------------


async def _driver_rows(db: AsyncSession, statement: Executable) -> list[Sequence[Any]]:
    """The rows of ``statement`` as the database driver returns them, in the session's
    transaction: no SQLAlchemy row objects and no type processing, which cost more than the
    query over the hundreds of thousands of rows a release reads. The callers convert the
    raw values column by column (SQLite gives text for a moment and 0/1 for a flag,
    PostgreSQL a datetime and a bool)."""
    connection = await db.connection()
    result = await connection.execute(statement)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


async def _driver_chunks(
    db: AsyncSession,
    statement: Select[Any],
    take: Callable[[Sequence[Sequence[Any]]], None],
    size: int = 20_000,
) -> None:
    """:func:`_driver_rows` of a large read ``size`` rows at a time, each chunk handed to
    ``take`` (through a server-side cursor): the rows of one chunk are let go before the
    next is read, so their memory is used again instead of asked anew from the system.

    ``statement`` binds only numbers and texts (passed to the driver as they are)."""
    connection = await db.connection()

    def read(sync: Connection) -> None:
        compiled = statement.compile(
            dialect=sync.dialect, compile_kwargs={"render_postcompile": True}
        )
        bound = compiled.construct_params()
        parameters: Any = (
            tuple(bound[name] for name in compiled.positiontup)
            if compiled.positiontup is not None
            else bound
        )
        dbapi = sync.connection.dbapi_connection
        if dbapi is None:
            raise RuntimeError("the session's connection is closed")
        cursor = dbapi.cursor(server_side=True)
        try:
            cursor.execute(str(compiled), parameters)
            while rows := cursor.fetchmany(size):
                take(rows)
        finally:
            cursor.close()

    await connection.run_sync(read)


def _columns(rows: Sequence[Sequence[Any]], count: int) -> list[list[Any]]:
    """Rows as columns (a list per column: cheaper than ``zip(*rows)`` over many rows)."""
    return [[row[i] for row in rows] for i in range(count)]


async def _organisations(db: AsyncSession) -> pd.DataFrame:
    statement = select(
        Organisation.id,
        Organisation.sector,
        Organisation.size_band,
        Organisation.municipality,
        Organisation.funded_by_vgc,
    )
    ids, sectors, size_bands, municipalities, funded = _columns(
        await _driver_rows(db, statement), 5
    )
    return pd.DataFrame(
        {
            "organisation_id": np.asarray(ids, dtype=np.int64),
            "sector": np.asarray(sectors, dtype=object),
            "size_band": np.asarray(size_bands, dtype=object),
            "municipality": np.asarray(municipalities, dtype=object),
            "funded": np.asarray(funded, dtype=bool),
        }
    ).infer_objects()


def _frame(rows: Sequence[Any], columns: list[str]) -> pd.DataFrame:
    """A frame of result rows, built column by column (pandas probing every SQLAlchemy row
    for named-tuple attributes costs more than the query)."""
    values = _columns(rows, len(columns))
    return pd.DataFrame(
        {
            name: np.asarray(column, dtype=object)
            for name, column in zip(columns, values, strict=True)
        }
    ).infer_objects()


def _submitted(round_id: int, *columns: Any) -> Select[Any]:
    """``columns`` of the submitted assessments of a round that have a result."""
    return (
        select(*columns)
        .join(AssessmentResult, AssessmentResult.assessment_id == Assessment.id)
        .where(
            Assessment.round_id == round_id,
            Assessment.state == AssessmentState.SUBMITTED.value,
        )
    )


async def _scores(db: AsyncSession, round_id: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(scores, members) of the submitted assessments of a round: the overall and dimension
    scores in long form, and one row per assessment with its moment of submission."""
    return await _score_rows(db, round_id, with_moments=True)


async def _score_rows(
    db: AsyncSession, round_id: int, *, with_moments: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scores of the submitted assessments of a round in long form, and one row per
    assessment: ``organisation_id``, ``questionnaire`` and, ``with_moments``, ``stamp`` (its
    moment of submission, :func:`stamps`)."""
    moment = Assessment.submitted_at if with_moments else null()
    q_index: dict[str, int] = {}
    ids_index: dict[str, int] = {}
    parts: dict[str, list[Any]] = {
        name: [] for name in ("organisation", "questionnaire", "stamp", "overall", "ids", "scores")
    }

    def take(rows: Sequence[Sequence[Any]]) -> None:
        """Each column of a chunk as an array (texts as codes, moments as stamps)."""
        parts["organisation"].append(np.asarray([row[0] for row in rows], dtype=np.int64))
        parts["questionnaire"].append(
            np.asarray([q_index.setdefault(row[1], len(q_index)) for row in rows], np.int64)
        )
        if with_moments:
            parts["stamp"].append(stamps([row[2] for row in rows]))
        parts["overall"].append(np.asarray([row[3] for row in rows], dtype=np.float64))
        parts["ids"].append(
            np.asarray([ids_index.setdefault(row[4], len(ids_index)) for row in rows], np.int64)
        )
        parts["scores"].append(b"".join([row[5] for row in rows]))

    await _driver_chunks(
        db,
        _submitted(
            round_id,
            Assessment.organisation_id,
            Assessment.questionnaire_id,
            moment,
            AssessmentResult.score,
            AssessmentResult.dimension_ids,
            AssessmentResult.dimension_scores,
        ),
        take,
    )

    def joined(name: str, dtype: Any) -> Any:
        return np.concatenate(parts[name]) if parts[name] else np.zeros(0, dtype)

    org_ids, q_found = joined("organisation", np.int64), joined("questionnaire", np.int64)
    overall, id_codes = joined("overall", np.float64), joined("ids", np.int64)  # NaN: none
    packed = b"".join(parts["scores"])
    n_rows = org_ids.size
    id_lists = [decode_dimension_ids(ids) for ids in ids_index]
    lengths = np.asarray([len(ids) for ids in id_lists], dtype=np.int64)[id_codes]
    values = np.frombuffer(packed, dtype="<f8").astype(np.float64)
    if values.size != int(lengths.sum()):
        raise ValueError("stored dimension scores must be one float64 per dimension id")
    # Questionnaire and dimension as categorical codes (sorted categories): the core
    # groups by them without hashing millions of strings.
    vocabulary = sorted({name for ids in id_lists for name in ids} | {"overall"})
    code_of = {name: code for code, name in enumerate(vocabulary)}
    name_codes = np.asarray([code_of[name] for ids in id_lists for name in ids] or [0], np.int64)
    starts = np.concatenate([[0], np.cumsum([len(ids) for ids in id_lists])])[:-1]
    position = np.repeat(np.arange(n_rows), lengths)
    slot = np.arange(values.size) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    dimension_codes = (
        name_codes[starts[id_codes[position]] + slot] if values.size else np.zeros(0, np.int64)
    )
    q_categories = sorted(q_index)
    q_rank = np.zeros(len(q_index), np.int64)
    q_rank[[q_index[q] for q in q_categories]] = np.arange(len(q_categories))
    q_codes = q_rank[q_found]
    frame = pd.DataFrame(
        {
            "organisation_id": np.concatenate([org_ids[position], org_ids]),
            "questionnaire": pd.Categorical.from_codes(
                np.concatenate([q_codes[position], q_codes]), categories=q_categories
            ),
            "dimension": pd.Categorical.from_codes(
                np.concatenate([dimension_codes, np.full(n_rows, code_of["overall"])]),
                categories=vocabulary,
            ),
            "score": np.concatenate([values, overall]),
        }
    )
    assessments = pd.DataFrame(
        {
            "organisation_id": org_ids,
            "questionnaire": np.asarray(q_categories, dtype=object)[q_codes],
        }
    )
    if with_moments:
        assessments["stamp"] = joined("stamp", np.int64)
    return frame, assessments


async def _members(db: AsyncSession, round_id: int) -> pd.DataFrame:
    """The members part of :func:`_scores` alone (no scores read): one row per submitted
    assessment with a result, with its moment of submission."""
    rows = await _driver_rows(
        db,
        _submitted(
            round_id,
            Assessment.organisation_id,
            Assessment.questionnaire_id,
            Assessment.submitted_at,
        ),
    )
    org_ids, questionnaires, moments = _columns(rows, 3)
    return pd.DataFrame(
        {
            "organisation_id": np.asarray(org_ids, dtype=np.int64),
            "questionnaire": np.asarray(questionnaires, dtype=object),
            "stamp": stamps(moments),
        }
    )


def _stamp(moment: dt.datetime | None) -> int:
    """The moment of a submission as whole microseconds (0: unknown), as releases store it:
    ``int(moment.timestamp() * 1_000_000)``, the float product truncated."""
    if moment is None:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return int(moment.timestamp() * 1_000_000)


def stamps(moments: Sequence[Any]) -> npt.NDArray[np.int64]:
    """:func:`_stamp` of many stored moments at once, as the driver returns them: ISO text
    (SQLite: UTC, with or without an offset) or datetimes (PostgreSQL); None gives 0.

    ``datetime.timestamp()`` is the exact microseconds since the epoch divided by 10⁶,
    correctly rounded, as float64 division of an integer below 2⁵³ (until the year 2255)
    is; multiplying by 10⁶ and truncating as it does gives the same integer, bit for bit.
    """
    if not len(moments):
        return np.zeros(0, np.int64)
    parsed = pd.to_datetime(pd.Series(moments, dtype=object), utc=True, format="ISO8601")
    unknown = parsed.isna().to_numpy()
    micros = parsed.dt.as_unit("us").to_numpy("datetime64[us]").view(np.int64)
    micros = np.where(unknown, 0, micros)
    if np.any(np.abs(micros) >= 2**53):  # beyond the year 2255: one by one
        exact = parsed.dt.to_pydatetime()
        return np.asarray(
            [0 if gone else _stamp(m) for m, gone in zip(exact, unknown, strict=True)], np.int64
        )
    seconds = micros.astype(np.float64) / 1_000_000
    return np.where(unknown, 0, (seconds * 1_000_000).astype(np.int64))


async def _team(db: AsyncSession, round_id: int) -> pd.DataFrame:
    """Team-composition counts of the submitted "Diverse teams" assessments of a round, from
    the numbers stored with their results: one row per organisation and measure that has a
    number for both the subgroup and a positive total (a subgroup above its total is left
    out)."""
    items = sorted({item for pair in core.TEAM_MEASURES.values() for item in pair})
    rows = await _driver_rows(
        db,
        _submitted(
            round_id,
            Assessment.organisation_id,
            AssessmentResult.number_item_ids,
            AssessmentResult.number_answers,
        ).where(Assessment.questionnaire_id == core.TEAM_QUESTIONNAIRE),
    )
    org_ids, id_lists, packed = _columns(rows, 3)
    organisations = np.asarray(org_ids, dtype=np.int64)
    matrix = _stored_numbers(id_lists, packed, items)
    numbers = dict(zip(items, matrix.T, strict=True))
    measures = pd.CategoricalDtype(sorted(core.TEAM_MEASURES))
    out = []
    for measure, (part_item, total_item) in core.TEAM_MEASURES.items():
        part, total = numbers[part_item], numbers[total_item]
        kept = ~np.isnan(part) & ~np.isnan(total) & (total > 0) & (part <= total)
        out.append(
            pd.DataFrame(
                {
                    "organisation_id": organisations[kept],
                    "measure": pd.Categorical([measure] * int(kept.sum()), dtype=measures),
                    "part": part[kept],
                    "total": total[kept],
                }
            )
        )
    return pd.concat(out, ignore_index=True)


def _stored_numbers(
    id_lists: Sequence[str], packed: Sequence[bytes], items: list[str]
) -> npt.NDArray[np.float64]:
    """The stored number answers of many results (``AssessmentResult.number_item_ids`` and
    ``number_answers``, one of each per result) as a matrix: a row per result, a column per
    one of ``items``, NaN where a result has no number for it. The results that name the
    same items are unpacked together."""
    out = np.full((len(packed), len(items)), np.nan)
    column_of = {item: column for column, item in enumerate(items)}
    codes, distinct = pd.factorize(np.asarray(id_lists, dtype=object))
    for code, id_list in enumerate(distinct):
        ids = decode_dimension_ids(id_list)
        if not ids:
            continue
        rows = np.flatnonzero(codes == code)
        values = np.frombuffer(b"".join([packed[row] for row in rows.tolist()]), dtype="<f8")
        if values.size != rows.size * len(ids):
            raise ValueError("stored number answers must be one float64 per item id")
        values = values.reshape(rows.size, len(ids))
        for position, item in enumerate(ids):
            if item in column_of:
                out[rows, column_of[item]] = values[:, position]
    return out


async def _requests(db: AsyncSession, round_: Round) -> pd.DataFrame:
    """Support requests made during a round (created from its opening day to its closing
    day), with their state now: one row per request."""
    start = dt.datetime.combine(round_.opens_on, dt.time(), dt.UTC)
    end = dt.datetime.combine(round_.closes_on + dt.timedelta(days=1), dt.time(), dt.UTC)
    rows = await _driver_rows(
        db,
        select(
            SupportRequest.organisation_id,
            SupportRequest.provider,
            SupportRequest.trajectory_id,
            SupportRequest.state,
        ).where(SupportRequest.created_at >= start, SupportRequest.created_at < end),
    )
    frame = _frame(rows, ["organisation_id", "provider", "trajectory", "state"])
    for column in ("provider", "state"):
        frame[column] = [str(getattr(v, "value", v)) for v in frame[column].tolist()]
    return frame


async def _previous_round(db: AsyncSession, round_: Round) -> Round | None:
    earlier = [r for r in await list_rounds(db) if r.opens_on < round_.opens_on]
    return max(earlier, key=lambda r: r.opens_on, default=None)


# --- Members of a release -----------------------------------------------------------------


def _members_frame(members: pd.DataFrame, organisations: pd.DataFrame) -> pd.DataFrame:
    return members.merge(organisations, on="organisation_id")


def _encode_members(members: pd.DataFrame) -> bytes:
    """The members of a release (:data:`_MEMBER_COLUMNS`) as msgpack: the number of rows,
    the numbers as little-endian arrays (``organisation_id`` int64, ``funded`` uint8,
    ``stamp`` int64), each text column as its distinct values and one code per row (-1:
    none), as the smallest signed integers that hold them (``type``: numpy's name)."""
    out: dict[str, Any] = {
        "rows": len(members),
        "organisation_id": members["organisation_id"].to_numpy(np.int64).astype("<i8").tobytes(),
        "funded": members["funded"].to_numpy(bool).astype("u1").tobytes(),
        "stamp": members["stamp"].to_numpy(np.int64).astype("<i8").tobytes(),
    }
    for name in _MEMBER_TEXTS:
        codes, values = pd.factorize(members[name].to_numpy(object))
        width = next(t for t in ("<i1", "<i2", "<i4", "<i8") if len(values) < np.iinfo(t).max)
        out[name] = {
            "values": [str(v) for v in values],
            "type": width,
            "codes": codes.astype(width).tobytes(),
        }
    return _MEMBERS.encode(out)


def _decode_members(blob: bytes) -> pd.DataFrame:
    """The members of a release, stored by :func:`_encode_members` or, for a release taken
    before it, as msgpack lists of values per column."""
    raw = _MEMBERS_DECODER.decode(blob)
    if "rows" not in raw:
        frame = pd.DataFrame(raw)
        if frame.empty:
            return pd.DataFrame(columns=list(_MEMBER_COLUMNS))
        return frame.astype({"funded": bool})
    if not raw["rows"]:
        return pd.DataFrame(columns=list(_MEMBER_COLUMNS))
    columns: dict[str, Any] = {
        "organisation_id": np.frombuffer(raw["organisation_id"], "<i8").astype(np.int64),
        "funded": np.frombuffer(raw["funded"], "u1").astype(bool),
        "stamp": np.frombuffer(raw["stamp"], "<i8").astype(np.int64),
    }
    for name in _MEMBER_TEXTS:
        values = np.asarray([*raw[name]["values"], None], dtype=object)
        codes = np.frombuffer(raw[name]["codes"], raw[name]["type"])
        columns[name] = values[codes]  # -1: the None at the end
    return pd.DataFrame({name: columns[name] for name in _MEMBER_COLUMNS}).infer_objects()


def _changed_organisations(previous: pd.DataFrame, current: pd.DataFrame) -> int:
    """Organisations whose submissions or profile differ between two sets of members: those
    with a row (:data:`_MEMBER_COLUMNS`) in one set and not in the other."""
    key = list(_MEMBER_COLUMNS)
    both = pd.concat([previous[key], current[key]], ignore_index=True)
    if both.empty:
        return 0
    rows = both.groupby(key, sort=False, dropna=False).ngroup().to_numpy()
    n_rows = int(rows.max()) + 1
    before = np.bincount(rows[: len(previous)], minlength=n_rows) > 0
    after = np.bincount(rows[len(previous) :], minlength=n_rows) > 0
    return int(both["organisation_id"][(before != after)[rows]].nunique())


# --- Taking a release ---------------------------------------------------------------------


async def latest_release(db: AsyncSession, round_id: int) -> IndicatorRelease | None:
    release: IndicatorRelease | None = await db.scalar(
        select(IndicatorRelease)
        .where(IndicatorRelease.round_id == round_id)
        .order_by(IndicatorRelease.taken_at.desc(), IndicatorRelease.id.desc())
        .limit(1)
    )
    return release


def _closed_at(round_: Round) -> dt.datetime | None:
    if round_.closed_at is not None:
        return round_.closed_at
    if round_.state_on(today()) == RoundState.CLOSED:
        return dt.datetime.combine(round_.closes_on + dt.timedelta(days=1), dt.time(), dt.UTC)
    return None


async def changed_since_release(db: AsyncSession, round_: Round) -> int | None:
    """How many organisations changed since the round's latest release (None: no release)."""
    previous = await latest_release(db, round_.id)
    if previous is None:
        return None
    current = _members_frame(await _members(db, round_.id), await _organisations(db))
    return _changed_organisations(_decode_members(previous.members), current)


async def take_release(
    db: AsyncSession,
    round_: Round,
    *,
    actor_id: int | None = None,
    at_close: bool = False,
    axes: core.Axes | None = None,
) -> IndicatorRelease:
    """Take a release of ``round_`` (see the module's docstring for when it is allowed).

    Raises :class:`~survey.errors.Conflict` for an open round where fewer than 5
    organisations changed since its previous release, or a closed round whose closing
    release exists and nothing changed since."""
    with _without_cycle_collection():
        return await _take_release(db, round_, actor_id, at_close, axes or core.default_axes())


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Python's cycle collector paused: a release reads and lets go of millions of small
    objects (rows, their values) that form no cycles, which the collector would otherwise
    walk again and again. What other tasks leave meanwhile is collected afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


async def _take_release(
    db: AsyncSession, round_: Round, actor_id: int | None, at_close: bool, axes: core.Axes
) -> IndicatorRelease:
    organisations = await _organisations(db)
    scores, members = await _scores(db, round_.id)
    current = _members_frame(members, organisations)
    previous = await latest_release(db, round_.id)
    previous_members = _decode_members(previous.members) if previous is not None else None
    changed = (
        _changed_organisations(previous_members, current)
        if previous_members is not None
        else current["organisation_id"].nunique()
    )
    closed_at = _closed_at(round_)
    closing = at_close or (
        closed_at is not None and (previous is None or previous.taken_at < closed_at)
    )
    if not closing and changed < privacy.CHANGED_BELOW:
        raise Conflict(
            _(
                "A release needs at least %(needed)s organisations that changed since the "
                "previous one; %(changed)s changed.",
                needed=privacy.CHANGED_BELOW,
                changed=changed,
            )
        )
    previous_round = await _previous_round(db, round_)
    previous_scores = (
        (await _score_rows(db, previous_round.id, with_moments=False))[0]
        if previous_round is not None
        else None
    )
    team = await _team(db, round_.id)
    requests = await _requests(db, round_)
    # Computed on a thread, so the worker's other requests go on meanwhile.
    families, cells = await asyncio.to_thread(
        lambda: _suppressed_cells(
            core.cell_matrix(organisations, scores, previous_scores, team, axes, requests),
            axes,
            previous_members,
            current,
        )
    )
    release = IndicatorRelease(
        round_id=round_.id,
        taken_at=utcnow(),
        reason="close" if closing else "request",
        taken_by=actor_id,
        organisations=int(current["organisation_id"].nunique()),
        families=json.dumps(families),
        columns=json.dumps(CELL_LAYOUT),
        members=_encode_members(current),
    )
    db.add(release)
    await db.flush()
    await _store_cells(db, release.id, families, cells, axes)
    record(
        db,
        actor_id=actor_id,
        action="indicators.release",
        object_type="round",
        object_id=round_.id,
        release_id=release.id,
        reason=release.reason,
        changed=int(changed),
    )
    return release


def _suppressed_cells(
    computed: tuple[list[tuple[str, str, str]], core.CellMatrix],
    axes: core.Axes,
    previous_members: pd.DataFrame | None,
    current: pd.DataFrame,
) -> tuple[list[tuple[str, str, str]], core.CellMatrix]:
    """The cells of a release (:func:`core.cell_matrix`) after the privacy rules, with
    the organisations changed per cell since ``previous_members`` (the previous release of
    the round)."""
    families, cells = computed
    changed_cells = None
    if previous_members is not None:
        scopes = sorted({privacy.scope_of(family) for family in families})
        counts = core.changed_per_cell(previous_members, current, scopes, axes)
        changed_cells = dict(zip(scopes, counts, strict=True))
    privacy.suppress(families, cells, axes, changed_cells)
    return families, cells


async def _store_cells(
    db: AsyncSession,
    release_id: int,
    families: list[tuple[str, str, str]],
    cells: core.CellMatrix,
    axes: core.Axes,
) -> None:
    rows = [
        {
            "release_id": release_id,
            "sector": sector,
            "size_band": size_band,
            "municipality": municipality,
            "funded": funded,
            "cells": blob,
        }
        for combo, blob in encode_cells(families, cells)
        for sector, size_band, municipality, funded in [axes.labels(combo)]
    ]
    if rows:
        await db.execute(insert(IndicatorCellSet), rows)


def encode_cells(
    families: list[tuple[str, str, str]], cells: core.CellMatrix
) -> list[tuple[int, bytes]]:
    """Cells after :func:`survey.indicators.privacy.suppress` (sorted by combination) as
    one blob per filter combination, in :data:`CELL_LAYOUT`: ``[(combination, blob), …]``."""
    if len(families) > 65536:
        raise ValueError("too many cell families for the stored layout")
    if cells.suppressed is None:
        raise ValueError("only cells the privacy rules ran on are stored")
    if not cells.family.size:
        return []
    family, combos, n = cells.family, cells.combo, cells.n_organisations
    suppressed = cells.suppressed
    stored = np.repeat(~suppressed, np.diff(cells.offsets))  # a suppressed cell keeps none
    shown = np.where(suppressed, 0, np.diff(cells.offsets))
    value_at = np.concatenate([[0], np.cumsum(shown)]).tolist()
    values = cells.values[stored]
    value_bytes = memoryview(values.astype("<f8").tobytes())
    n_bytes = memoryview(n.astype("<i4").tobytes())
    family_bytes = memoryview(family.astype("<u2").tobytes())
    hidden_bytes = memoryview(suppressed.astype("u1").tobytes())
    starts = np.flatnonzero(np.diff(combos, prepend=-1)).tolist()
    out = []
    for start, end in zip(starts, [*starts[1:], combos.size], strict=True):
        first, last = value_at[start], value_at[end]
        blob = b"".join(
            (
                _HEADER.pack(end - start, last - first),
                value_bytes[8 * first : 8 * last],
                n_bytes[4 * start : 4 * end],
                family_bytes[2 * start : 2 * end],
                hidden_bytes[start:end],
            )
        )
        out.append((int(combos[start]), blob))
    return out


def _stored_statistics(layout: dict[str, Any], families: list[Any]) -> npt.NDArray[np.bool_]:
    """Per family, which of ``layout["values"]`` its cells store (compact layout)."""
    names = layout["values"]
    has = {kind: set(stats) for kind, stats in layout["indicators"].items()}
    return np.asarray(
        [[name in has.get(family[0], ()) for name in names] for family in families],
        dtype=bool,
    ).reshape(len(families), len(names))


def _decode_blob(
    layout: dict[str, Any] | list[str], families: list[Any], blob: bytes
) -> tuple[
    npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.bool_], npt.NDArray[np.float64]
]:
    """(family, n_organisations, suppressed, values) of the cells of one stored blob, the
    values a matrix over :data:`~survey.indicators.core.VALUE_COLUMNS` (NaN: no value; a
    column the release did not store has none)."""
    if isinstance(layout, list):  # the first layout: a float64 matrix
        matrix = np.frombuffer(blob, dtype="<f8").reshape(-1, len(layout))
        names = layout
        column = {name: matrix[:, i] for i, name in enumerate(names)}
        family = column["family"].astype(np.int64)
        n = column["n_organisations"].astype(np.int64)
        suppressed = column["suppressed"].astype(bool)
    else:
        rows, count = _HEADER.unpack_from(blob)
        offset = _HEADER.size
        stored = np.frombuffer(blob, "<f8", count, offset)
        offset += 8 * count
        n = np.frombuffer(blob, "<i4", rows, offset).astype(np.int64)
        offset += 4 * rows
        family = np.frombuffer(blob, "<u2", rows, offset).astype(np.int64)
        offset += 2 * rows
        suppressed = np.frombuffer(blob, "u1", rows, offset).astype(bool)
        names = layout["values"]
        matrix = np.full((rows, len(names)), np.nan)
        matrix[_stored_statistics(layout, families)[family] & ~suppressed[:, None]] = stored
        column = {name: matrix[:, i] for i, name in enumerate(names)}
    values = np.full((family.size, len(core.VALUE_COLUMNS)), np.nan)
    for j, name in enumerate(core.VALUE_COLUMNS):
        if name in column:
            values[:, j] = column[name]
    return family, n, suppressed, values


async def release_at_close(db: AsyncSession, event: events.RoundClosed) -> None:
    """Listener: the closing release of a round."""
    round_ = await db.get(Round, event.round_id)
    if round_ is not None:
        await take_release(db, round_, actor_id=event.actor_id, at_close=True)


async def remove_releases(db: AsyncSession, round_id: int) -> None:
    """Drop a round's releases (the demo rebuilds its network)."""
    await db.execute(delete(IndicatorRelease).where(IndicatorRelease.round_id == round_id))


# --- Reading a release --------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    sector: str = core.ALL
    size_band: str = core.ALL
    municipality: str = core.ALL
    funded: str = core.ALL
    questionnaire: str | None = None
    dimension: str | None = None


@dataclass(frozen=True)
class Cell:
    indicator: str
    questionnaire: str | None
    dimension: str | None
    n_organisations: int
    suppressed: bool
    values: dict[str, float | None]


@dataclass(frozen=True)
class ReleaseView:
    round: Round
    rounds: list[Round]
    release: IndicatorRelease | None
    filters: Filters
    cells: list[Cell]


async def _round(db: AsyncSession, round_name: str | None) -> tuple[Round, list[Round]]:
    rounds = await list_rounds(db)
    if round_name:  # an empty ``round=`` (a form's blank choice) asks for none
        found = next((r for r in rounds if r.name == round_name), None)
        if found is None:
            raise NotFound(_("There is no round named %(name)s.", name=round_name))
        return found, rounds
    chosen = await round_to_show(db)
    if chosen is None:
        raise NotFound(_("There are no rounds yet."))
    return chosen, rounds


def decode_cells(release: IndicatorRelease, blob: bytes) -> list[Cell]:
    """The cells of one filter combination of a release, from its stored blob."""
    families = [tuple(f) for f in json.loads(release.families)]
    family, n, suppressed, values = _decode_blob(json.loads(release.columns), families, blob)
    kinds = [kind for kind, _q, _d in families]
    out = []
    for k, count, hidden, row in zip(
        family.tolist(), n.tolist(), suppressed.tolist(), values.tolist(), strict=True
    ):
        _kind, questionnaire, dimension = families[k]
        out.append(
            Cell(
                indicator=kinds[k],
                questionnaire=questionnaire or None,
                dimension=dimension or None,
                n_organisations=count,
                suppressed=hidden,
                values={
                    name: None if value != value else value  # NaN: no value
                    for name, value in zip(core.VALUE_COLUMNS, row, strict=True)
                },
            )
        )
    return out


async def cells_of(db: AsyncSession, release: IndicatorRelease, filters: Filters) -> list[Cell]:
    blob = await db.scalar(
        select(IndicatorCellSet.cells).where(
            IndicatorCellSet.release_id == release.id,
            IndicatorCellSet.sector == filters.sector,
            IndicatorCellSet.size_band == filters.size_band,
            IndicatorCellSet.municipality == filters.municipality,
            IndicatorCellSet.funded == filters.funded,
        )
    )
    if blob is None:
        return []
    return [
        cell
        for cell in decode_cells(release, blob)
        if cell.indicator == "requests"
        or (
            (filters.questionnaire is None or cell.questionnaire in (None, filters.questionnaire))
            and (filters.dimension is None or cell.dimension in (None, filters.dimension))
        )
    ]


async def read_cells(
    db: AsyncSession, user: CurrentUser | None, round_name: str | None, filters: Filters
) -> ReleaseView:
    """The cells of one filter combination from the round's latest release (analysts and
    admins; ``user`` None: a read-only API token, checked by the caller)."""
    if user is not None:
        ensure_indicator_access(user)
    round_, rounds = await _round(db, round_name)
    release = await latest_release(db, round_.id)
    cells = await cells_of(db, release, filters) if release is not None else []
    return ReleaseView(round=round_, rounds=rounds, release=release, filters=filters, cells=cells)


async def municipality_rows(
    db: AsyncSession, release: IndicatorRelease, filters: Filters
) -> list[tuple[str, list[Cell]]]:
    """The cells of every municipality (the 19 and ``outside``) with the other filters kept,
    one query for the 20 filter combinations."""
    rows = await db.execute(
        select(IndicatorCellSet.municipality, IndicatorCellSet.cells).where(
            IndicatorCellSet.release_id == release.id,
            IndicatorCellSet.sector == filters.sector,
            IndicatorCellSet.size_band == filters.size_band,
            IndicatorCellSet.funded == filters.funded,
            IndicatorCellSet.municipality != core.ALL,
        )
    )
    found = {code: decode_cells(release, blob) for code, blob in rows.all()}
    return [(code, found.get(code, [])) for code in MUNICIPALITY_CODES]


def record_export(
    db: AsyncSession, actor_id: int | None, release_id: int | None, export_format: str
) -> None:
    record(
        db,
        actor_id=actor_id,
        action="indicators.export",
        object_type="indicator_release",
        object_id=release_id or 0,
        format=export_format,
    )
