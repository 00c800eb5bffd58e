"""Speed of the benchmark recompute at network scale (issue 5, DESIGN §5).

Builds a synthetic network in a temporary SQLite database — 50,000 organisations,
one questionnaire of 150 items in 8 dimensions, 10 % of the answers missing, 40
peer groups (10 sectors × 4 size bands), 3 rounds in which every organisation
submitted — and stores what a submission stores: the assessments and their
overall and dimension scores, computed from the item scores by the real scoring
core (:func:`survey.scoring.dimension_scores`).

Then it times, median of 5 runs each:

- the full recompute of the latest round by the real service
  (:func:`survey.benchmarks.recompute.recompute`): from the stored rows (read
  through SQLAlchemy) to the stored results (committed). Before each run (not
  timed) one organisation submits new scores, as in the app, where a submission
  triggers the recompute: every figure is computed again, and the rows whose
  figures moved (that organisation's peer groups) are written;
- a plain numpy baseline doing the same arithmetic (peer group with fallback,
  leave-one-out percentile rank and percentiles) on arrays already in memory;

and prints both, their ratio (``ratio: X``) and the peak memory (tracemalloc, in
a separate run), then the same for all three rounds in one pass
(:func:`survey.benchmarks.recompute.recompute_all`, one new submission in each
round). A third line times the worst case, when every stored row is written
(the first computation after an upgrade, ``survey db upgrade``).

Run: ``uv run python bench/benchmarks.py`` (or ``just bench``); ``--organisations N``
for a smaller network.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import os
import sqlite3
import tempfile
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import pandas as pd
import sqlalchemy as sa
from postgresql_copy import copy_to_postgresql, drop_postgresql, pg_connect
from timing import RUNS, median_time

from survey.assessments.service import encode_dimension_scores
from survey.benchmarks.core import MIN_GROUP_SIZE, PERCENTILES, QUARTILES_FROM, shown_percentiles
from survey.benchmarks.recompute import recompute, recompute_all
from survey.benchmarks.schemas import StoredFigure
from survey.db import create_engine, create_sessionmaker
from survey.migrate import upgrade
from survey.questionnaires.schema import Dimension, Item, LocalText, Questionnaire
from survey.scoring import RULES_VERSION, dimension_scores, overall_scores

N_ITEMS = 150
N_DIMENSIONS = 8
MISSING = 0.10
SECTORS = 10
SIZE_BANDS = ("1-9", "10-49", "50-249", "250+")
ROUNDS = ("2024", "2025", "2026")
QUESTIONNAIRE_ID = "bench"


def _text(value: str) -> LocalText:
    return LocalText(nl=value, fr=value, en=value)


def questionnaire() -> Questionnaire:
    """150 likert items over 8 dimensions (19 or 18 each)."""
    sizes = [
        N_ITEMS // N_DIMENSIONS + (1 if d < N_ITEMS % N_DIMENSIONS else 0)
        for d in range(N_DIMENSIONS)
    ]
    dimensions = []
    number = 0
    for d, size in enumerate(sizes):
        items = []
        for _ in range(size):
            number += 1
            items.append(Item(id=f"i{number:03d}", type="likert5", text=_text(f"Item {number}")))
        dimensions.append(
            Dimension(
                id=f"d{d + 1}",
                title=_text(f"Dimension {d + 1}"),
                why=_text("Why"),
                maturity=[_text(f"Level {level}") for level in range(1, 6)],
                items=items,
            )
        )
    return Questionnaire(
        id=QUESTIONNAIRE_ID,
        version=1,
        title=_text("Bench"),
        intro=_text("Bench"),
        dimensions=dimensions,
    )


def item_scores(rng: np.random.Generator, level: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Likert levels around each organisation's latent level, as item scores; 10 % missing."""
    noisy = level[:, None] + rng.normal(0, 0.8, size=(level.size, N_ITEMS))
    levels = np.clip(np.rint(noisy), 1, 5)
    scores = (levels - 1) / 4
    scores[rng.random(scores.shape) < MISSING] = np.nan
    return scores


def score_chunk(
    definition: Questionnaire, assessment_ids: np.ndarray[Any, Any], scores: np.ndarray[Any, Any]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The real scoring core on the tidy frame of a chunk of assessments."""
    dimension_of = np.array([d.id for d in definition.dimensions for _ in d.items], dtype=object)
    item_ids = np.array([item.id for item in definition.items], dtype=object)
    n = assessment_ids.size
    frame = pd.DataFrame(
        {
            "assessment_id": np.repeat(assessment_ids, N_ITEMS),
            "dimension_id": np.tile(dimension_of, n),
            "dimension_weight": 1.0,
            "item_id": np.tile(item_ids, n),
            "item_weight": 1.0,
            "item_score": scores.reshape(-1),
            "applicable": np.ones(n * N_ITEMS, dtype=bool),
        }
    )
    dimensions = dimension_scores(frame)
    return dimensions, overall_scores(dimensions, frame)


def build_network(path: Path, n_organisations: int, seed: int = 5) -> dict[str, Any]:
    """The stored rows of the synthetic network; returns the in-memory arrays for the baseline."""
    url = f"sqlite+aiosqlite:///{path}"
    upgrade(url)
    rng = np.random.default_rng(seed)
    definition = questionnaire()
    connection = sqlite3.connect(path)
    now = dt.datetime.now(dt.UTC).isoformat(sep=" ")
    sector = rng.choice(
        SECTORS,
        size=n_organisations,
        p=np.linspace(2, 1, SECTORS) / np.linspace(2, 1, SECTORS).sum(),
    )
    size = rng.choice(len(SIZE_BANDS), size=n_organisations, p=[0.38, 0.37, 0.2, 0.05])
    base = 2.2 + 0.12 * sector + 0.25 * size + rng.normal(0, 0.5, n_organisations)
    with connection:
        connection.executemany(
            "INSERT INTO organisations (id, name, enterprise_number, sector, size_band, municipality,"
            " funded_by_vgc, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '21004', 1, ?, ?)",
            (
                (
                    i + 1,
                    f"Organisation {i + 1}",
                    f"{i + 1:010d}",
                    f"sector-{sector[i]}",
                    SIZE_BANDS[size[i]],
                    now,
                    now,
                )
                for i in range(n_organisations)
            ),
        )
        builtins = msgspec.to_builtins(definition)
        connection.execute(
            "INSERT INTO questionnaire_versions (id, questionnaire_id, version, definition, content_hash,"
            " published_at) VALUES (1, ?, 1, ?, ?, ?)",
            (
                QUESTIONNAIRE_ID,
                msgspec.json.encode(builtins).decode(),
                hashlib.sha256(msgspec.json.encode(definition)).hexdigest(),
                now,
            ),
        )
    memory: dict[str, Any] = {"sector": sector, "size": size, "rounds": []}
    for r, name in enumerate(ROUNDS):
        round_id = r + 1
        year = int(name)
        with connection:
            connection.execute(
                "INSERT INTO rounds (id, name, opens_on, closes_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                (round_id, name, f"{year}-01-15", f"{year}-12-15", now, now),
            )
        ids = np.arange(n_organisations, dtype=np.int64) + 1 + r * n_organisations
        level = base + 0.25 * r
        dimension_frames = []
        overall_frames = []
        for start in range(0, n_organisations, 5000):
            chunk = slice(start, start + 5000)
            dims, overall = score_chunk(definition, ids[chunk], item_scores(rng, level[chunk]))
            dimension_frames.append(dims)
            overall_frames.append(overall)
        dims = pd.concat(dimension_frames, ignore_index=True)
        overall = pd.concat(overall_frames, ignore_index=True)
        matrix = dims["score"].to_numpy(dtype=np.float64).reshape(n_organisations, N_DIMENSIONS)
        dimension_ids = dims["dimension_id"].to_numpy()[:N_DIMENSIONS].tolist()
        ids_json, _ = encode_dimension_scores((d, None) for d in dimension_ids)
        compact = [row.tobytes() for row in matrix.astype("<f8")]
        with connection:
            connection.executemany(
                "INSERT INTO assessments (id, organisation_id, questionnaire_id, questionnaire_version_id,"
                " round_id, state, submitted_at, created_at, updated_at)"
                " VALUES (?, ?, ?, 1, ?, 'submitted', ?, ?, ?)",
                (
                    (int(a), i + 1, QUESTIONNAIRE_ID, round_id, now, now, now)
                    for i, a in enumerate(ids)
                ),
            )
            connection.executemany(
                "INSERT INTO assessment_results (assessment_id, rules_version, score, maturity, coverage,"
                " computed_at, dimension_ids, dimension_scores, number_item_ids, number_answers)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', x'')",
                (
                    (
                        int(a),
                        RULES_VERSION,
                        None if np.isnan(s) else float(s),
                        None if pd.isna(m) else int(m),
                        float(c),
                        now,
                        ids_json,
                        compact_scores,
                    )
                    for a, s, m, c, compact_scores in zip(
                        overall["assessment_id"],
                        overall["score"],
                        overall["maturity"],
                        overall["coverage"],
                        compact,
                        strict=True,
                    )
                ),
            )
            connection.executemany(
                "INSERT INTO dimension_results (assessment_id, dimension_id, score, maturity, coverage, status,"
                " answered_items, applicable_items) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    (
                        int(a),
                        d,
                        None if np.isnan(s) else float(s),
                        None if pd.isna(m) else int(m),
                        float(c),
                        st,
                        int(ai),
                        int(pi),
                    )
                    for a, d, s, m, c, st, ai, pi in zip(
                        dims["assessment_id"],
                        dims["dimension_id"],
                        dims["score"],
                        dims["maturity"],
                        dims["coverage"],
                        dims["status"],
                        dims["answered_items"],
                        dims["applicable_items"],
                        strict=True,
                    )
                ),
            )
        memory["rounds"].append(
            np.column_stack([matrix, overall["score"].to_numpy(dtype=np.float64)])
        )
    connection.execute("ANALYZE")
    connection.close()
    return memory


# --- the baseline: the same arithmetic in plain numpy on arrays in memory ------------------------


def baseline(
    scores: np.ndarray[Any, Any], sector: np.ndarray[Any, Any], size: np.ndarray[Any, Any]
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Per column (dimension, then overall): peer group sector × size → sector → network with
    at least 5 other organisations, percentile rank (kind "mean"), peer mean and leave-one-out
    linear percentiles, and the number of peers. Every organisation is a peer (all submitted)."""
    n, columns = scores.shape
    rank = np.full((n, columns), np.nan)
    mean = np.full((n, columns), np.nan)
    n_peers = np.zeros((n, columns), dtype=np.int64)
    dist = np.full((n, columns, len(PERCENTILES)), np.nan)
    keys = (sector * len(SIZE_BANDS) + size, sector, np.zeros(n, dtype=np.int64))
    for column in range(columns):
        values = scores[:, column]
        present = ~np.isnan(values)
        assigned = np.zeros(n, dtype=bool)
        for key in keys:
            counts = np.bincount(key[present], minlength=int(key.max()) + 1)
            take = present & ~assigned & (counts[key] - 1 >= MIN_GROUP_SIZE)
            assigned |= take
            for group in np.unique(key[take]):
                in_group = key == group
                peers = np.sort(values[present & in_group])
                members = np.flatnonzero(take & in_group)
                x = values[members]
                below = np.searchsorted(peers, x, side="left")
                at_or_below = np.searchsorted(peers, x, side="right") - 1
                m = peers.size - 1
                rank[members, column] = 100.0 * (below + at_or_below) / (2 * m)
                mean[members, column] = (peers.sum() - x) / m
                n_peers[members, column] = m
                for p, q in enumerate(PERCENTILES):
                    h = (m - 1) * q / 100
                    j = int(np.floor(h))
                    f = h - j
                    j1 = min(j + 1, m - 1)
                    low = peers[j + (j >= below)]
                    high = peers[j1 + (j1 >= below)]
                    dist[members, column, p] = low + (high - low) * f
    return rank, mean, dist, n_peers


# --- timing ----------------------------------------------------------------------------------


def peak_memory(run: Callable[[], Any], before: Callable[[], Any]) -> float:
    before()
    tracemalloc.start()
    tracemalloc.reset_peak()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def nothing() -> None:
    return None


def measure(
    backend: str,
    url: str,
    memory: dict[str, Any],
    read_floor: Callable[[], Any],
    read_figures: Callable[[], list[tuple[int, bytes, str]]],
    n_organisations: int,
) -> None:
    """Time the real recompute against the baseline on one database, then check its output."""
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    loop = asyncio.new_event_loop()

    def in_transaction(work: Callable[[Any], Awaitable[int]]) -> Callable[[], int]:
        async def run() -> int:
            async with sessionmaker() as db, db.begin():
                return await work(db)

        return lambda: loop.run_until_complete(run())

    latest = in_transaction(lambda db: recompute(db, len(ROUNDS), QUESTIONNAIRE_ID))
    every = in_transaction(recompute_all)
    sector, size = memory["sector"], memory["size"]
    last_scores = memory["rounds"][-1]
    submissions = iter(range(10**9))

    def submit(rounds: range) -> Callable[[], None]:
        """One organisation per round submits new scores (those of another organisation),
        stored as a submission stores them; the baseline's arrays follow."""

        def run() -> None:
            count = next(submissions)
            for r in rounds:
                scores = memory["rounds"][r]
                row = (7919 * count + 17) % n_organisations
                scores[row] = scores[(row + n_organisations // 2) % n_organisations]
                assessment_id = r * n_organisations + row + 1  # as build_network numbers them
                loop.run_until_complete(store_scores(sessionmaker, assessment_id, scores[row]))

        return run

    def clear() -> None:
        loop.run_until_complete(clear_figures(sessionmaker))

    def baseline_latest() -> None:
        baseline(last_scores, sector, size)

    def baseline_every() -> None:
        for scores in memory["rounds"]:
            baseline(scores, sector, size)

    latest()  # warm up: imports, caches, the first write of the results
    for label, run, before, reference in (
        ("latest round", latest, submit(range(len(ROUNDS) - 1, len(ROUNDS))), baseline_latest),
        (f"all {len(ROUNDS)} rounds", every, submit(range(len(ROUNDS))), baseline_every),
        ("latest round, every row written", latest, clear, baseline_latest),
    ):
        recompute_time = median_time(run, before)
        baseline_time = median_time(reference, nothing)
        recompute_peak = peak_memory(run, before)
        baseline_peak = peak_memory(reference, nothing)
        print(
            f"[{backend}] {label}: recompute {recompute_time:.3f} s (median of {RUNS}, stored rows → stored results), "
            f"numpy baseline {baseline_time:.3f} s (arrays in memory), ratio: {recompute_time / baseline_time:.2f}, "
            f"peak memory {recompute_peak:.0f} MiB (baseline {baseline_peak:.0f} MiB)"
        )
    loop.run_until_complete(engine.dispose())
    loop.close()
    checked = check_against_baseline(read_figures(), last_scores, sector, size, n_organisations)
    print(
        f"[{backend}] check: the stored figures of the latest round equal the baseline's ({checked} figures)"
    )
    floor = median_time(read_floor, nothing)
    print(
        f"[{backend}] for scale: only fetching the latest round's stored score rows with the driver "
        f"(no processing) takes {floor:.3f} s (median of {RUNS})"
    )


async def store_scores(sessionmaker: Any, assessment_id: int, scores: np.ndarray[Any, Any]) -> None:
    """Store new dimension and overall scores of one assessment, as a submission does."""
    async with sessionmaker() as db, db.begin():
        dimensions = scores[:N_DIMENSIONS]
        await db.execute(
            sa.text(
                "UPDATE assessment_results SET score = :score, dimension_scores = :compact"
                " WHERE assessment_id = :id"
            ),
            {
                "score": None if np.isnan(scores[-1]) else float(scores[-1]),
                "compact": dimensions.astype("<f8").tobytes(),
                "id": assessment_id,
            },
        )
        for index, value in enumerate(dimensions):
            await db.execute(
                sa.text(
                    "UPDATE dimension_results SET score = :score"
                    " WHERE assessment_id = :id AND dimension_id = :dimension"
                ),
                {
                    "score": None if np.isnan(value) else float(value),
                    "id": assessment_id,
                    "dimension": f"d{index + 1}",
                },
            )


async def clear_figures(sessionmaker: Any) -> None:
    async with sessionmaker() as db, db.begin():
        await db.execute(sa.text("DELETE FROM assessment_benchmarks"))


SCORE_ROWS = (
    "SELECT d.assessment_id, d.dimension_id, d.score FROM dimension_results d"
    " JOIN assessments a ON a.id = d.assessment_id WHERE a.round_id = {p} AND d.score IS NOT NULL"
)
FIGURE_ROWS = (
    "SELECT b.assessment_id, b.figures, r.dimension_ids FROM assessment_benchmarks b"
    " JOIN assessment_results r ON r.assessment_id = b.assessment_id WHERE b.round_id = {p}"
)


def sqlite_reader(path: Path, sql: str) -> Callable[[], list[Any]]:
    def read() -> list[Any]:
        connection = sqlite3.connect(path)
        rows = connection.execute(sql.format(p="?"), (len(ROUNDS),)).fetchall()
        connection.close()
        return rows

    return read


COPIED_TABLES = (
    "organisations",
    "questionnaire_versions",
    "rounds",
    "assessments",
    "assessment_results",
    "dimension_results",
)


def postgresql_reader(url: str, sql: str) -> Callable[[], list[Any]]:
    async def fetch() -> list[Any]:
        connection = await pg_connect(url)
        try:
            return list(await connection.fetch(sql.format(p="$1"), len(ROUNDS)))
        finally:
            await connection.close()

    return lambda: asyncio.run(fetch())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument(
        "--postgresql",
        metavar="URL",
        help="also time it on PostgreSQL: a server URL (a temporary database is created and dropped)",
    )
    args = parser.parse_args()
    n_organisations = args.organisations
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        memory = build_network(path, n_organisations)
        print(
            f"synthetic network: {n_organisations} organisations, {N_ITEMS} items, {N_DIMENSIONS} dimensions, "
            f"{MISSING:.0%} missing, {SECTORS * len(SIZE_BANDS)} peer groups, {len(ROUNDS)} rounds "
            f"(built in {time.perf_counter() - started:.1f} s; {cores} cores)"
        )
        if args.postgresql:
            url = copy_to_postgresql(path, args.postgresql, COPIED_TABLES)
            try:
                measure(
                    "postgresql",
                    url,
                    memory,
                    postgresql_reader(url, SCORE_ROWS),
                    postgresql_reader(url, FIGURE_ROWS),
                    n_organisations,
                )
            finally:
                drop_postgresql(args.postgresql, url)
        measure(
            "sqlite",
            f"sqlite+aiosqlite:///{path}",
            memory,
            sqlite_reader(path, SCORE_ROWS),
            sqlite_reader(path, FIGURE_ROWS),
            n_organisations,
        )


def check_against_baseline(
    rows: list[tuple[int, bytes, str]],
    scores: np.ndarray[Any, Any],
    sector: np.ndarray[Any, Any],
    size: np.ndarray[Any, Any],
    n: int,
) -> int:
    """The stored figures of the latest round, read as the result page reads them, equal the
    baseline's (to the stored two decimals)."""
    rank, mean, dist, n_peers = baseline(scores, sector, size)
    offset = (len(ROUNDS) - 1) * n + 1
    checked = 0
    for assessment_id, payload, dimension_ids in rows:
        row = assessment_id - offset
        figures = StoredFigure.decode(bytes(payload), msgspec.json.decode(dimension_ids))
        assert figures is not None, assessment_id
        seen = {figure.dimension_id for figure in figures}
        for column in range(N_DIMENSIONS + 1):
            dimension_id = "" if column == N_DIMENSIONS else f"d{column + 1}"
            has_score = not np.isnan(scores[row, column])
            assert (dimension_id in seen) == has_score, (assessment_id, dimension_id)
        for figure in figures:
            column = N_DIMENSIONS if figure.dimension_id == "" else int(figure.dimension_id[1:]) - 1
            if figure.peer_group is None:
                assert np.isnan(rank[row, column]), (assessment_id, figure.dimension_id)
                continue
            assert figure.percentile_rank is not None and figure.mean is not None
            assert figure.n_peers == n_peers[row, column], (assessment_id, figure.dimension_id)
            # with fewer than QUARTILES_FROM peers, rank and mean are whole points (DESIGN §5)
            tolerance = 0.5 + 1e-9 if figure.n_peers < QUARTILES_FROM else 0.0051
            for stored_value, expected in (
                (figure.percentile_rank, rank[row, column]),
                (figure.mean, mean[row, column]),
            ):
                assert abs(stored_value - expected) <= tolerance, (
                    assessment_id,
                    figure.dimension_id,
                )
            stored = [figure.p10, figure.p25, figure.p50, figure.p75, figure.p90]
            allowed = shown_percentiles(figure.n_peers)
            assert [v is not None for v in stored] == allowed, (assessment_id, figure.dimension_id)
            shown = np.asarray(
                [v if ok else np.nan for v, ok in zip(stored, allowed, strict=True)], dtype=float
            )
            expected = np.where(allowed, dist[row, column], np.nan)
            assert np.allclose(shown, expected, atol=0.0051, equal_nan=True), (
                assessment_id,
                figure.dimension_id,
            )
            checked += 1
    return checked


if __name__ == "__main__":
    main()
