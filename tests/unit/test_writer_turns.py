"""Writers on one SQLite database take turns across worker processes (survey.db.WriterTurns):
two instances on one database stand for two processes (a ``flock`` is held per open file)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from survey.db import WriterTurns


async def test_a_writer_of_another_process_waits_for_the_turn_to_end(tmp_path: Path) -> None:
    database = str(tmp_path / "survey.sqlite3")
    first, second = WriterTurns(database), WriterTurns(database)
    order: list[str] = []

    async def write(turns: WriterTurns, name: str, hold: float) -> None:
        async with turns.turn():
            order.append(f"{name} begins")
            await asyncio.sleep(hold)
            order.append(f"{name} ends")

    holder = asyncio.create_task(write(first, "first", 0.3))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(write(second, "second", 0), timeout=5)
    await holder

    assert order == ["first begins", "first ends", "second begins", "second ends"]


async def test_a_writer_cancelled_while_waiting_does_not_keep_the_turn(tmp_path: Path) -> None:
    database = str(tmp_path / "survey.sqlite3")
    first, cancelled, third = (WriterTurns(database) for _ in range(3))
    release = asyncio.Event()

    async def hold() -> None:
        async with first.turn():
            await release.wait()

    async def wait_in_vain() -> None:
        async with cancelled.turn():
            raise AssertionError("a cancelled writer got its turn")

    holder = asyncio.create_task(hold())
    await asyncio.sleep(0.05)
    waiter = asyncio.create_task(wait_in_vain())
    await asyncio.sleep(0.1)
    waiter.cancel()
    release.set()
    await holder

    async def write() -> str:
        async with third.turn():
            return "written"

    assert await asyncio.wait_for(write(), timeout=5) == "written"
    assert waiter.cancelled()
