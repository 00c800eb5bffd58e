"""Speed of the network indicators (issue 14, DESIGN §7): taking a release and reading it.

Builds a synthetic network in a temporary SQLite database, in the style of
``bench/benchmarks.py`` (with ``--postgresql URL``, copies it into a temporary PostgreSQL
database on that server and times it there too): 50,000 organisations over every sector, size band and
municipality (the 19 and "outside Brussels") with the VGC-funded flag; two rounds in which
every organisation submitted the four questionnaires (their real dimension ids, scores
stored as a submission stores them, each at its own moment); in the latest round the team-composition number
items of "Diverse teams" on each consolidated response; support requests of a third of the
organisations (one or two trajectories of the catalogue each, in every state).

Then it times, median of 5 runs each, in the same run:

- **release**: :func:`survey.indicators.service.take_release` of the latest round, from
  the stored rows (through SQLAlchemy) to the stored cells (committed): every cell of every
  filter combination, with suppression (the previous release is removed before each run,
  untimed, so each run is a round's first release);
- its baseline: a plain pandas groupby of the same cells (count, mean, P10–P90, share at
  maturity ≥ 3, change on the same organisations, pooled team shares) over the
  per-organisation scores already in memory, one groupby per filter subset, no suppression;
- **read**: one dashboard read of a filtered view (youth work in Sint-Jans-Molenbeek) from
  the stored release (:func:`survey.indicators.service.cells_of`);
- its baseline: the same cells by a pandas groupby over the in-memory scores, filtered.

Prints each time, its ratio (``ratio: X``) and the goals (release < 2 s, read < 0.2 s,
each ratio ≤ 3). Run: ``uv run python bench/indicators.py`` (``--organisations N`` for a
smaller network, ``--runs N`` for fewer runs, ``--postgresql postgresql://user@host/db`` for
PostgreSQL as well: the database named is only used to create and drop the temporary one).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import json
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from postgresql_copy import copy_to_postgresql, drop_postgresql
from sqlalchemy import text
from timing import RUNS, median_time

from survey.assessments.service import encode_dimension_scores
from survey.db import create_engine, create_sessionmaker
from survey.indicators import core
from survey.indicators.service import Filters, cells_of, latest_release, take_release
from survey.migrate import upgrade
from survey.organisations.reference import MUNICIPALITY_CODES, SECTORS, SIZE_BANDS
from survey.questionnaires import registry
from survey.rounds.models import Round
from survey.trajectories.catalogue import catalogue
from survey.trajectories.models import RequestState

ROUNDS = ("2025", "2026")
READ_FILTERS = Filters(sector="youth-work", municipality="21012")


def _dimensions() -> dict[str, list[str]]:
    return {qid: [d.id for d in q.dimensions] for qid, q in registry().items()}


def build_network(path: Path, n: int, seed: int = 14) -> dict[str, Any]:
    """The stored rows; returns the in-memory frames for the baselines."""
    upgrade(f"sqlite+aiosqlite:///{path}")
    rng = np.random.default_rng(seed)
    now = "2026-12-06 00:00:00+00:00"
    organisations = pd.DataFrame(
        {
            "organisation_id": np.arange(1, n + 1),
            "sector": rng.choice(list(SECTORS), n),
            "size_band": rng.choice(list(SIZE_BANDS), n, p=[0.38, 0.37, 0.2, 0.05]),
            "municipality": rng.choice(list(MUNICIPALITY_CODES), n),
            "funded": rng.random(n) < 0.65,
        }
    )
    dimensions = _dimensions()
    connection = sqlite3.connect(path)
    with connection:
        connection.executemany(
            "INSERT INTO organisations (id, name, enterprise_number, sector, size_band,"
            " municipality, funded_by_vgc, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?)",
            (
                (int(o), f"Organisation {o}", f"{o:010d}", s, z, m, bool(f), now, now)
                for o, s, z, m, f in organisations.itertuples(index=False)
            ),
        )
        for v, qid in enumerate(dimensions, start=1):
            connection.execute(
                "INSERT INTO questionnaire_versions (id, questionnaire_id, version, definition,"
                " content_hash, published_at) VALUES (?, ?, 1, '{}', ?, ?)",
                (v, qid, f"{v:064d}", now),
            )
    level = rng.normal(50, 15, n)
    frames: dict[str, pd.DataFrame] = {}
    assessment_id = 0
    for r, name in enumerate(ROUNDS, start=1):
        with connection:
            connection.execute(
                "INSERT INTO rounds (id, name, opens_on, closes_on, created_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (r, name, f"{name}-01-15", f"{name}-12-15", now, now),
            )
        long = []
        for v, (qid, ids) in enumerate(dimensions.items(), start=1):
            scores = np.clip(
                level[:, None] + 4 * r + rng.normal(0, 12, (n, len(ids))), 0, 100
            ).round(2)
            overall = scores.mean(axis=1).round(2)
            ids_json, _ = encode_dimension_scores((d, None) for d in ids)
            first = assessment_id + 1
            assessment_id += n
            connection.executemany(
                "INSERT INTO assessments (id, organisation_id, questionnaire_id,"
                " questionnaire_version_id, round_id, state, submitted_at, created_at,"
                " updated_at) VALUES (?, ?, ?, ?, ?, 'submitted', ?, ?, ?)",
                ((first + i, i + 1, qid, v, r, _moment(r, first + i), now, now) for i in range(n)),
            )
            connection.executemany(
                "INSERT INTO assessment_results (assessment_id, rules_version, score, maturity,"
                " coverage, computed_at, dimension_ids, dimension_scores, number_item_ids,"
                " number_answers) VALUES (?, 'bench', ?, NULL, 100, ?, ?, ?, '[]', x'')",
                (
                    (first + i, float(overall[i]), now, ids_json, scores[i].astype("<f8").tobytes())
                    for i in range(n)
                ),
            )
            connection.commit()
            for j, d in enumerate([*ids, "overall"]):
                long.append(
                    pd.DataFrame(
                        {
                            "organisation_id": organisations["organisation_id"],
                            "questionnaire": qid,
                            "dimension": d,
                            "score": scores[:, j] if d != "overall" else overall,
                        }
                    )
                )
            if qid == "diverse-teams" and r == len(ROUNDS):
                frames["team"] = _store_team(connection, rng, n, first, now)
        frames[name] = pd.concat(long, ignore_index=True)
    frames["requests"] = _store_requests(connection, rng, n, now)
    connection.execute("ANALYZE")
    connection.close()
    frames["organisations"] = organisations
    return frames


def _moment(round_number: int, assessment_id: int) -> str:
    """A submission moment of its own per assessment, as SQLAlchemy stores one on SQLite."""
    moment = dt.datetime(2024 + round_number, 3, 1, tzinfo=dt.UTC) + dt.timedelta(
        seconds=assessment_id * 37.000123
    )
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _store_team(
    connection: sqlite3.Connection, rng: np.random.Generator, n: int, first: int, now: str
) -> pd.DataFrame:
    totals = {g: rng.integers(1, 60, n) for g in ("personeel", "leiding", "bestuur")}
    rows = []
    answers = []
    for group, total in totals.items():
        migration = np.floor(total * rng.random(n) * 0.6).astype(int)
        outside = np.floor(migration * rng.random(n)).astype(int)
        answers.append((f"tc-{group}-totaal", total))
        answers.append((f"tc-{group}-migratie", migration))
        answers.append((f"tc-{group}-buiten-eu", outside))
    with connection:
        connection.executemany(
            "INSERT INTO responses (id, assessment_id, is_consolidated) VALUES (?, ?, 1)",
            ((i + 1, first + i) for i in range(n)),
        )
        connection.executemany(
            "INSERT INTO answers (response_id, item_id, value, not_applicable, revision,"
            " updated_at) VALUES (?, ?, ?, 0, 1, ?)",
            ((i + 1, item, str(int(values[i])), now) for item, values in answers for i in range(n)),
        )
        # The numbers kept with each result, as a submission keeps them (questionnaire order).
        counts = dict(answers)
        in_order = [i.id for i in registry()["diverse-teams"].items if i.id in counts]
        ids = json.dumps(in_order, separators=(",", ":"))
        packed = np.column_stack([counts[item] for item in in_order]).astype("<f8")
        connection.executemany(
            "UPDATE assessment_results SET number_item_ids = ?, number_answers = ?"
            " WHERE assessment_id = ?",
            ((ids, packed[i].tobytes(), first + i) for i in range(n)),
        )
    for measure, (part, total) in core.TEAM_MEASURES.items():
        rows.append(
            pd.DataFrame(
                {
                    "organisation_id": np.arange(1, n + 1),
                    "measure": measure,
                    "part": counts[part],
                    "total": counts[total],
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def _store_requests(
    connection: sqlite3.Connection, rng: np.random.Generator, n: int, now: str
) -> pd.DataFrame:
    offers = [(t.id, t.provider.value) for t in catalogue().values()]
    states = [s.value for s in RequestState]
    asking = rng.choice(np.arange(1, n + 1), n // 3, replace=False)
    rows = []
    for organisation in asking.tolist():
        for pick in rng.choice(len(offers), int(rng.integers(1, 3)), replace=False).tolist():
            trajectory_id, provider = offers[pick]
            rows.append((organisation, trajectory_id, provider, str(rng.choice(states)), now, now))
    with connection:
        connection.executemany(
            "INSERT INTO support_requests (organisation_id, trajectory_id, provider, state,"
            " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
            rows,
        )
    columns = ["organisation_id", "trajectory", "provider", "state", "created", "updated"]
    return pd.DataFrame(rows, columns=columns)


# --- the baselines: plain pandas groupby of the same cells over frames in memory ----------


def _stats(grouped: Any) -> pd.DataFrame:
    out = grouped["score"].agg(["count", "mean"])
    for p in core.PERCENTILES:
        out[f"p{p}"] = grouped["score"].quantile(p / 100)
    out["share_mature"] = grouped["mature"].mean() * 100
    return out


def baseline_release(frames: dict[str, Any]) -> int:
    organisations = frames["organisations"]
    now = frames[ROUNDS[-1]].merge(organisations, on="organisation_id")
    now["mature"] = now["score"] >= 40
    before = frames[ROUNDS[-2]][["organisation_id", "questionnaire", "dimension", "score"]]
    pairs = now.merge(
        before.rename(columns={"score": "before"}),
        on=["organisation_id", "questionnaire", "dimension"],
    )
    pairs["change"] = pairs["score"] - pairs["before"]
    team = frames["team"].merge(organisations, on="organisation_id")
    requests = frames["requests"].merge(organisations, on="organisation_id")
    requests["running"] = requests["state"] == "running"
    requests["completed"] = requests["state"] == "completed"
    cells = 0
    for mask in itertools.product((False, True), repeat=4):
        keys = [f for f, all_ in zip(core.FILTERS, mask, strict=True) if not all_]
        cells += len(_stats(now.groupby(["questionnaire", "dimension", *keys])))
        cells += len(
            pairs.groupby(["questionnaire", "dimension", *keys])["change"].agg(["count", "mean"])
        )
        sums = team.groupby(["measure", *keys])[["part", "total"]].sum()
        cells += len(sums["part"] / sums["total"])
        cells += len(organisations.groupby(keys).size()) if keys else 1
        grouped = requests.groupby(["provider", "trajectory", *keys])
        counted = grouped.agg(
            n=("organisation_id", "nunique"),
            requested=("state", "size"),
            running=("running", "sum"),
            completed=("completed", "sum"),
        )
        cells += len(counted)
    return cells


def baseline_read(frames: dict[str, Any]) -> int:
    organisations = frames["organisations"]
    chosen = organisations[
        (organisations["sector"] == READ_FILTERS.sector)
        & (organisations["municipality"] == READ_FILTERS.municipality)
    ]["organisation_id"]
    now = frames[ROUNDS[-1]]
    now = now[now["organisation_id"].isin(chosen)].assign(mature=lambda f: f["score"] >= 40)
    return len(_stats(now.groupby(["questionnaire", "dimension"])))


@dataclass(frozen=True)
class Timings:
    release: float
    read: float


def measure(database_url: str, runs: int) -> Timings:
    """The release and the read of the stored network at ``database_url``, median of ``runs``."""
    engine = create_engine(database_url)
    sessionmaker = create_sessionmaker(engine)
    loop = asyncio.new_event_loop()

    async def release() -> None:
        async with sessionmaker() as db, db.begin():
            round_ = await db.get(Round, len(ROUNDS))
            assert round_ is not None
            await take_release(db, round_, at_close=True)

    async def clear() -> None:
        async with sessionmaker() as db, db.begin():
            await db.execute(text("DELETE FROM indicator_cells"))
            await db.execute(text("DELETE FROM indicator_releases"))

    async def read() -> int:
        async with sessionmaker() as db:
            stored = await latest_release(db, len(ROUNDS))
            assert stored is not None
            return len(await cells_of(db, stored, READ_FILTERS))

    try:
        release_time = median_time(
            lambda: loop.run_until_complete(release()),
            lambda: loop.run_until_complete(clear()),
            runs,
        )
        loop.run_until_complete(release())
        read_time = median_time(lambda: loop.run_until_complete(read()), lambda: None, runs)
    finally:
        loop.run_until_complete(engine.dispose())
        loop.close()
    return Timings(release=release_time, read=read_time)


# --- PostgreSQL: the same rows copied into a temporary database ---------------------------

COPIED_TABLES = (
    "organisations",
    "questionnaire_versions",
    "rounds",
    "assessments",
    "assessment_results",
    "responses",
    "answers",
    "support_requests",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--organisations", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per timing (median)")
    parser.add_argument(
        "--postgresql",
        metavar="URL",
        help="also time it on PostgreSQL: a server URL (a temporary database is created and dropped)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.sqlite3"
        started = time.perf_counter()
        frames = build_network(path, args.organisations)
        print(
            f"synthetic network: {args.organisations} organisations, 4 questionnaires, "
            f"{len(ROUNDS)} rounds (built in {time.perf_counter() - started:.1f} s)",
            flush=True,
        )
        databases = {"sqlite": f"sqlite+aiosqlite:///{path}"}
        if args.postgresql:
            started = time.perf_counter()
            databases["postgresql"] = copy_to_postgresql(path, args.postgresql, COPIED_TABLES)
            print(f"copied to PostgreSQL in {time.perf_counter() - started:.1f} s", flush=True)
        try:
            timings = {}
            for backend, url in databases.items():
                print(f"timing the release and the read on {backend} …", flush=True)
                timings[backend] = measure(url, args.runs)
        finally:
            if args.postgresql:
                drop_postgresql(args.postgresql, databases["postgresql"])
        print("timing the pandas baselines …", flush=True)
        release_baseline = median_time(lambda: baseline_release(frames), lambda: None, args.runs)
        read_baseline = median_time(lambda: baseline_read(frames), lambda: None, args.runs)
        for backend, timing in timings.items():
            print(
                f"[{backend}] release: {timing.release:.3f} s (every cell of every filter "
                f"combination, with suppression, stored); pandas groupby baseline "
                f"{release_baseline:.3f} s (in memory), ratio: "
                f"{timing.release / release_baseline:.2f} (goals: < 2 s, ratio ≤ 3)"
            )
            print(
                f"[{backend}] read: {timing.read:.4f} s (one filtered view from the stored "
                f"release); pandas groupby baseline {read_baseline:.4f} s, ratio: "
                f"{timing.read / read_baseline:.2f} (goals: < 0.2 s, ratio ≤ 3)"
            )


if __name__ == "__main__":
    main()
