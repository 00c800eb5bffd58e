"""Benchmarks react to assessments through domain events (see ``survey.events``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from survey.benchmarks.recompute import recompute, recompute_off_lock, recompute_round
from survey.events import AssessmentEvent, ResultsRescored, RoundClosed, Sessions


async def recompute_after_change(db: AsyncSession, event: AssessmentEvent) -> None:
    """A submission or reopening changes who is a peer: recompute that round ×
    questionnaire now, so the response already shows the organisation's own rank."""
    await recompute(db, event.round_id, event.questionnaire_id)


async def recompute_after_commit(sessions: Sessions, event: AssessmentEvent) -> None:
    """:func:`recompute_after_change` once the submission or reopening committed, still
    before the response is sent, so the result page after it shows the organisation's own
    rank: read and computed with no lock held, stored in a short write transaction of its
    own, so other people's autosaves do not wait for the computation."""
    await recompute_off_lock(sessions, event.round_id, event.questionnaire_id)


async def recompute_after_rescoring(db: AsyncSession, event: ResultsRescored) -> None:
    """New scoring rules moved many scores at once: renew the peer groups' snapshots."""
    for round_id, questionnaire_id in event.round_questionnaires:
        await recompute(db, round_id, questionnaire_id, refresh_snapshots=True)


async def recompute_at_close(db: AsyncSession, event: RoundClosed) -> None:
    """A round closed (early, or once its closing day is over): recompute its benchmarks
    now, which renews every peer group's snapshot (the first recompute after the close,
    DESIGN §7), and its quality figures."""
    await recompute_round(db, event.round_id)
