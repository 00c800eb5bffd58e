"""From stored benchmark and quality figures to the Structs the pages and the API show,
in the caller's language, with the privacy rule applied once more on the way out."""

from __future__ import annotations

import datetime as dt
import math

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from survey.assessments.schemas import (
    BenchmarkRead,
    BenchmarkStatus,
    DimensionBenchmarkRead,
    PeerDistributionRead,
    PeerGroupRead,
    ResultRead,
)
from survey.assessments.service import AssessmentContext
from survey.benchmarks.core import (
    MIN_GROUP_SIZE,
    PERCENTILES,
    QUARTILES_FROM,
    TAILS_FROM,
    group_key,
    shown_percentiles,
)
from survey.benchmarks.quality import EFFECT_SHARE, ITEM_REST_WEAK, NOT_APPLICABLE_HIGH
from survey.benchmarks.quality_service import QualityPage
from survey.benchmarks.schemas import (
    DimensionQualityRead,
    ItemQualityRead,
    QualityRead,
    StoredFigure,
    StoredVersionQuality,
    VersionQualityRead,
)
from survey.benchmarks.service import OVERALL, StoredBenchmark, load_benchmark
from survey.i18n import gettext as _
from survey.organisations.reference import SECTORS, SIZE_BANDS
from survey.questionnaires.schema import Questionnaire
from survey.scoring import round_half_up


def peer_group_label(level: str, sector: str, size_band: str) -> str:
    sector_name = _(SECTORS.get(sector, sector))
    if level == "sector_size":
        size_name = _(SIZE_BANDS.get(size_band, size_band))
        return _("%(sector)s, %(size)s", sector=sector_name, size=size_name)
    if level == "sector":
        return _("%(sector)s, all sizes", sector=sector_name)
    return _("the whole network")


def _figure_read(
    dimension_id: str | None,
    title: str,
    score: float | None,
    figure: StoredFigure | None,
    stored: StoredBenchmark,
    previous: float | None,
) -> DimensionBenchmarkRead:
    shown = (
        figure is not None
        and figure.peer_group is not None
        and figure.n_peers is not None
        and figure.n_peers >= MIN_GROUP_SIZE
    )
    change = round_half_up(score - previous) if score is not None and previous is not None else None
    if not shown or figure is None:
        status: BenchmarkStatus = "no_score" if score is None else "too_few_peers"
        return DimensionBenchmarkRead(
            dimension_id=dimension_id,
            title=title,
            score=score,
            status=status,
            message=(
                _("No score, so no comparison.")
                if status == "no_score"
                else _("Not enough comparable organisations to compare with.")
            ),
            peer_group=None,
            percentile_rank=None,
            peer_mean=None,
            distribution=None,
            privacy_note=None,
            previous_score=previous,
            change=change,
        )
    level = figure.peer_group
    assert level is not None and figure.n_peers is not None
    return DimensionBenchmarkRead(
        dimension_id=dimension_id,
        title=title,
        score=score,
        status="shown",
        message=None,
        peer_group=PeerGroupRead(
            level=level,
            key=group_key(level, stored.row.sector, stored.row.size_band),
            label=peer_group_label(level, stored.row.sector, stored.row.size_band),
            n_organisations=figure.n_peers,
        ),
        percentile_rank=figure.percentile_rank,
        peer_mean=figure.mean,
        distribution=_distribution_read(figure, figure.n_peers),
        privacy_note=privacy_note(figure.n_peers),
        previous_score=previous,
        change=change,
    )


def _distribution_read(figure: StoredFigure, n_peers: int) -> PeerDistributionRead | None:
    """The percentiles a group of ``n_peers`` may show (DESIGN §5), the rule applied once more
    on the way out: none below :data:`QUARTILES_FROM` peers."""
    allowed = dict(zip(PERCENTILES, shown_percentiles(n_peers), strict=True))
    p10, p25, p50, p75, p90 = (
        value if allowed[percentile] else None
        for percentile, value in zip(
            PERCENTILES, (figure.p10, figure.p25, figure.p50, figure.p75, figure.p90), strict=True
        )
    )
    if p25 is None or p50 is None or p75 is None:
        return None
    return PeerDistributionRead(p10=p10, p25=p25, p50=p50, p75=p75, p90=p90)


def privacy_note(n_peers: int) -> str | None:
    """Why a group of ``n_peers`` shows fewer figures, in plain words; None when it shows all."""
    if n_peers < QUARTILES_FROM:
        return _(
            "With fewer than %(quartiles)s comparable organisations you see only your percentile rank and their average score, in whole points. More figures would let someone work out single organisations' scores.",
            quartiles=QUARTILES_FROM,
        )
    if n_peers < TAILS_FROM:
        return _(
            "With fewer than %(tails)s comparable organisations the 10th and 90th percentiles are not shown: they would come too close to single organisations' scores.",
            tails=TAILS_FROM,
        )
    return None


def benchmark_read(stored: StoredBenchmark, result: ResultRead, round_name: str) -> BenchmarkRead:
    """The benchmark of the result's dimensions (in the result's order and language)."""
    dimensions = [
        _figure_read(
            d.dimension_id,
            d.title,
            d.score,
            stored.figures.get(d.dimension_id),
            stored,
            stored.previous_scores.get(d.dimension_id),
        )
        for d in result.dimensions
    ]
    overall = _figure_read(
        None,
        _("Overall score"),
        result.score,
        stored.figures.get(OVERALL),
        stored,
        stored.previous_overall,
    )
    return BenchmarkRead(
        round=round_name,
        computed_at=stored.row.computed_at,
        previous_round=stored.previous_round.name if stored.previous_round else None,
        overall=overall,
        dimensions=dimensions,
    )


# --- quality ---------------------------------------------------------------------------------


def alpha_reading(alpha: float | None, suppressed: bool) -> str:
    """A plain-language reading of Cronbach's alpha (usual bands: 0.7 acceptable, 0.8 good,
    above 0.95 possibly redundant questions)."""
    if suppressed:
        return _("Fewer than 5 organisations answered this part: no figures are shown.")
    if alpha is None or math.isnan(alpha):
        return _(
            "Cannot be computed: too few answers per question, or no differences between organisations."
        )
    if alpha < 0.5:
        return _("Low: the questions of this part hardly measure one common thing.")
    if alpha < 0.7:
        return _("Questionable: the questions of this part hang together only moderately.")
    if alpha < 0.8:
        return _("Acceptable: the questions of this part measure one common thing.")
    if alpha <= 0.95:
        return _("Good: the questions of this part measure one common thing well.")
    return _("Very high: some questions of this part may ask nearly the same thing.")


def item_readings(
    item_rest: float | None,
    not_applicable_share: float | None,
    floor: float | None,
    ceiling: float | None,
) -> list[str]:
    readings = []
    if item_rest is not None:
        if item_rest < 0:
            readings.append(
                _(
                    "Goes against the rest of the part: check the wording, or whether it should be reversed."
                )
            )
        elif item_rest < ITEM_REST_WEAK:
            readings.append(_("Weak link with the rest of the part."))
        else:
            readings.append(_("Fits the rest of the part."))
    if not_applicable_share is not None and not_applicable_share > NOT_APPLICABLE_HIGH:
        readings.append(_("Many organisations find this question not applicable."))
    if floor is not None and floor > EFFECT_SHARE:
        readings.append(
            _(
                "Floor effect: many organisations give the lowest answer, so the question hardly tells them apart."
            )
        )
    if ceiling is not None and ceiling > EFFECT_SHARE:
        readings.append(
            _(
                "Ceiling effect: many organisations give the highest answer, so the question hardly tells them apart."
            )
        )
    return readings


def quality_read(
    questionnaire_id: str,
    round_name: str,
    computed_at: dt.datetime,
    versions: list[tuple[StoredVersionQuality, Questionnaire]],
    language: str,
) -> QualityRead:
    result = []
    for stored, definition in versions:
        titles = {d.id: d.title.get(language) for d in definition.dimensions}
        texts = {item.id: item.text.get(language) for item in definition.items}
        dimensions = []
        for d in stored.dimensions:
            suppressed = d.suppressed or d.n_organisations < MIN_GROUP_SIZE
            items = []
            for item in d.items:
                item_suppressed = suppressed or item.suppressed
                items.append(
                    ItemQualityRead(
                        item_id=item.item_id,
                        text=texts.get(item.item_id, item.item_id),
                        suppressed=item_suppressed,
                        n_answers=None if item_suppressed else item.n_answers,
                        item_rest_correlation=None if item_suppressed else item.item_rest,
                        not_applicable_share=None if item_suppressed else item.not_applicable_share,
                        floor_share=None if item_suppressed else item.floor_share,
                        ceiling_share=None if item_suppressed else item.ceiling_share,
                        readings=(
                            [
                                _(
                                    "Fewer than 5 organisations answered this question: no figures are shown."
                                )
                            ]
                            if item_suppressed
                            else item_readings(
                                item.item_rest,
                                item.not_applicable_share,
                                item.floor_share,
                                item.ceiling_share,
                            )
                        ),
                    )
                )
            dimensions.append(
                DimensionQualityRead(
                    dimension_id=d.dimension_id,
                    title=titles.get(d.dimension_id, d.dimension_id),
                    suppressed=suppressed,
                    n_organisations=None if suppressed else d.n_organisations,
                    n_items=len(d.items),
                    n_items_alpha=None if suppressed or d.alpha is None else d.n_items_alpha,
                    cronbach_alpha=None if suppressed else d.alpha,
                    alpha_reading=alpha_reading(d.alpha, suppressed),
                    score_floor_share=None if suppressed else d.score_floor_share,
                    score_ceiling_share=None if suppressed else d.score_ceiling_share,
                    items=items,
                )
            )
        result.append(
            VersionQualityRead(
                version=stored.version,
                n_organisations=(
                    stored.n_organisations if stored.n_organisations >= MIN_GROUP_SIZE else None
                ),
                as_of=stored.as_of,
                dimensions=dimensions,
            )
        )
    return QualityRead(
        questionnaire_id=questionnaire_id,
        round=round_name,
        computed_at=computed_at,
        versions=result,
    )


async def attach_benchmark(
    db: AsyncSession, context: AssessmentContext, read: ResultRead, language: str
) -> ResultRead:
    """The result with its stored benchmark and trend (access was checked by ``get_context``),
    in the current language: a result extension (``survey.assessments.result_extensions``),
    added by the app before the suggestions, which read the benchmark."""
    stored = await load_benchmark(db, context.assessment, context.round, context.questionnaire)
    if stored is None:
        return read
    return msgspec.structs.replace(read, benchmark=benchmark_read(stored, read, context.round.name))


def quality_page_read(page: QualityPage, language: str) -> QualityRead:
    return quality_read(
        page.questionnaire_id,
        page.round.name,
        page.figures.computed_at,
        [
            (version, page.definitions[version.questionnaire_version_id])
            for version in page.figures.versions
            if version.questionnaire_version_id in page.definitions
        ],
        language,
    )
