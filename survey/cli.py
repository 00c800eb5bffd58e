"""The `survey` command (DESIGN §8/§9)."""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from survey.assessments.service import rescore_outdated
from survey.benchmarks.recompute import recompute_all, recompute_missing
from survey.db import command_session
from survey.demo import load_demo
from survey.errors import DomainError, NotFound
from survey.evidence import files
from survey.evidence.service import referenced_storage_keys
from survey.housekeeping import purge_expired
from survey.indicators.service import take_release
from survey.indicators.tokens import create_token, revoke_token
from survey.listeners import connect as connect_listeners
from survey.migrate import upgrade_and_say
from survey.organisations.commands import create_from_cli, create_user_from_cli
from survey.organisations.reference import (
    MUNICIPALITIES,
    MUNICIPALITY_CODES,
    OUTSIDE_BRUSSELS,
    SECTORS,
    SIZE_BANDS,
)
from survey.questionnaires import validate_directory
from survey.rounds.models import Round
from survey.rounds.service import close_round, current_round, get_by_name
from survey.scoring import RULES_VERSION
from survey.settings import Settings, SettingsError, load_settings
from survey.startup import check_ready
from survey.trajectories.catalogue import validate_catalogue
from survey.web.serving import NoDelayH11Protocol


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        print(f"survey: {error}", file=sys.stderr)
        raise SystemExit(2) from error


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    settings = _settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    print(upgrade_and_say(settings.database_url, args.revision))
    if args.revision == "head":
        refreshed = asyncio.run(_refresh_derived(settings))
        if refreshed:
            print(f"Peer benchmarks recomputed for {refreshed} round(s) × questionnaire(s).")
    return 0


async def _refresh_derived(settings: Settings) -> int:
    """Figures derived from stored scores that a migration emptied or that an older method
    computed are recomputed at once, so nobody finds them missing."""

    async with command_session(settings.database_url) as db, db.begin():
        rescored = await rescore_outdated(db)
        if rescored:
            print(
                f"Scores of {rescored} assessment(s) recomputed with scoring rules {RULES_VERSION}."
            )
        return await recompute_missing(db)


class _Stopped(Exception):
    """Ctrl+C or a SIGTERM: the way to stop the server, not a failure."""


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise _Stopped


def cmd_serve(args: argparse.Namespace) -> int:
    # Uvicorn shuts down gracefully on SIGINT/SIGTERM and then re-raises the signal to the
    # handlers found before it started: these, so a stop ends with status 0 and no traceback
    # (not 130 or 143, which `just` reports as a failed recipe).
    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _serve(args)
    except _Stopped:
        print("N-scan stopped.", flush=True)
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


WORKER_HEALTHCHECK_SECONDS = 60


def _serve(args: argparse.Namespace) -> int:
    settings = _settings()
    host = args.host or settings.host
    port = args.port or settings.port
    problem = asyncio.run(check_ready(settings))
    if problem:
        print(f"survey: {problem}", file=sys.stderr)
        return 2
    refreshed = asyncio.run(_refresh_derived(settings))  # e.g. after `alembic upgrade` by hand
    if refreshed:
        print(f"Peer benchmarks recomputed for {refreshed} round(s) × questionnaire(s).")
    print(f"N-scan is running at http://{host}:{port}/  (stop with Ctrl+C)", flush=True)
    uvicorn.run(
        "survey.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=args.workers,
        log_level="warning",
        proxy_headers=settings.is_production,
        # uvicorn kills a worker that does not answer its supervisor's ping in time (5 s by
        # default): on a busy small machine a starting or loaded worker missed it and was
        # killed over and over, so the server never came up.
        timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
        http=NoDelayH11Protocol,  # answers without a 40 ms wait for the client's ACK
    )
    return 0


def _run(coroutine_factory: Callable[[Settings], Coroutine[Any, Any, int]]) -> int:
    settings = _settings()
    try:
        return asyncio.run(coroutine_factory(settings))
    except DomainError as error:
        detail = getattr(error, "errors", None) or {}
        message = "; ".join(f"{field}: {text}" for field, text in detail.items()) or str(error)
        print(f"survey: {message}", file=sys.stderr)
        return 1


def _in_transaction(work: Callable[[AsyncSession], Awaitable[list[str]]]) -> int:
    """The frame of a command that changes the database: ``work`` runs in one transaction
    on a session of its own; once it is committed, the lines it returns are printed and the
    status is 0. A refusal (:class:`DomainError`) rolls back and exits with 1 (see :func:`_run`)."""

    async def run(settings: Settings) -> int:
        async with command_session(settings.database_url) as db, db.begin():
            lines = await work(db)
        for line in lines:
            print(line)
        return 0

    return _run(run)


def cmd_demo(args: argparse.Namespace) -> int:
    return _run(lambda settings: load_demo(settings, seed=args.seed, reset=args.reset))


def cmd_org_create(args: argparse.Namespace) -> int:
    return _run(lambda settings: create_from_cli(settings, args))


def cmd_user_create(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\n")
    return _run(lambda settings: create_user_from_cli(settings, args, password))


def cmd_uploads_sweep(args: argparse.Namespace) -> int:
    async def sweep(settings: Settings) -> int:
        async with command_session(settings.database_url) as db:
            referenced = await referenced_storage_keys(db)
        before = time.time() - args.older_than_hours * 3600
        if args.dry_run:
            unreferenced = files.unreferenced(settings.uploads_dir, referenced, before)
            for key in unreferenced:
                print(key)
            print(f"Would remove {len(unreferenced)} file(s) that no evidence refers to.")
            return 0
        removed = files.remove_unreferenced(settings.uploads_dir, referenced, before)
        print(f"Removed {len(removed)} file(s) that no evidence refers to.")
        return 0

    if args.older_than_hours < 1:
        print("survey: --older-than-hours must be at least 1", file=sys.stderr)
        return 2
    return _run(sweep)


def cmd_benchmarks_recompute(args: argparse.Namespace) -> int:
    async def recompute(db: AsyncSession) -> list[str]:
        count = await recompute_all(db)
        return [f"Peer benchmarks recomputed for {count} assessment(s)."]

    return _in_transaction(recompute)


async def _round_named(db: AsyncSession, name: str) -> Round:
    round_ = await get_by_name(db, name)
    if round_ is None:
        raise NotFound(f"no round {name}")
    return round_


def cmd_indicators_release(args: argparse.Namespace) -> int:
    async def release(db: AsyncSession) -> list[str]:
        round_ = await _round_named(db, args.round) if args.round else await current_round(db)
        if round_ is None:
            raise NotFound("no open round")
        taken = await take_release(db, round_)
        return [
            f"Round {round_.name}: release no. {taken.id} taken ({taken.reason}), "
            f"{taken.organisations} organisation(s) assessed."
        ]

    return _in_transaction(release)


def cmd_token_create(args: argparse.Namespace) -> int:
    async def create(db: AsyncSession) -> list[str]:
        row, token = await create_token(db, None, args.name)
        return [f"Token {row.id} ({row.name}), shown only this once:", token]

    return _in_transaction(create)


def cmd_token_revoke(args: argparse.Namespace) -> int:
    async def revoke(db: AsyncSession) -> list[str]:
        row = await revoke_token(db, None, args.id)
        return [f"Token {row.id} ({row.name}) revoked."]

    return _in_transaction(revoke)


def cmd_rounds_close(args: argparse.Namespace) -> int:
    async def close(db: AsyncSession) -> list[str]:
        await close_round(db, await _round_named(db, args.name), actor_id=None)
        return [f"Round {args.name} closed."]

    return _in_transaction(close)


def cmd_sessions_purge(args: argparse.Namespace) -> int:
    async def purge(db: AsyncSession) -> list[str]:
        purged = await purge_expired(db)
        return [
            f"Removed {purged.sessions} expired session(s) and "
            f"{purged.login_failures} old failed login(s)."
        ]

    return _in_transaction(purge)


def _counted(n: int, thing: str) -> str:
    return f"{n} {thing}{'s' if n != 1 else ''}"


def _validation_report(valid: list[str], problems: Sequence[object], where: str) -> int:
    """The frame of a ``validate`` command: an 'ok' line per valid entry, then one line per
    problem and their count on standard error, with status 1 when there is any."""
    for line in valid:
        print(f"ok: {line}")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"survey: {_counted(len(problems), 'problem')} in {where}", file=sys.stderr)
        return 1
    return 0


def cmd_questionnaires_validate(args: argparse.Namespace) -> int:
    questionnaires, problems = validate_directory(args.path)
    valid = [
        f"{q.id} v{q.version} — {_counted(len(q.dimensions), 'dimension')}, "
        f"{_counted(len(q.items), 'item')}"
        for q in questionnaires
    ]
    files = len({problem.file for problem in problems})
    return _validation_report(valid, problems, _counted(files, "file"))


def cmd_trajectories_validate(args: argparse.Namespace) -> int:
    trajectories, problems = validate_catalogue(args.path)
    valid = [
        f"{t.id} — {t.provider.value}{f' with {t.partner.value}' if t.partner else ''}, "
        f"{t.intensity}, {_counted(len(t.dimensions), 'dimension')}"
        for t in trajectories
    ]
    return _validation_report(valid, problems, "the trajectory catalogue")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="survey", description="N-scan: run, set up and manage the platform."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser(
        "db", help="database schema", description="Manage the database schema."
    )
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="COMMAND")
    db_upgrade = db_commands.add_parser(
        "upgrade", help="apply the migrations", description="Create or upgrade the database schema."
    )
    db_upgrade.add_argument("--revision", default="head", help="target revision (default: head)")
    db_upgrade.set_defaults(handler=cmd_db_upgrade)

    serve = commands.add_parser(
        "serve", help="run the web app", description="Serve the web app and API."
    )
    serve.add_argument("--host", help="address to listen on (default: SURVEY_HOST, else 127.0.0.1)")
    serve.add_argument(
        "--port", type=int, help="port to listen on (default: SURVEY_PORT, else 8000)"
    )
    serve.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    serve.set_defaults(handler=cmd_serve)

    demo = commands.add_parser(
        "demo",
        help="load the demo network",
        description="Load a reproducible demo network (organisations, accounts, rounds) and print the "
        "demo logins. Refuses a database that holds non-demo data.",
    )
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument(
        "--reset", action="store_true", help="rebuild the demo data even if it is loaded"
    )
    demo.set_defaults(handler=cmd_demo)

    org = commands.add_parser("org", help="organisations", description="Manage organisations.")
    org_commands = org.add_subparsers(dest="org_command", required=True, metavar="COMMAND")
    org_create = org_commands.add_parser(
        "create",
        help="create an organisation",
        description="Create an organisation and print its id.",
    )
    org_create.add_argument("--name", required=True)
    org_create.add_argument(
        "--enterprise-number", required=True, help="KBO/BCE number, e.g. 0403.170.701"
    )
    # The valid values are in the help and, from argparse, in the error for any other value.
    org_create.add_argument(
        "--sector",
        required=True,
        choices=SECTORS,
        metavar="SECTOR",
        help="one of: " + ", ".join(SECTORS),
    )
    org_create.add_argument(
        "--size",
        required=True,
        choices=SIZE_BANDS,
        metavar="SIZE",
        help="size band in FTE, one of: " + ", ".join(SIZE_BANDS),
    )
    org_create.add_argument(
        "--municipality",
        required=True,
        choices=MUNICIPALITY_CODES,
        metavar="MUNICIPALITY",
        help="NIS code of a Brussels municipality, or 'outside': "
        + ", ".join(f"{code} {dutch}" for code, (dutch, _french) in MUNICIPALITIES.items())
        + f", {OUTSIDE_BRUSSELS}",
    )
    org_create.add_argument("--funded", action="store_true", help="funded by the VGC")
    org_create.set_defaults(handler=cmd_org_create)

    user = commands.add_parser("user", help="user accounts", description="Manage user accounts.")
    user_commands = user.add_subparsers(dest="user_command", required=True, metavar="COMMAND")
    user_create = user_commands.add_parser(
        "create",
        help="create a user (password on standard input)",
        description="Create a user with a role, or add the role to an existing user. "
        "The password is read from the first line of standard input.",
    )
    user_create.add_argument("--email", required=True)
    user_create.add_argument(
        "--name", default=None, help="display name (default: the e-mail address)"
    )
    user_create.add_argument(
        "--role", required=True, choices=["respondent", "manager", "coach", "analyst", "admin"]
    )
    user_create.add_argument("--organisation", help="enterprise number, for respondent and manager")
    user_create.add_argument("--provider", choices=["agentschap", "huis"], help="for coaches")
    user_create.add_argument("--language", choices=["nl", "fr", "en"], default="nl")
    user_create.set_defaults(handler=cmd_user_create)

    questionnaires = commands.add_parser(
        "questionnaires",
        help="questionnaire definitions",
        description="Check the questionnaire definition files.",
    )
    questionnaire_commands = questionnaires.add_subparsers(
        dest="questionnaires_command", required=True, metavar="COMMAND"
    )
    questionnaires_validate = questionnaire_commands.add_parser(
        "validate",
        help="check the definition files",
        description="Check questionnaire definition files (YAML) the way the app does at start-up. "
        "Prints one 'ok' line per valid questionnaire; otherwise one line per problem, naming "
        "the file, the item and the problem, and exits with status 1.",
    )
    questionnaires_validate.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="a definition file or a folder of them (default: the app's questionnaires folder)",
    )
    questionnaires_validate.set_defaults(handler=cmd_questionnaires_validate)

    trajectories = commands.add_parser(
        "trajectories",
        help="the trajectory catalogue",
        description="Check the catalogue of support trajectories.",
    )
    trajectory_commands = trajectories.add_subparsers(
        dest="trajectories_command", required=True, metavar="COMMAND"
    )
    trajectories_validate = trajectory_commands.add_parser(
        "validate",
        help="check the catalogue file",
        description="Check a trajectory catalogue file (YAML) against the questionnaire "
        "definitions, the way the app does at start-up. Prints one 'ok' line per valid "
        "trajectory; otherwise one line per problem, naming the file, the trajectory, the "
        "field and the problem, and exits with status 1.",
    )
    trajectories_validate.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=None,
        help="a catalogue file (default: the app's survey/trajectories/catalogue.yaml)",
    )
    trajectories_validate.set_defaults(handler=cmd_trajectories_validate)

    uploads = commands.add_parser(
        "uploads", help="evidence files", description="Look after the evidence files."
    )
    uploads_commands = uploads.add_subparsers(
        dest="uploads_command", required=True, metavar="COMMAND"
    )
    uploads_sweep = uploads_commands.add_parser(
        "sweep",
        help="remove files no evidence refers to",
        description="Remove files in the uploads folder that no evidence refers to (left by an "
        "upload whose save failed, or a removal interrupted before the file went). Run it now "
        "and then, e.g. daily.",
    )
    uploads_sweep.add_argument(
        "--older-than-hours",
        type=int,
        default=24,
        help="only files at least this old: younger ones may belong to an upload in progress "
        "(default 24, at least 1)",
    )
    uploads_sweep.add_argument(
        "--dry-run", action="store_true", help="only list the files that would be removed"
    )
    uploads_sweep.set_defaults(handler=cmd_uploads_sweep)

    benchmarks = commands.add_parser(
        "benchmarks", help="peer benchmarks", description="Look after the peer benchmarks."
    )
    benchmarks_commands = benchmarks.add_subparsers(
        dest="benchmarks_command", required=True, metavar="COMMAND"
    )
    benchmarks_recompute = benchmarks_commands.add_parser(
        "recompute",
        help="recompute every round",
        description="Recompute the peer benchmarks of every round and questionnaire. They "
        "follow every submission on their own; use this after restoring a backup or "
        "downgrading the schema.",
    )
    benchmarks_recompute.set_defaults(handler=cmd_benchmarks_recompute)

    indicators = commands.add_parser(
        "indicators", help="network indicators", description="Look after the indicator releases."
    )
    indicators_commands = indicators.add_subparsers(
        dest="indicators_command", required=True, metavar="COMMAND"
    )
    indicators_release = indicators_commands.add_parser(
        "release",
        help="take a release of a round's indicators",
        description="Take a release of the network indicators of a round (default: the open "
        "round). In an open round at least 5 organisations must have changed since its "
        "previous release; a closed round gets its closing release.",
    )
    indicators_release.add_argument("--round", default=None, help="the round's name")
    indicators_release.set_defaults(handler=cmd_indicators_release)

    token = commands.add_parser(
        "token",
        help="read-only API tokens",
        description="Read-only API tokens: they reach the network indicators only.",
    )
    token_commands = token.add_subparsers(dest="token_command", required=True, metavar="COMMAND")
    token_create = token_commands.add_parser(
        "create",
        help="create a token (printed once)",
        description="Create a read-only API token for a BI tool. The token is printed once; "
        "only its digest is stored.",
    )
    token_create.add_argument("--name", required=True, help="who uses it, for what")
    token_create.set_defaults(handler=cmd_token_create)
    token_revoke = token_commands.add_parser(
        "revoke", help="revoke a token", description="Revoke a token by its number."
    )
    token_revoke.add_argument("id", type=int, help="the token's number (printed at creation)")
    token_revoke.set_defaults(handler=cmd_token_revoke)

    rounds = commands.add_parser("rounds", help="rounds", description="Look after the rounds.")
    rounds_commands = rounds.add_subparsers(dest="rounds_command", required=True, metavar="COMMAND")
    rounds_close = rounds_commands.add_parser(
        "close",
        help="close an open round now",
        description="Close an open round before its closing date; what is taken at round "
        "close (the benchmarks' snapshots, the indicators' closing release) is taken now. "
        "The app closes a round whose closing day is over on its own, within the hour.",
    )
    rounds_close.add_argument("name", help="the round's name")
    rounds_close.set_defaults(handler=cmd_rounds_close)

    sessions = commands.add_parser(
        "sessions", help="sessions and login limits", description="Look after the sessions."
    )
    sessions_commands = sessions.add_subparsers(
        dest="sessions_command", required=True, metavar="COMMAND"
    )
    sessions_purge = sessions_commands.add_parser(
        "purge",
        help="remove expired sessions and old failed logins",
        description="Remove expired sessions and failed logins older than an hour. The app "
        "does this at start-up and every hour; use it from cron when the app runs rarely.",
    )
    sessions_purge.set_defaults(handler=cmd_sessions_purge)

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    connect_listeners()
    handler: Callable[[argparse.Namespace], int] = args.handler
    return handler(args)


if __name__ == "__main__":
    raise SystemExit(main())
