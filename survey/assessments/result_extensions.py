"""What upper domains add to an assessment's result (the peer benchmark and the suggested
trajectories in the result and the API; the benchmark's charts and the goals on the result
page). The extensions are added by the app (``add_result_extension``,
``add_result_page_context``), so the assessments need not import the domains above them
(docs/architecture.md, like ``summaries``). Extensions run in the order they were added:
one may read what an earlier one added (the suggestions read the benchmark)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from survey.assessments.schemas import ResultRead
from survey.assessments.service import AssessmentContext

# The result with what the extension adds (in the caller's language).
ResultExtension = Callable[
    [AsyncSession, AssessmentContext, ResultRead, str], Awaitable[ResultRead]
]
# Extra values for the result page's template, given the result as the extensions completed it.
ResultPageContext = Callable[
    [AsyncSession, AssessmentContext, ResultRead], Awaitable[dict[str, Any]]
]

_extensions: list[ResultExtension] = []
_page_contexts: list[ResultPageContext] = []


def add_result_extension(extension: ResultExtension) -> None:
    """Let ``extension`` complete every result, on the page and in the API (idempotent)."""
    if extension not in _extensions:
        _extensions.append(extension)


def add_result_page_context(provider: ResultPageContext) -> None:
    """Add ``provider``'s values to the result page's template (idempotent)."""
    if provider not in _page_contexts:
        _page_contexts.append(provider)


async def extend_result(
    db: AsyncSession, context: AssessmentContext, read: ResultRead, language: str
) -> ResultRead:
    """The result as every extension completes it, in the order they were added."""
    for extension in _extensions:
        read = await extension(db, context, read, language)
    return read


async def result_page_context(
    db: AsyncSession, context: AssessmentContext, read: ResultRead
) -> dict[str, Any]:
    """The values every provider adds to the page of ``read`` (the extended result)."""
    values: dict[str, Any] = {}
    for provider in _page_contexts:
        values.update(await provider(db, context, read))
    return values
