"""HTML: the questionnaire-quality pages, and the chart geometry of the result page's
benchmark section (the result page itself is the assessments' ``result`` handler; the app
adds :func:`benchmark_page_context` to it through ``survey.assessments.result_extensions``)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.params import FromPath, QueryParameter
from sqlalchemy.ext.asyncio import AsyncSession

from survey.accounts.dependencies import LoggedIn
from survey.assessments.schemas import BenchmarkRead, ResultRead
from survey.assessments.service import AssessmentContext
from survey.benchmarks import quality_service
from survey.benchmarks.charts import Distribution, percentile_chart, radar_chart
from survey.benchmarks.presenters import quality_page_read
from survey.i18n import current_language
from survey.questionnaires.publishing import definition_of, latest_versions
from survey.web.dependencies import Db
from survey.web.rendering import render


async def benchmark_page_context(
    db: AsyncSession, context: AssessmentContext, read: ResultRead
) -> dict[str, Any]:
    """The result page's benchmark charts, from the benchmark the result carries."""
    return result_charts(read.benchmark)


def result_charts(benchmark: BenchmarkRead | None) -> dict[str, Any]:
    """Geometry of the percentile chart (one row per dimension, then the overall score) and
    of the radar profile (dimensions against the peer median)."""
    if benchmark is None:
        return {
            "percentile_chart": None,
            "chart_rows": [],
            "radar_chart": None,
            "radar_chart_numbered": None,
        }
    rows = [*benchmark.dimensions, benchmark.overall]
    chart = percentile_chart(
        [
            (
                row.score,
                Distribution(
                    p10=row.distribution.p10 if row.distribution else None,
                    p25=row.distribution.p25 if row.distribution else None,
                    p50=row.distribution.p50 if row.distribution else None,
                    p75=row.distribution.p75 if row.distribution else None,
                    p90=row.distribution.p90 if row.distribution else None,
                    mean=row.peer_mean,
                )
                if row.status == "shown"
                else None,
            )
            for row in rows
        ]
    )
    radar = numbered = None
    if len(benchmark.dimensions) >= 3:
        scores = [d.score for d in benchmark.dimensions]
        medians = [d.distribution.p50 if d.distribution else None for d in benchmark.dimensions]
        radar = radar_chart(scores, medians, labels=[d.title for d in benchmark.dimensions])
        # The phone's drawing: axes numbered like the list of parts under it, little room
        # around the rim, so the drawing and its numbers stay large on a narrow screen.
        numbered = radar_chart(
            scores,
            medians,
            labels=[str(n) for n in range(1, len(scores) + 1)],
            width=2 * (140.0 + 30.0),
            label_room=30.0,
        )
    return {
        "percentile_chart": chart,
        "chart_rows": rows,
        "radar_chart": radar,
        "radar_chart_numbered": numbered,
    }


class QualityViews(Controller):
    include_in_schema = False

    @get("/quality", name="quality_index")
    async def index(self, request: Request[Any, Any, Any], db: Db, user: LoggedIn) -> Response[Any]:
        """The questionnaires whose quality figures an admin or analyst can look at."""
        quality_service.ensure_quality_access(user)
        language = current_language()
        questionnaires = [
            (questionnaire_id, definition_of(version).title.get(language))
            for questionnaire_id, version in (await latest_versions(db)).items()
        ]
        return render(request, "benchmarks/quality_index.html", {"questionnaires": questionnaires})

    # The figures refresh on a look when enough changed (quality_service): a GET that writes.
    @get("/questionnaires/{questionnaire_id:str}/quality", name="quality", opt={"writes": True})
    async def quality(
        self,
        request: Request[Any, Any, Any],
        db: Db,
        user: LoggedIn,
        questionnaire_id: FromPath[str],
        round_name: Annotated[str | None, QueryParameter(name="round", max_length=40)] = None,
    ) -> Response[Any]:
        page = await quality_service.quality_page(db, user, questionnaire_id, round_name)
        language = current_language()
        figures = quality_page_read(page, language)
        latest = (await latest_versions(db)).get(questionnaire_id)
        title = definition_of(latest).title.get(language) if latest else questionnaire_id
        return render(
            request,
            "benchmarks/quality.html",
            {"quality": figures, "title": title, "rounds": page.rounds, "round": page.round},
        )
