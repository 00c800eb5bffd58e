"""One-line notes per question that an upper domain adds to an assessment's page (the
respondents' answers, for the manager). The providers are added by the app
(``add_summary_provider``), so the assessments need not import the domains above them.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.service import CurrentUser
from survey.assessments.service import AssessmentContext
from survey.questionnaires.schema import Item

# item id -> note, for the questions (of those the page shows) the provider has something
# to say about.
SummaryProvider = Callable[
    [AsyncSession, CurrentUser, AssessmentContext, Sequence[Item]], Awaitable[dict[str, str]]
]

_providers: list[SummaryProvider] = []


def add_summary_provider(provider: SummaryProvider) -> None:
    """Add ``provider``'s notes to every assessment page (idempotent)."""
    if provider not in _providers:
        _providers.append(provider)


async def item_summaries(
    db: AsyncSession, user: CurrentUser, context: AssessmentContext, items: Sequence[Item]
) -> dict[str, str]:
    """Every provider's notes on ``items`` (the questions the page shows), by item id."""
    notes: dict[str, str] = {}
    for provider in _providers:
        notes.update(await provider(db, user, context, items))
    return notes
