"""Load test of the app from outside, against its goals (issue 15).

Starts ``survey serve --workers 2`` on 127.0.0.1 on a fresh data folder with the demo
network (SQLite; with ``--postgresql URL`` on a database ``load_bench_<port>`` created on
that server and dropped afterwards), with the login limit raised for its own instance. Logs in
100 demo managers, each with their own session and a draft of their own (started when
the demo has none), then runs, bounded in time:

- 100 people filling in, think time 2 s (each loop: open a part, three autosaves
  alternating the htmx form POST the page uses and the API ``PUT``, every fifth loop the
  result page of a submitted assessment);
- 50 at once without pause: a part page, an autosave (API ``PUT``);
- 10 at once: a part page, an autosave, a result page;
- the two bare Litestar baselines (``bench/baseline.py``: the same HTML bytes from memory,
  a JSON ``PUT`` that decodes and answers a body of the same size) on the same server
  settings, 10 and 50 at once.

Prints per scenario throughput, p50/p95/p99/max and errors, the ``ratio: X`` lines and
whether each goal is met. The client is a small keep-alive HTTP/1.1 client on asyncio
streams (one connection per virtual person, as a browser keeps one), so that it costs the
2 shared cores as little as possible. Latencies depend on the machine and on what else
runs on it; the ratios, measured in the same run, much less.

Run: ``uv run just load`` (``--postgresql postgresql://postgres@127.0.0.1:5432/postgres``,
``--quick`` for a short smoke run of 20 people for 10 s).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import math
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import asyncpg  # type: ignore[import-untyped]

from survey.demo.network import ORGANISATION_COUNT, demo_password, demo_rounds, manager_email
from survey.settings import normalise_database_url
from survey.web.serving import HTTP_PROTOCOL

HOST = "127.0.0.1"
BENCH_DIR = Path(__file__).resolve().parent
SECRET = "load-bench-secret-key-not-for-production-0123456789"
SEED = 1
ORDERED = ("maturity", "likert5")


# --- a small HTTP/1.1 keep-alive client ------------------------------------------------


class HttpError(Exception):
    pass


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One keep-alive connection with its own cookies (one virtual person)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None

    async def request(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        content_type: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        for attempt in (1, 2):
            if self._writer is None:
                self._reader, self._writer = await asyncio.open_connection(HOST, self.port)
            try:
                return await self._exchange(method, path, body, content_type, headers or {})
            except (ConnectionError, asyncio.IncompleteReadError):
                await self.close()
                if attempt == 2:
                    raise
        raise HttpError("unreachable")

    async def _exchange(
        self,
        method: str,
        path: str,
        body: bytes,
        content_type: str | None,
        headers: dict[str, str],
    ) -> Reply:
        assert self._reader is not None and self._writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if body or method in ("POST", "PUT"):
            lines.append(f"Content-Length: {len(body)}")
        if content_type:
            lines.append(f"Content-Type: {content_type}")
        lines.extend(f"{k}: {v}" for k, v in headers.items())
        self._writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        reply_headers = []
        length = None
        chunked = closing = False
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            reply_headers.append((name, value))
            if name == "content-length":
                length = int(value)
            elif name == "transfer-encoding" and "chunked" in value.lower():
                chunked = True
            elif name == "connection" and value.lower() == "close":
                closing = True
            elif name == "set-cookie":
                self._keep_cookie(value)
        if chunked:
            parts = []
            while True:
                size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
                parts.append(await self._reader.readexactly(size + 2))
                if size == 0:
                    break
            data = b"".join(part[:-2] for part in parts)
        elif length is not None:
            data = await self._reader.readexactly(length)
        else:
            data = await self._reader.read()
            closing = True
        if closing:
            await self.close()
        return Reply(status, reply_headers, data)

    def _keep_cookie(self, header: str) -> None:
        pair, *attributes = header.split(";")
        name, _, value = pair.strip().partition("=")
        expired = any(a.strip().lower() in ("max-age=0", "max-age=-1") for a in attributes)
        if expired or value in ("", '""'):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value


# --- measurements ------------------------------------------------------------------------


@dataclass
class Series:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 3:
            self.error_samples.append(what)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


@dataclass
class Outcome:
    name: str
    series: Series
    seconds: float

    @property
    def throughput(self) -> float:
        return len(self.series.latencies) / self.seconds if self.seconds else 0.0

    def p(self, value: float) -> float:
        return percentile(self.series.latencies, value) * 1000

    @property
    def worst(self) -> float:
        return max(self.series.latencies, default=math.nan) * 1000

    def line(self) -> str:
        return (
            f"  {self.name:<44} {len(self.series.latencies):>6} req {self.throughput:>7.1f} /s"
            f"  p50 {self.p(50):>6.0f}  p95 {self.p(95):>6.0f}  p99 {self.p(99):>6.0f}"
            f"  max {self.worst:>6.0f} ms  errors {self.series.errors}"
            + (f"  e.g. {self.series.error_samples[0]}" if self.series.errors else "")
        )


async def timed(series: Series, call: Awaitable[Reply], expect: int = 200) -> Reply | None:
    started = time.perf_counter()
    try:
        reply = await call
    except (OSError, asyncio.IncompleteReadError, HttpError, ValueError) as error:
        series.error(f"{type(error).__name__}: {error}")
        return None
    elapsed = time.perf_counter() - started
    if reply.status != expect:
        series.error(f"HTTP {reply.status} {reply.body[:120]!r}")
        return None
    series.latencies.append(elapsed)
    return reply


class CpuMeter:
    """CPU time of the app's processes (the server and its workers: one process group),
    of the bare baseline's and of this client, between :meth:`mark` and :meth:`line`: what
    a request costs, whatever else runs on the machine, and how much the client takes. Also
    how long the app's threads were ready to run but waited for a CPU: on a shared machine
    a slow run whose app waited more than it ran was starved by other processes (the
    stalled PostgreSQL runs of issue 15: 35 s of CPU, 104 s of waiting for one)."""

    def __init__(self) -> None:
        self.groups: dict[str, int] = {}
        self._marked: dict[str, tuple[float, float]] = {}
        self._marked_at = time.perf_counter()

    @staticmethod
    def group_seconds(pgid: int) -> tuple[float, float]:
        """CPU seconds used by the processes of group ``pgid``, and seconds their threads
        were ready to run but waited for a CPU (taken by whatever else runs)."""
        ticks = 0
        waited_ns = 0
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2 :].split()  # from field 3 (state) on
            if int(fields[2]) == pgid:
                ticks += int(fields[11]) + int(fields[12])  # utime + stime
                waited_ns += CpuMeter.waited_ns(entry)
        return ticks / os.sysconf("SC_CLK_TCK"), waited_ns / 1e9

    @staticmethod
    def waited_ns(pid: str) -> int:
        waited = 0
        with contextlib.suppress(OSError):
            for task in os.listdir(f"/proc/{pid}/task"):
                with contextlib.suppress(OSError, IndexError, ValueError):
                    waited += int(Path(f"/proc/{pid}/task/{task}/schedstat").read_text().split()[1])
        return waited

    def _read(self) -> dict[str, tuple[float, float]]:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        seen = {name: self.group_seconds(pgid) for name, pgid in self.groups.items()}
        return {**seen, "client": (usage.ru_utime + usage.ru_stime, 0.0)}

    def mark(self) -> None:
        self._marked = self._read()
        self._marked_at = time.perf_counter()

    def line(self, server: str, requests: int) -> str:
        now = self._read()
        seconds = max(time.perf_counter() - self._marked_at, 1e-9)
        used = {name: now[name][0] - self._marked.get(name, now[name])[0] for name in now}
        waited = now[server][1] - self._marked.get(server, now[server])[1]
        per_request = used[server] / requests * 1000 if requests else math.nan
        return (
            f"  {'cpu':<44} {server} {used[server] / seconds:.2f} cores, "
            f"{per_request:.2f} ms per request, waited for a CPU {waited / seconds:.2f} cores; "
            f"client {used['client'] / seconds:.2f} cores; "
            f"load average {os.getloadavg()[0]:.2f}"
        )


# --- virtual people ----------------------------------------------------------------------


@dataclass
class Person:
    client: Client
    assessment_id: int
    dimension_id: str
    items: list[str]
    result_id: int | None
    revisions: dict[str, int] = field(default_factory=dict)
    values: dict[str, int] = field(default_factory=dict)
    turn: int = 0

    @property
    def part_path(self) -> str:
        return f"/assessments/{self.assessment_id}/dimensions/{self.dimension_id}"

    def remember_revisions(self, html: bytes) -> None:
        for item in self.items:
            found = re.search(rf'name="revision-{re.escape(item)}" value="(\d+)"'.encode(), html)
            if found:
                self.revisions[item] = int(found.group(1))

    def next_value(self, item: str) -> int:
        value = self.values.get(item, random.randint(1, 5)) % 5 + 1
        self.values[item] = value
        return value

    async def open_part(self, series: Series) -> None:
        reply = await timed(series, self.client.request("GET", self.part_path))
        if reply is not None:
            self.remember_revisions(reply.body)

    async def autosave_put(self, series: Series) -> None:
        item = self.items[self.turn % len(self.items)]
        self.turn += 1
        body = json.dumps(
            {"revision": self.revisions.get(item, 0), "value": self.next_value(item)}
        ).encode()
        reply = await timed(
            series,
            self.client.request(
                "PUT",
                f"/api/v1/assessments/{self.assessment_id}/answers/{item}",
                body,
                "application/json",
                {"x-csrftoken": self.client.csrf},
            ),
        )
        if reply is not None:
            self.revisions[item] = int(reply.json()["revision"])

    async def autosave_form(self, series: Series) -> None:
        item = self.items[self.turn % len(self.items)]
        self.turn += 1
        body = urlencode(
            {
                f"answer-{item}": self.next_value(item),
                f"comment-{item}": "",
                f"revision-{item}": self.revisions.get(item, 0),
            }
        ).encode()
        reply = await timed(
            series,
            self.client.request(
                "POST",
                f"/assessments/{self.assessment_id}/answers/{item}",
                body,
                "application/x-www-form-urlencoded",
                {"x-csrftoken": self.client.csrf, "hx-request": "true"},
            ),
        )
        if reply is not None:
            self.remember_revisions(reply.body)

    async def open_result(self, series: Series) -> None:
        if self.result_id is not None:
            await timed(series, self.client.request("GET", f"/assessments/{self.result_id}/result"))


async def setup_person(
    port: int, index: int, password: str, round_name: str, definitions: dict[str, Any]
) -> Person | None:
    """A logged-in demo manager with a draft, or None when their organisation has submitted
    every questionnaire of this round."""
    client = Client(port)
    login = await client.request(
        "POST",
        "/api/v1/auth/login",
        json.dumps({"email": manager_email(index), "password": password}).encode(),
        "application/json",
    )
    if login.status != 200:
        raise HttpError(f"login of {manager_email(index)}: {login.status} {login.body[:200]!r}")
    client.csrf = login.json()["csrf_token"]
    organisation_id = login.json()["user"]["organisation_ids"][0]
    listing = await client.request("GET", f"/api/v1/organisations/{organisation_id}/assessments")
    assessments = listing.json()
    draft = next(
        (
            a
            for a in assessments
            if a["round"] == round_name and a["state"] in ("draft", "reopened")
        ),
        None,
    )
    if draft is None:
        for questionnaire_id in definitions:
            started = await client.request(
                "POST",
                "/api/v1/assessments",
                json.dumps(
                    {
                        "organisation_id": organisation_id,
                        "questionnaire_id": questionnaire_id,
                        "round": round_name,
                    }
                ).encode(),
                "application/json",
                {"x-csrftoken": client.csrf},
            )
            if started.status == 201:
                draft = started.json()
                break
    if draft is None:  # every questionnaire submitted this round: another manager fills in
        await client.close()
        return None
    definition = definitions[draft["questionnaire_id"]]
    dimension = definition["dimensions"][0]
    items = [
        item["id"]
        for item in dimension["items"]
        if item["type"] in ORDERED and not item.get("applies_if")
    ][:3]
    submitted = [a for a in assessments if a["state"] == "submitted"]
    person = Person(
        client=client,
        assessment_id=draft["id"],
        dimension_id=dimension["id"],
        items=items,
        result_id=submitted[-1]["id"] if submitted else None,
    )
    await person.open_part(Series())
    return person


# --- scenarios ---------------------------------------------------------------------------


async def people_filling_in(
    people: list[Person], seconds: float, think: float
) -> dict[str, Series]:
    series = {name: Series() for name in ("part", "put", "form", "result")}
    deadline = time.perf_counter() + seconds

    async def pause() -> None:
        await asyncio.sleep(random.uniform(0.5, 1.5) * think)

    async def live(person: Person) -> None:
        await asyncio.sleep(random.uniform(0, think))
        loop = 0
        while time.perf_counter() < deadline:
            loop += 1
            await person.open_part(series["part"])
            for _save in range(3):
                await pause()
                if time.perf_counter() >= deadline:
                    return
                if person.turn % 2:
                    await person.autosave_form(series["form"])
                else:
                    await person.autosave_put(series["put"])
            if loop % 5 == 1 and person.result_id is not None:
                await pause()
                await person.open_result(series["result"])
            await pause()

    await asyncio.gather(*(live(person) for person in people))
    return series


async def at_once(
    callers: list[Callable[[Series], Awaitable[None]]], seconds: float
) -> tuple[Series, float]:
    """Each caller repeats its request without pause until ``seconds`` have passed."""
    series = Series()
    started = time.perf_counter()
    deadline = started + seconds

    async def repeat(call: Callable[[Series], Awaitable[None]]) -> None:
        while time.perf_counter() < deadline:
            await call(series)

    await asyncio.gather(*(repeat(call) for call in callers))
    return series, time.perf_counter() - started


def bare_page(client: Client) -> Callable[[Series], Awaitable[None]]:
    async def call(series: Series) -> None:
        await timed(series, client.request("GET", "/page"))

    return call


def bare_put(client: Client, body: bytes) -> Callable[[Series], Awaitable[None]]:
    async def call(series: Series) -> None:
        await timed(series, client.request("PUT", "/answer", body, "application/json"))

    return call


# --- processes ---------------------------------------------------------------------------


def survey_command() -> list[str]:
    script = Path(sys.executable).parent / "survey"
    return [str(script)] if script.exists() else [sys.executable, "-m", "survey.cli"]


def run_checked(command: list[str], env: dict[str, str]) -> None:
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}")


def start_process(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_process(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


async def wait_until_up(port: int, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    for _ in range(6000):
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} stopped, see {log}")
        client = Client(port)
        try:
            reply = await client.request("GET", path)
            if reply.status == 200:
                return
        except OSError:
            pass
        finally:
            await client.close()
        await asyncio.sleep(0.1)
    raise SystemExit(f"server on port {port} did not answer in 600 s")


def database_on(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def bench_database(port: int) -> str:
    """The bench's own database on the server, named after its port: runs on other ports
    (other people on the same server) never drop each other's database."""
    return f"load_bench_{port}"


async def recreate_database(url: str, name: str, drop_only: bool = False) -> None:
    plain = re.sub(r"^postgres(ql)?\+\w+://", "postgresql://", url)  # asyncpg: no driver name
    connection = await asyncpg.connect(plain)
    try:
        await connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop_only:
            await connection.execute(f"CREATE DATABASE {name}")
    finally:
        await connection.close()


# --- the run -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    people: int
    people_seconds: float
    think: float
    burst_seconds: float
    many: int
    few: int


FULL = Plan(people=100, people_seconds=60, think=2.0, burst_seconds=15, many=50, few=10)
QUICK = Plan(people=20, people_seconds=10, think=2.0, burst_seconds=3, many=20, few=5)


async def run(args: argparse.Namespace) -> int:
    plan = QUICK if args.quick else FULL
    port, bare_port = args.port, args.port + 1
    data_dir = Path(tempfile.mkdtemp(prefix="nscan-load-"))
    env = {
        **os.environ,
        "SURVEY_ENV": "test",
        "SURVEY_DATA_DIR": str(data_dir),
        "SURVEY_SECRET_KEY": SECRET,
        "SURVEY_LOGIN_ATTEMPTS_PER_MINUTE": "1000000",
        "SURVEY_HOST": HOST,
    }
    backend = "SQLite"
    if args.postgresql:
        backend = "PostgreSQL"
        await recreate_database(args.postgresql, bench_database(port))
        env["SURVEY_DATABASE_URL"] = normalise_database_url(
            database_on(args.postgresql, bench_database(port))
        )
    else:
        env.pop("SURVEY_DATABASE_URL", None)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        began = time.perf_counter()
        run_checked([*survey_command(), "db", "upgrade"], env)
        run_checked([*survey_command(), "demo"], env)
        print(f"{backend}: schema and demo in {time.perf_counter() - began:.1f} s", flush=True)
        app_log = data_dir / "server.log"
        processes.append(
            start_process(
                [*survey_command(), "serve", "--workers", "2", "--port", str(port)], env, app_log
            )
        )
        await wait_until_up(port, "/healthz", processes[-1], app_log)
        meter = CpuMeter()
        meter.groups["app"] = processes[-1].pid

        password = demo_password(SECRET, SEED, "managers")
        round_name = demo_rounds(dt.datetime.now(dt.UTC).date())[-1][0]
        probe = Client(port)
        login = await probe.request(
            "POST",
            "/api/v1/auth/login",
            json.dumps({"email": "manager001@demo.n-scan.example", "password": password}).encode(),
            "application/json",
        )
        if login.status != 200:
            raise SystemExit(f"demo login refused: {login.status} {login.body[:300]!r}")
        definitions = {
            q["id"]: (await probe.request("GET", f"/api/v1/questionnaires/{q['id']}")).json()
            for q in (await probe.request("GET", "/api/v1/questionnaires/")).json()
        }
        await probe.close()
        needed = max(plan.people, plan.many)
        people: list[Person] = []
        index = 0
        while len(people) < needed and index < ORGANISATION_COUNT:
            batch = range(index, min(index + 10, ORGANISATION_COUNT))
            index = batch.stop
            found = await asyncio.gather(
                *(setup_person(port, i, password, round_name, definitions) for i in batch)
            )
            people.extend(person for person in found if person is not None)
        if len(people) < needed:
            raise SystemExit(f"only {len(people)} demo managers have a draft or can start one")
        people = people[:needed]
        print(
            f"{len(people)} managers logged in, each with a draft of their own "
            f"({sum(p.result_id is not None for p in people)} with a submitted result)",
            flush=True,
        )

        # The baseline serves the bytes of a real part page and of a real autosave answer.
        sample = people[0]
        page = await sample.client.request("GET", sample.part_path)
        item = sample.items[0]
        answer_body = json.dumps(
            {"revision": sample.revisions.get(item, 0), "value": sample.next_value(item)}
        ).encode()
        answer = await sample.client.request(
            "PUT",
            f"/api/v1/assessments/{sample.assessment_id}/answers/{item}",
            answer_body,
            "application/json",
            {"x-csrftoken": sample.client.csrf},
        )
        sample.revisions[item] = int(answer.json()["revision"])
        (data_dir / "page.html").write_bytes(page.body)
        (data_dir / "answer.json").write_bytes(answer.body)
        outcomes: dict[str, Outcome] = {}

        def keep(key: str, name: str, series: Series, seconds: float, server: str = "") -> None:
            outcomes[key] = Outcome(name, series, seconds)
            print(outcomes[key].line(), flush=True)
            if server:
                print(meter.line(server, len(series.latencies)), flush=True)

        async def burst(
            key: str, name: str, callers: list[Callable[[Series], Awaitable[None]]], server: str
        ) -> None:
            meter.mark()
            series, spent = await at_once(callers, plan.burst_seconds)
            keep(key, name, series, spent, server)

        print(
            f"\n{backend}: {plan.people} people filling in, think time {plan.think:g} s, "
            f"for {plan.people_seconds:g} s",
            flush=True,
        )
        began = time.perf_counter()
        meter.mark()
        filling = await people_filling_in(people[: plan.people], plan.people_seconds, plan.think)
        spent = time.perf_counter() - began
        keep("people.part", "part page", filling["part"], spent)
        keep("people.form", "autosave, htmx form POST", filling["form"], spent)
        keep("people.put", "autosave, API PUT", filling["put"], spent)
        keep("people.result", "result page", filling["result"], spent)
        print(meter.line("app", sum(len(s.latencies) for s in filling.values())), flush=True)

        if not args.people_only:
            bare_env = {
                **env,
                "BENCH_PAGE": str(data_dir / "page.html"),
                "BENCH_ANSWER": str(data_dir / "answer.json"),
            }
            bare_log = data_dir / "baseline.log"
            processes.append(
                start_process(
                    [
                        sys.executable,
                        "-m",
                        "uvicorn",
                        "baseline:create_app",
                        "--factory",
                        "--app-dir",
                        str(BENCH_DIR),
                        "--host",
                        HOST,
                        "--port",
                        str(bare_port),
                        "--workers",
                        "2",
                        "--log-level",
                        "warning",
                        "--http",
                        HTTP_PROTOCOL,  # as survey serve: TCP_NODELAY on every connection
                    ],
                    bare_env,
                    bare_log,
                )
            )
            await wait_until_up(bare_port, "/page", processes[-1], bare_log)
            meter.groups["bare"] = processes[-1].pid
            print(f"part page {len(page.body):,} bytes, autosave answer {len(answer.body)} bytes")

            bare_clients = [Client(bare_port) for _ in range(plan.many)]
            for count in (plan.few, plan.many):
                print(f"\n{backend}: {count} at once without pause, {plan.burst_seconds:g} s each")
                crowd = people[:count]
                await burst(f"part.{count}", "part page", [p.open_part for p in crowd], "app")
                await burst(
                    f"put.{count}", "autosave, API PUT", [p.autosave_put for p in crowd], "app"
                )
                if count == plan.few:
                    await burst(
                        f"result.{count}",
                        "result page",
                        [p.open_result for p in crowd if p.result_id is not None],
                        "app",
                    )
                await burst(
                    f"bare.page.{count}",
                    "bare Litestar page (same bytes)",
                    [bare_page(c) for c in bare_clients[:count]],
                    "bare",
                )
                await burst(
                    f"bare.put.{count}",
                    "bare Litestar JSON PUT (same size)",
                    [bare_put(c, answer_body) for c in bare_clients[:count]],
                    "bare",
                )
            for client in bare_clients:
                await client.close()
        for person in people:
            await person.client.close()
        return report(outcomes, plan, backend)
    finally:
        for process in reversed(processes):
            stop_process(process)
        if args.postgresql and not args.keep:
            await recreate_database(args.postgresql, bench_database(port), drop_only=True)
        if args.keep:
            print(
                f"data folder kept: {data_dir}"
                + (f", database {bench_database(port)}" if args.postgresql else "")
            )
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def report(outcomes: dict[str, Outcome], plan: Plan, backend: str) -> int:
    many = plan.many
    saves = len(outcomes["people.form"].series.latencies) + len(
        outcomes["people.put"].series.latencies
    )
    people_errors = sum(outcomes[f"people.{k}"].series.errors for k in ("part", "form", "put"))
    people_errors += outcomes["people.result"].series.errors
    goals = [
        (
            f"{plan.people} people: part page p95 < 150 ms",
            outcomes["people.part"].p(95) < 150,
            f"{outcomes['people.part'].p(95):.0f} ms",
        ),
        (
            f"{plan.people} people: autosave (htmx form POST) p99 < 100 ms",
            outcomes["people.form"].p(99) < 100,
            f"{outcomes['people.form'].p(99):.0f} ms",
        ),
        (
            f"{plan.people} people: autosave (API PUT) p99 < 100 ms",
            outcomes["people.put"].p(99) < 100,
            f"{outcomes['people.put'].p(99):.0f} ms",
        ),
        (
            f"{plan.people} people: result page p95 < 200 ms",
            outcomes["people.result"].p(95) < 200,
            f"{outcomes['people.result'].p(95):.0f} ms",
        ),
        (f"{plan.people} people: 0 errors", people_errors == 0, f"{people_errors} errors"),
        (
            f"{plan.people} people: at least 1,000 autosaves measured",
            saves >= 1000,
            f"{saves} autosaves",
        ),
    ]
    if f"bare.page.{many}" in outcomes:  # not with --people-only
        page_ratio = outcomes[f"part.{many}"].throughput / outcomes[f"bare.page.{many}"].throughput
        put_ratio = outcomes[f"put.{many}"].throughput / outcomes[f"bare.put.{many}"].throughput
        print(f"\n{backend}: ratios, {many} at once")
        print(f"ratio: {page_ratio:.3f}  part page ÷ bare Litestar page (goal ≥ 0.25)")
        print(f"ratio: {put_ratio:.3f}  autosave PUT ÷ bare Litestar JSON PUT (goal ≥ 0.25)")
        worst_burst = max(outcomes[f"{k}.{many}"].worst for k in ("part", "put"))
        burst_errors = sum(outcomes[f"{k}.{many}"].series.errors for k in ("part", "put"))
        goals += [
            (f"{many} at once: part page ≥ 25 % of bare", page_ratio >= 0.25, f"{page_ratio:.0%}"),
            (f"{many} at once: autosave ≥ 25 % of bare", put_ratio >= 0.25, f"{put_ratio:.0%}"),
            (
                f"{many} at once: no request over 1 s, 0 errors",
                worst_burst < 1000 and burst_errors == 0,
                f"max {worst_burst:.0f} ms, {burst_errors} errors",
            ),
        ]
    print(f"\n{backend}: goals")
    for name, met, figure in goals:
        print(f"  {'met    ' if met else 'NOT met'}  {name:<58} {figure}")
    if plan is QUICK:
        print("  (a --quick smoke run: fewer people and shorter; the goals are for the full run)")
    return 0 if all(met for _, met, _ in goals) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgresql", metavar="URL", help="a PostgreSQL server to run on")
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument("--port", type=int, default=8110, help="app port (baseline: port + 1)")
    parser.add_argument(
        "--people-only",
        action="store_true",
        help="only the people filling in (no bursts, no bare baseline): a quicker check",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the data folder, the logs and the database"
    )
    args = parser.parse_args(argv)
    return asyncio.run(run(args))


if __name__ == "__main__":
    raise SystemExit(main())
