"""Which domain listens to which event: connected once by each entry point (the app,
the command line), so no domain imports another's service to tell it something."""

from __future__ import annotations

from survey import events
from survey.benchmarks.listeners import (
    recompute_after_change,
    recompute_after_commit,
    recompute_after_rescoring,
    recompute_at_close,
)
from survey.indicators.listeners import release_at_close


def connect() -> None:
    """Subscribe every domain's listeners (idempotent)."""
    events.subscribe(
        events.AssessmentEvent, recompute_after_change, after_commit=recompute_after_commit
    )
    events.subscribe(events.ResultsRescored, recompute_after_rescoring)
    events.subscribe(events.RoundClosed, recompute_at_close)
    events.subscribe(events.RoundClosed, release_at_close)
