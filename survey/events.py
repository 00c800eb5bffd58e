"""Domain events, dispatched synchronously inside the request's transaction.

One domain reacts to another through an event instead of importing its service:
assessments publish "submitted" and "reopened"; benchmarks (and later trajectories and
indicators) listen. A listener runs before the publisher returns, on the same database
session, so what the response shows (the organisation's own fresh score and rank after a
submit) is already up to date. An exception in a listener rolls the request back with it.

A listener may also give a variant to run right after the commit (``after_commit``): when
the session's owner runs such work (a request's write transaction, see
:func:`defer_after_commit`), the variant runs once the transaction committed, still before
the response is sent, with :class:`Sessions` of its own, so heavy derived work (the peer
figures' recompute) holds no lock of the publishing transaction. Elsewhere (a command, a
test's session) the listener runs inside the transaction as above.

Side effects that may happen after the response (mail) belong to Litestar's ``emit``.
Listeners are connected by the entry points (``survey.listeners.connect``), never by the
publishing domain, so the base knows no domain.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any, Final, Protocol, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

logger = logging.getLogger(__name__)


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


class Sessions(Protocol):
    """Where a listener's after-commit variant reads and writes."""

    @property
    def database(self) -> object:
        """What tells this database from another in the process (work on one database is
        never shared with work on another)."""
        ...

    def read(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A read-only transaction: no lock on SQLite, ``READ ONLY`` on PostgreSQL."""
        ...

    def write(self) -> AbstractAsyncContextManager[AsyncSession]:
        """A transaction that may write, begun in its turn among the writers (on SQLite it
        holds the write lock from its start): keep it short."""
        ...


EventT = TypeVar("EventT")
Listener = Callable[[AsyncSession, Any], Awaitable[None]]
AfterCommit = Callable[[Sessions, Any], Awaitable[None]]

_DEFERRED: Final = "survey_after_commit"
"""``AsyncSession.info`` key: the after-commit work published in the session's transaction."""


@dataclass(frozen=True, slots=True)
class _Subscription:
    listener: Listener
    after_commit: AfterCommit | None


class EventBus:
    """Listeners by event type, called in the order they subscribed."""

    def __init__(self) -> None:
        self._subscriptions: dict[type, list[_Subscription]] = {}

    def subscribe(
        self,
        event_type: type[EventT],
        listener: Callable[[AsyncSession, EventT], Awaitable[None]],
        *,
        after_commit: Callable[[Sessions, EventT], Awaitable[None]] | None = None,
    ) -> None:
        """``listener`` runs inside the publishing transaction; ``after_commit``, if given,
        runs instead right after its commit where the session's owner runs such work."""
        subscriptions = self._subscriptions.setdefault(event_type, [])
        if all(s.listener is not listener for s in subscriptions):
            subscriptions.append(_Subscription(listener, after_commit))

    def subscriptions(self, event_type: type) -> tuple[_Subscription, ...]:
        found: list[_Subscription] = []
        for klass in event_type.__mro__:
            found.extend(self._subscriptions.get(klass, ()))
        return tuple(found)

    def listeners(self, event_type: type) -> tuple[Listener, ...]:
        return tuple(s.listener for s in self.subscriptions(event_type))

    async def publish(self, db: AsyncSession, event: object) -> None:
        deferred: list[tuple[_Subscription, object]] | None = db.info.get(_DEFERRED)
        for subscription in self.subscriptions(type(event)):
            if subscription.after_commit is not None and deferred is not None:
                deferred.append((subscription, event))
            else:
                await subscription.listener(db, event)

    def clear(self) -> None:
        self._subscriptions.clear()


def defer_after_commit(db: AsyncSession) -> None:
    """Say that whoever began ``db``'s transaction calls :func:`run_after_commit` once it
    committed: listeners with an after-commit variant then wait for it."""
    db.info[_DEFERRED] = []


async def run_after_commit(db: AsyncSession, sessions: Sessions) -> None:
    """Run the after-commit work published in ``db``'s transaction, which has committed.

    The publishing transaction's changes are stored whatever happens here, so a failure is
    not raised: the listener's in-transaction variant is tried once in a write transaction
    of its own, and if that fails too, it is logged; the work is derived data that the next
    run of the same work recomputes (for the peer figures: the next recompute of that
    round × questionnaire).
    """
    deferred: list[tuple[_Subscription, object]] = db.info.pop(_DEFERRED, None) or []
    for subscription, event in deferred:
        assert subscription.after_commit is not None
        try:
            await subscription.after_commit(sessions, event)
        except Exception:
            logger.exception("After-commit work for %r failed; trying it in a transaction", event)
            try:
                async with sessions.write() as again:
                    await subscription.listener(again, event)
            except Exception:
                logger.exception("After-commit work for %r failed again", event)


bus = EventBus()
subscribe = bus.subscribe
publish = bus.publish
