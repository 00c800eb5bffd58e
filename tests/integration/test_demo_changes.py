"""An analyst opening the indicators of a fresh demo network sees the change since last
year: the demo's release of the open round compares it with the previous round's scores,
which the demo wrote in the same command."""

from __future__ import annotations

import asyncio

from survey.cli import main
from survey.db import create_engine, create_sessionmaker
from survey.indicators.service import Filters, read_cells
from survey.settings import load_settings


async def _change_cells() -> list[tuple[int, float | None]]:
    engine = create_engine(load_settings().database_url)
    try:
        async with create_sessionmaker(engine)() as db:
            view = await read_cells(db, None, None, Filters())
            return [
                (cell.n_organisations, cell.values.get("mean_change"))
                for cell in view.cells
                if cell.indicator == "change" and cell.dimension == "overall"
            ]
    finally:
        await engine.dispose()


def test_the_demo_release_of_the_open_round_shows_the_change_since_last_year(
    data_dir,
    capsys,
) -> None:
    assert main(["demo", "--seed", "1"]) == 0
    capsys.readouterr()
    changes = asyncio.run(_change_cells())
    assert len(changes) >= 4  # one overall change per questionnaire
    assert all(n >= 100 and mean is not None for n, mean in changes), changes
