"""The event bus: a listener's after-commit variant runs after the commit where the session's
owner runs such work, the listener itself inside the transaction elsewhere; a failing
after-commit variant is logged, not raised (the transaction has committed)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from survey.events import EventBus, defer_after_commit, run_after_commit


@dataclass(frozen=True)
class Happened:
    name: str


def _bus(calls: list[str], *, failing: bool = False) -> EventBus:
    bus = EventBus()

    async def inside(db: Any, event: Happened) -> None:
        calls.append(f"inside {event.name}")

    async def after(sessions: Any, event: Happened) -> None:
        if failing:
            raise RuntimeError("the work failed")
        calls.append(f"after {event.name} with {sessions}")

    async def only_inside(db: Any, event: Happened) -> None:
        calls.append(f"only inside {event.name}")

    bus.subscribe(Happened, inside, after_commit=after)
    bus.subscribe(Happened, only_inside)
    return bus


async def test_without_deferral_every_listener_runs_inside_the_transaction() -> None:
    calls: list[str] = []
    db = AsyncSession()

    await _bus(calls).publish(db, Happened("a"))

    assert calls == ["inside a", "only inside a"]
    await run_after_commit(db, "sessions")  # nothing was deferred
    assert calls == ["inside a", "only inside a"]


async def test_a_deferring_session_runs_the_after_commit_variant_once_after_the_commit() -> None:
    calls: list[str] = []
    bus = _bus(calls)
    db = AsyncSession()
    defer_after_commit(db)

    await bus.publish(db, Happened("a"))
    await bus.publish(db, Happened("b"))

    assert calls == ["only inside a", "only inside b"]
    await run_after_commit(db, "sessions")
    assert calls[2:] == ["after a with sessions", "after b with sessions"]
    await run_after_commit(db, "sessions")  # run once
    assert len(calls) == 4


async def test_a_failing_after_commit_variant_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[str] = []
    db = AsyncSession()
    defer_after_commit(db)
    await _bus(calls, failing=True).publish(db, Happened("a"))

    with caplog.at_level(logging.ERROR, logger="survey.events"):
        await run_after_commit(db, "sessions")

    assert "After-commit work for Happened(name='a') failed" in caplog.text
    assert calls == ["only inside a"]


def test_subscribing_the_same_listener_twice_keeps_one() -> None:
    calls: list[str] = []
    bus = _bus(calls)

    async def inside(db: Any, event: Happened) -> None:
        return None

    bus.subscribe(Happened, inside)
    bus.subscribe(Happened, inside)
    assert len(bus.listeners(Happened)) == 3
