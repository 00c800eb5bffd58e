"""How long a submit holds the database's write lock, and what that costs other people's
autosaves, with the peer figures recomputed inside the submit's transaction (as before
issue #15) and after its commit (now), in one run.

In-process on the demo network (a fresh data folder, or ``--postgresql URL``): the app's
engine is instrumented, and every transaction that may write is timed from its ``BEGIN
IMMEDIATE`` (SQLite; PostgreSQL: its first statement) to its commit. Two measurements
per way of recomputing:

- submits one at a time (each after a reopening): the longest and the total write time
  of the submit request, and its wall time;
- people autosaving without pause (the API ``PUT``) while managers reopen and submit
  over and over, against the same autosaves with nobody submitting: autosave p50/p95/p99
  and max, and the longest write transaction seen.

One process serves and measures (one event loop), on a machine shared with others:
figures are noisy; compare the ratios within one run. Bounded: ``--seconds`` per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from survey import events
from survey.app import create_app
from survey.benchmarks import recompute
from survey.benchmarks.listeners import recompute_after_change
from survey.db import READ_ONLY, SINGLE_STATEMENTS
from survey.demo.network import ORGANISATION_COUNT, demo_password, demo_rounds, manager_email
from survey.listeners import connect
from survey.settings import load_settings, normalise_database_url

SECRET = "submit-bench-secret-key-not-for-production-0123456789"
SEED = 1
ORDERED = ("maturity", "likert5")
IN_TRANSACTION, AFTER_COMMIT = "in the submit's transaction", "after the submit's commit"


# --- the write transactions, timed -------------------------------------------------------


@dataclass
class WriteTimes:
    """Seconds from the start of each transaction that may write to its commit or rollback."""

    held: list[float] = field(default_factory=list)

    def watch(self, engine: Any) -> None:
        @event.listens_for(engine.sync_engine, "begin")
        def began(connection: Any) -> None:  # after BEGIN IMMEDIATE (SQLite): the lock is held
            options = connection.get_execution_options()
            if options.get(READ_ONLY) or options.get("postgresql_readonly"):
                return
            if options.get(SINGLE_STATEMENTS) and connection.dialect.name == "sqlite":
                return  # no BEGIN: each statement holds the lock only while SQLite runs it
            connection.info["write_began"] = time.perf_counter()

        def ended(connection: Any) -> None:
            began_at = connection.info.pop("write_began", None)
            if began_at is not None:
                self.held.append(time.perf_counter() - began_at)

        event.listen(engine.sync_engine, "commit", ended)
        event.listen(engine.sync_engine, "rollback", ended)

    def take(self) -> list[float]:
        taken, self.held = self.held, []
        return taken


@dataclass
class OffLockCounts:
    """How the off-lock recomputes went: reads, and recomputes that ended in the lock."""

    reads: int = 0
    in_lock: int = 0

    def watch(self) -> None:
        load_subjects, in_lock = recompute._load_subjects, recompute.recompute

        async def counted_load(*args: Any, **kwargs: Any) -> Any:
            self.reads += bool(kwargs.get("versions"))
            return await load_subjects(*args, **kwargs)

        async def counted_in_lock(*args: Any, **kwargs: Any) -> Any:
            self.in_lock += 1
            return await in_lock(*args, **kwargs)

        recompute._load_subjects = counted_load
        recompute.recompute = counted_in_lock

    def take(self) -> dict[str, int]:
        taken = {"off-lock reads": self.reads, "ended in the lock": self.in_lock}
        self.reads = self.in_lock = 0
        return taken


def listen(way: str) -> None:
    """Connect the listeners so that the figures are recomputed ``way``."""
    events.bus.clear()
    if way == IN_TRANSACTION:  # as before issue #15: no after-commit variant
        events.subscribe(events.AssessmentEvent, recompute_after_change)
    connect()  # the rest (an AssessmentEvent listener already there is kept as it is)


# --- people ------------------------------------------------------------------------------


@dataclass
class Manager:
    client: httpx.AsyncClient
    csrf: str
    assessment_id: int
    items: list[str] = field(default_factory=list)
    revisions: dict[str, int] = field(default_factory=dict)
    turn: int = 0

    async def post(self, path: str) -> httpx.Response:
        reply = await self.client.post(path, headers={"x-csrftoken": self.csrf})
        if reply.status_code != 200:
            raise SystemExit(f"{path}: {reply.status_code} {reply.text[:300]}")
        return reply

    async def autosave(self) -> None:
        item = self.items[self.turn % len(self.items)]
        self.turn += 1
        path = f"/api/v1/assessments/{self.assessment_id}/answers/{item}"
        for _ in range(3):
            reply = await self.client.put(
                path,
                json={"revision": self.revisions.get(item, 0), "value": self.turn % 5 + 1},
                headers={"x-csrftoken": self.csrf},
            )
            if reply.status_code == 200:
                self.revisions[item] = reply.json()["revision"]
                return
            if reply.status_code == 409:  # stale revision: take the current one
                self.revisions[item] = reply.json()["current"]["revision"]
                continue
            break
        raise SystemExit(f"autosave refused: {reply.status_code} {reply.text[:300]}")


async def log_in(app: Any, index: int, password: str) -> tuple[httpx.AsyncClient, str, Any]:
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver.local"
    )
    reply = await client.post(
        "/api/v1/auth/login", json={"email": manager_email(index), "password": password}
    )
    if reply.status_code != 200:
        raise SystemExit(f"demo login refused: {reply.status_code} {reply.text[:300]}")
    body = reply.json()
    listing = await client.get(
        f"/api/v1/organisations/{body['user']['organisation_ids'][0]}/assessments"
    )
    return client, body["csrf_token"], listing.json()


async def people(app: Any, submitters: int, autosavers: int) -> tuple[list[Manager], list[Manager]]:
    """Managers with a submitted assessment this round, and managers with a draft."""
    password = demo_password(SECRET, SEED, "managers")
    round_name = demo_rounds(dt.datetime.now(dt.UTC).date())[-1][0]
    submitting: list[Manager] = []
    saving: list[Manager] = []
    for index in range(1, ORGANISATION_COUNT + 1):
        if len(submitting) >= submitters and len(saving) >= autosavers:
            break
        client, csrf, assessments = await log_in(app, index, password)
        this_round = [a for a in assessments if a["round"] == round_name]
        submitted = [a for a in this_round if a["state"] == "submitted"]
        drafts = [a for a in this_round if a["state"] in ("draft", "reopened")]
        if len(submitting) < submitters and submitted:
            submitting.append(Manager(client, csrf, submitted[0]["id"]))
        elif len(saving) < autosavers and drafts:
            draft = drafts[0]
            definition = (
                await client.get(f"/api/v1/questionnaires/{draft['questionnaire_id']}")
            ).json()
            items = [
                item["id"]
                for item in definition["dimensions"][0]["items"]
                if item["type"] in ORDERED and not item.get("applies_if")
            ][:3]
            saving.append(Manager(client, csrf, draft["id"], items))
        else:
            await client.aclose()
    return submitting, saving


# --- measurements ------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] if ordered else 0.0


async def submits_one_at_a_time(managers: list[Manager], times: WriteTimes) -> dict[str, float]:
    longest: list[float] = []
    total: list[float] = []
    wall: list[float] = []
    for manager in managers:
        await manager.post(f"/api/v1/assessments/{manager.assessment_id}/reopen")
        times.take()
        began = time.perf_counter()
        await manager.post(f"/api/v1/assessments/{manager.assessment_id}/submit")
        wall.append(time.perf_counter() - began)
        held = times.take()
        longest.append(max(held))
        total.append(sum(held))
    return {
        "longest write": statistics.median(longest),
        "all writes": statistics.median(total),
        "request": statistics.median(wall),
        "longest write, max": max(longest),
    }


async def autosaves_while(
    savers: list[Manager],
    submitters: list[Manager],
    seconds: float,
    every: float,
    times: WriteTimes,
) -> dict[str, float]:
    """Autosaves without pause for ``seconds``, with each of ``submitters`` reopening and
    submitting every ``every`` seconds meanwhile (none: the baseline), so both ways of
    recomputing see the same number of submits."""
    latencies: list[float] = []
    submits = 0
    stop = time.perf_counter() + seconds

    async def save(manager: Manager) -> None:
        while time.perf_counter() < stop:
            began = time.perf_counter()
            await manager.autosave()
            latencies.append(time.perf_counter() - began)

    async def submit(manager: Manager) -> None:
        nonlocal submits
        next_at = time.perf_counter()
        while next_at < stop:
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += every
            await manager.post(f"/api/v1/assessments/{manager.assessment_id}/reopen")
            await manager.post(f"/api/v1/assessments/{manager.assessment_id}/submit")
            submits += 1

    times.take()
    runs: list[Coroutine[Any, Any, None]] = [save(m) for m in savers] + [
        submit(m) for m in submitters
    ]
    await asyncio.gather(*runs)
    held = times.take()
    return {
        "autosaves": len(latencies),
        "submits": submits,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "max": max(latencies),
        "longest write": max(held, default=0.0),
    }


def line(label: str, figures: dict[str, Any]) -> str:
    shown = [
        f"{name} {value:.0f}" if isinstance(value, int) else f"{name} {ms(value).strip()}"
        for name, value in figures.items()
    ]
    return f"  {label:<34} " + ", ".join(shown)


def ratio(name: str, before: float, after: float) -> str:
    return f"ratio: {name} {before / after:.2f} (before {ms(before).strip()}, after {ms(after).strip()})"


# --- the run -----------------------------------------------------------------------------


def build_demo(env: dict[str, str]) -> None:
    script = Path(sys.executable).parent / "survey"
    survey = [str(script)] if script.exists() else [sys.executable, "-m", "survey.cli"]
    for command in (["db", "upgrade"], ["demo"]):
        subprocess.run([*survey, *command], env=env, check=True, stdout=subprocess.DEVNULL)


async def run(args: argparse.Namespace) -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="nscan-submit-"))
    env = {
        **os.environ,
        "SURVEY_ENV": "test",
        "SURVEY_DATA_DIR": str(data_dir),
        "SURVEY_SECRET_KEY": SECRET,
        "SURVEY_LOGIN_ATTEMPTS_PER_MINUTE": "1000000",
    }
    env.pop("SURVEY_DATABASE_URL", None)
    if args.postgresql:
        env["SURVEY_DATABASE_URL"] = normalise_database_url(args.postgresql)
    began = time.perf_counter()
    build_demo(env)
    backend = "PostgreSQL" if args.postgresql else "SQLite"
    print(f"{backend}: schema and demo in {time.perf_counter() - began:.1f} s", flush=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    app = create_app(load_settings(env))
    times = WriteTimes()
    times.watch(app.state.engine)
    counts = OffLockCounts()
    counts.watch()
    async with app.lifespan():  # start-up and shut-down of the app, in this event loop
        submitters, savers = await people(app, args.submitters, args.autosavers)
        print(f"{len(submitters)} submitting managers, {len(savers)} autosaving", flush=True)
        found: dict[str, dict[str, dict[str, float]]] = {}
        for way in (IN_TRANSACTION, AFTER_COMMIT, IN_TRANSACTION, AFTER_COMMIT):
            listen(way)
            one = await submits_one_at_a_time(submitters, times)
            alone = await autosaves_while(savers, [], args.seconds, args.every, times)
            counts.take()
            loaded = await autosaves_while(savers, submitters, args.seconds, args.every, times)
            loaded.update(counts.take())
            print(f"recomputed {way}:", flush=True)
            print(line("submits one at a time", one), flush=True)
            print(line("autosaves, nobody submitting", alone), flush=True)
            print(line("autosaves, managers submitting", loaded), flush=True)
            found[way] = {"one": one, "alone": alone, "loaded": loaded}  # the second run counts
        for client in [m.client for m in submitters + savers]:
            await client.aclose()
    before, after = found[IN_TRANSACTION], found[AFTER_COMMIT]
    print(
        ratio(
            "longest write of a submit",
            before["one"]["longest write"],
            after["one"]["longest write"],
        )
    )
    print(ratio("submit request", before["one"]["request"], after["one"]["request"]))
    for p in ("p95", "p99", "max"):
        print(ratio(f"autosave {p} while submitting", before["loaded"][p], after["loaded"][p]))
    # the machine's load drifts between phases: each way's autosaves against its own baseline
    for p in ("p95", "p99"):
        slowdowns = {
            way: found[way]["loaded"][p] / found[way]["alone"][p]
            for way in (IN_TRANSACTION, AFTER_COMMIT)
        }
        print(
            f"ratio: autosave {p} slowdown by submits {slowdowns[IN_TRANSACTION] / slowdowns[AFTER_COMMIT]:.2f} "
            f"(x{slowdowns[IN_TRANSACTION]:.2f} recomputed {IN_TRANSACTION}, "
            f"x{slowdowns[AFTER_COMMIT]:.2f} {AFTER_COMMIT})"
        )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", metavar="URL", help="an empty PostgreSQL database to use")
    parser.add_argument("--submitters", type=int, default=4, help="managers submitting (4)")
    parser.add_argument("--autosavers", type=int, default=8, help="people autosaving (8)")
    parser.add_argument("--seconds", type=float, default=8.0, help="per phase (8)")
    parser.add_argument(
        "--every", type=float, default=0.5, help="seconds between a manager's submits (0.5)"
    )
    return asyncio.run(run(parser.parse_args(argv)))


if __name__ == "__main__":
    raise SystemExit(main())
