"""The recomputes of one round × questionnaire asked for while one runs share one run that
starts after it (``survey.benchmarks.recompute._SharedRuns``)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from survey.benchmarks.recompute import _SharedRuns


async def test_callers_during_a_run_share_the_next_one_and_other_keys_run_at_once() -> None:
    runs = _SharedRuns()
    started: list[str] = []
    release = asyncio.Event()

    def work(name: str) -> Callable[[], Awaitable[int]]:
        async def run() -> int:
            started.append(name)
            await release.wait()
            return len(started)

        return run

    first = asyncio.ensure_future(runs.run("a", work("first")))
    await asyncio.sleep(0.01)
    later = [asyncio.ensure_future(runs.run("a", work(f"later {i}"))) for i in range(3)]
    other = asyncio.ensure_future(runs.run("b", work("other key")))
    await asyncio.sleep(0.01)
    assert started == ["first", "other key"]  # the later ones wait for the first

    release.set()
    results = await asyncio.gather(first, *later, other)

    assert started == ["first", "other key", "later 0"]  # one run for the three
    assert results[0] == 2 and results[1:4] == [3, 3, 3]


async def test_a_cancelled_caller_leaves_the_run_to_the_others() -> None:
    runs = _SharedRuns()
    release = asyncio.Event()

    async def run() -> int:
        await release.wait()
        return 7

    leaving = asyncio.ensure_future(runs.run("a", run))
    staying = asyncio.ensure_future(runs.run("a", run))
    await asyncio.sleep(0.01)
    leaving.cancel()
    release.set()

    assert await staying == 7
