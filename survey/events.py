"""Domain events, dispatched synchronously inside the request's transaction.

One domain reacts to another through an event instead of importing its service:
assessments publish "submitted" and "reopened"; benchmarks (and later trajectories and
indicators) listen. A listener runs before the publisher returns, on the same database
session, so what the response shows (the organisation's own fresh score and rank after a
submit) is already up to date. An exception in a listener rolls the request back with it.

Side effects that may happen after the response (mail) belong to Litestar's ``emit``.
Listeners are connected by the entry points (``survey.listeners.connect``), never by the
publishing domain, so the base knows no domain.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentEvent:
    """What a listener needs to know about an assessment whose state changed."""

    assessment_id: int
    organisation_id: int
    round_id: int
    questionnaire_id: str
    questionnaire_version_id: int
    actor_id: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentSubmitted(AssessmentEvent):
    """An assessment was submitted (its result is stored and flushed)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AssessmentReopened(AssessmentEvent):
    """A submitted assessment was reopened: it is no peer until submitted again."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ResultsRescored:
    """Stored results of these rounds × questionnaires were scored again under new rules,
    so many scores moved at once (peer snapshots must be renewed, not compared)."""

    round_questionnaires: tuple[tuple[int, str], ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundClosed:
    """A round was closed (early by an admin, or by the housekeeping once its closing day is
    over; once per round): figures taken "at round close" are taken now."""

    round_id: int
    actor_id: int | None


EventT = TypeVar("EventT")
Listener = Callable[[AsyncSession, Any], Awaitable[None]]


class EventBus:
    """Listeners by event type, called in the order they subscribed."""

    def __init__(self) -> None:
        self._listeners: dict[type, list[Listener]] = {}

    def subscribe(
        self, event_type: type[EventT], listener: Callable[[AsyncSession, EventT], Awaitable[None]]
    ) -> None:
        listeners = self._listeners.setdefault(event_type, [])
        if listener not in listeners:
            listeners.append(listener)

    def listeners(self, event_type: type) -> tuple[Listener, ...]:
        found: list[Listener] = []
        for klass in event_type.__mro__:
            found.extend(self._listeners.get(klass, ()))
        return tuple(found)

    async def publish(self, db: AsyncSession, event: object) -> None:
        for listener in self.listeners(type(event)):
            await listener(db, event)

    def clear(self) -> None:
        self._listeners.clear()


bus = EventBus()
subscribe = bus.subscribe
publish = bus.publish
