"""JSON: questionnaire quality under /api/v1 (the benchmark of one assessment is part of
``GET /api/v1/assessments/{id}/result``)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import FromPath, QueryParameter

from survey.accounts.dependencies import LoggedIn
from survey.benchmarks import quality_service
from survey.benchmarks.presenters import quality_page_read
from survey.benchmarks.schemas import QualityRead
from survey.i18n import current_language
from survey.web.dependencies import Db


class QualityApi(Controller):
    path = "/api/v1/questionnaires"
    tags = ["questionnaires"]

    # The figures refresh on a look when enough changed (quality_service): a GET that writes.
    @get("/{questionnaire_id:str}/quality", name="api_benchmarks_quality", opt={"writes": True})
    async def quality(
        self,
        db: Db,
        user: LoggedIn,
        questionnaire_id: FromPath[str],
        round_name: Annotated[
            str | None,
            QueryParameter(
                name="round",
                max_length=40,
                description="Round name; default the open round, else the latest.",
            ),
        ] = None,
    ) -> QualityRead:
        """Psychometric quality across organisations (admins and VGC analysts): Cronbach's alpha
        per dimension, item–rest correlations, share of "not applicable", floor and ceiling
        shares, each with a plain-language reading. Figures on fewer than 5 organisations
        are suppressed."""
        page = await quality_service.quality_page(db, user, questionnaire_id, round_name)
        return quality_page_read(page, current_language())
