"""The operator's commands on rounds, indicator releases and API tokens: what they print and
their exit status (0 done, 1 refused with the reason on standard error)."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from survey.cli import main
from survey.db import command_session
from survey.indicators.models import IndicatorRelease
from survey.settings import load_settings
from tests.factories import make_round
from tests.integration.assessments.helpers import nl


def _with_round(name: str, state: str) -> None:
    async def add() -> None:
        async with command_session(load_settings().database_url) as db:
            await make_round(db, name, state)

    asyncio.run(add())


def _release_reasons() -> list[str]:
    async def read() -> list[str]:
        async with command_session(load_settings().database_url) as db:
            return list(await db.scalars(select(IndicatorRelease.reason)))

    return asyncio.run(read())


def test_rounds_close_closes_an_open_round_once(data_dir, capsys) -> None:
    _with_round("2026", "open")
    capsys.readouterr()

    assert main(["rounds", "close", "2026"]) == 0
    assert capsys.readouterr().out == "Round 2026 closed.\n"
    assert _release_reasons() == ["close"]

    assert main(["rounds", "close", "2026"]) == 1
    assert capsys.readouterr().err == f"survey: {nl('Only an open round can be closed.')}\n"
    assert main(["rounds", "close", "1999"]) == 1
    assert capsys.readouterr().err == "survey: no round 1999\n"
    assert _release_reasons() == ["close"]


def test_rounds_close_closes_a_round_past_its_date_that_is_not_closed_yet(data_dir, capsys) -> None:
    _with_round("2025", "closed")  # past its closing date, the app did not run since
    capsys.readouterr()

    assert main(["rounds", "close", "2025"]) == 0
    assert capsys.readouterr().out == "Round 2025 closed.\n"
    assert _release_reasons() == ["close"]
    assert main(["rounds", "close", "2025"]) == 1
    assert _release_reasons() == ["close"]


def test_indicators_release_names_the_round_or_says_why_not(data_dir, capsys) -> None:
    assert main(["indicators", "release"]) == 1
    assert capsys.readouterr().err == "survey: no open round\n"
    assert main(["indicators", "release", "--round", "1999"]) == 1
    assert capsys.readouterr().err == "survey: no round 1999\n"

    _with_round("2026", "open")
    assert main(["indicators", "release"]) == 1  # nobody took part yet
    assert capsys.readouterr().err.startswith(
        "survey: Een publicatie vraagt minstens 5 organisaties"
    )

    _with_round("2025", "closed")
    assert main(["indicators", "release", "--round", "2025"]) == 0
    assert capsys.readouterr().out == (
        "Round 2025: release no. 1 taken (close), 0 organisation(s) assessed.\n"
    )


def test_a_token_is_printed_once_and_revoked_once(data_dir, capsys) -> None:
    assert main(["token", "create", "--name", "BI dashboard"]) == 0
    heading, token, *rest = capsys.readouterr().out.splitlines()
    assert heading == "Token 1 (BI dashboard), shown only this once:"
    assert token.strip() and rest == []

    assert main(["token", "revoke", "1"]) == 0
    assert capsys.readouterr().out == "Token 1 (BI dashboard) revoked.\n"
    assert main(["token", "revoke", "1"]) == 1
    assert capsys.readouterr().err == f"survey: {nl('This token was already revoked.')}\n"
    assert main(["token", "revoke", "7"]) == 1
    assert capsys.readouterr().err == f"survey: {nl('There is no such token.')}\n"
    assert main(["token", "create", "--name", " "]) == 1
    assert capsys.readouterr().err.startswith("survey: name: ")
